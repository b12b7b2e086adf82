"""The Models mode (key 4)."""
