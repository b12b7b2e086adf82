"""cnntui.commands."""
