"""Device side of the mock push services: registration, streamed delivery, store-and-forward, faults."""
