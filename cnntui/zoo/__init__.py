"""cnntui.zoo."""
