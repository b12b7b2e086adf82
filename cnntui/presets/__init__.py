"""cnntui.presets."""
