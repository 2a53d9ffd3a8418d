"""Sans-IO protocol core: bytes and `now` in, bytes and events out."""
