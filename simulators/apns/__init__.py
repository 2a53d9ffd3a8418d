"""Mock Apple Push Notification service: HTTP/2 on ``h2`` (see ``server.ApnsMock``)."""
