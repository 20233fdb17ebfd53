"""proactive domain."""
