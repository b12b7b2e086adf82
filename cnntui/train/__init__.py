"""cnntui.train."""
