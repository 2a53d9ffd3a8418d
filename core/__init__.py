"""PushSim validation core: protocol, storage, push dispatch and HTTP API (no Qt)."""
