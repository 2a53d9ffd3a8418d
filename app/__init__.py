"""PushSim desktop application and command line."""
