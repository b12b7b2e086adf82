"""The Calculator mode (key 3)."""
