"""cnntui.data."""
