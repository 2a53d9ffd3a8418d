"""fcm package."""
