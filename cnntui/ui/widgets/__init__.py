"""cnntui.ui.widgets."""
