"""financial domain."""
