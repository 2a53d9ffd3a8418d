"""HTTP plumbing shared by the core API and the provider mocks (Qt-free).

``routing``: the one ``Router`` with ``Request`` and the responses; ``dispatch``:
a router served as an ASGI app the mocks' way; ``body``: bounded body reading
and the JSON content type; ``asgi``: ASGI callable types and the lifespan
answer; ``errors``: ``ApiError``, the HTTP child of the one ``PushSimError``
family; ``loopback``: 127.0.0.1-only listening sockets and the hypercorn TLS
config that serves our own context; ``asgi_server``: the hypercorn server,
with ``hypercorn_fixes`` (early HTTP/2 answers, the connection cap).
Simulators may import this package; it never imports simulators.
"""
