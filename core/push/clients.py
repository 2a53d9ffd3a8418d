"""Where provider HTTP clients come from: trust, HTTP/2, client certificates.

The dispatcher asks a ``ClientFactory`` for a client per ``ClientSpec`` and
keeps it for reuse (HTTP/2 connections to APNs are meant to stay open). Tests
pass a factory that returns clients over ``httpx.MockTransport``.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True, kw_only=True)
class ClientSpec:
    service: str  # fcm | apns
    http2: bool
    ca_file: Path | None  # the workspace CA (the mocks' issuer)
    system_trust: bool  # also trust the system store (real Google/Apple endpoints)
    client_cert_pem: str | None = None  # APNs certificate auth: certificate + key, PEM


ClientFactory = Callable[[ClientSpec], httpx.AsyncClient]


def ssl_context(spec: ClientSpec) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(spec.ca_file) if spec.ca_file else None)
    if spec.system_trust and spec.ca_file is not None:
        context.load_default_certs()
    if spec.http2:
        context.set_alpn_protocols(["h2"])
    if spec.client_cert_pem:
        # ssl only loads certificates from files: a private temp file, gone right after
        fd, name = tempfile.mkstemp(suffix=".pem")  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(spec.client_cert_pem)
            context.load_cert_chain(name)
        finally:
            os.unlink(name)
    return context


def default_client_factory(spec: ClientSpec) -> httpx.AsyncClient:
    """HTTP/2 only for APNs (prior knowledge when the server offers no ALPN)."""
    if spec.http2:
        return httpx.AsyncClient(verify=ssl_context(spec), http1=False, http2=True)
    return httpx.AsyncClient(verify=ssl_context(spec))
