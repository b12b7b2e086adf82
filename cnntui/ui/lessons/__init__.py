"""The Lessons mode (key 1)."""
