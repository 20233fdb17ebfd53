"""Claude Code's own telemetry (OTLP/HTTP metrics and logs) and what each session cost."""
