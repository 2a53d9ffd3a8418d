"""HTTP plumbing shared by the core API and the provider mocks (Qt-free).

``asgi``: ASGI callable types and the lifespan answer; ``errors``: ``ApiError``,
the HTTP child of the one ``PushSimError`` family; ``loopback``: 127.0.0.1-only
listening sockets and the hypercorn TLS config that serves our own context.
Simulators may import this package; it never imports simulators.
"""
