"""cnntui.ui.modes."""
