"""HTTP API of the validation core: an ASGI app, one module per area, no business logic."""

from core.api.app import CoreApi, create_app

__all__ = ["CoreApi", "create_app"]
