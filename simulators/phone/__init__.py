"""phone package."""
