"""The original system's `instance-tracker.json`, read leniently and re-read when it changes."""
