"""Device side of the mock push services: registration, streamed delivery, faults."""
