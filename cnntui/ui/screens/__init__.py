"""cnntui.ui.screens."""
