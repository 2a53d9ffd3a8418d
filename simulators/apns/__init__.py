"""apns package."""
