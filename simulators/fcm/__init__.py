"""Mock Firebase Cloud Messaging HTTP v1 + OAuth token endpoint (see ``server.FcmMock``)."""
