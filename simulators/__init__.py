"""PushSim simulators: mock FCM and APNs, virtual phones (no Qt)."""
