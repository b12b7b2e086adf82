"""cnntui.ui."""
