"""The GAN mode (key 6)."""
