"""The Train mode (key 5)."""
