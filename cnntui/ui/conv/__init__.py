"""The Conv Lab mode (key 2)."""
