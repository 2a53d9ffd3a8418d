"""The workspace PKI and provider credentials: idempotent, private, and usable by TLS."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.pki import PkiMaterial, client_ssl_context, ensure_pki, server_ssl_context, signed_by
from core.provider_credentials import (
    APNS_BUNDLE_ID,
    ensure_provider_credentials,
    write_service_account,
)
from core.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws").ensure()


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ensure_pki_is_idempotent_and_keeps_keys_private(workspace: Workspace) -> None:
    first = ensure_pki(workspace)
    contents = {p: p.read_bytes() for p in vars(first).values()}
    second = ensure_pki(workspace)
    assert second == first
    assert {p: p.read_bytes() for p in vars(second).values()} == contents
    assert _mode(first.ca_key_file) == 0o600
    assert _mode(first.server_key_file) == 0o600


def test_server_certificate_covers_the_loopback_names(workspace: Workspace) -> None:
    pki = ensure_pki(workspace)
    ca, server = _cert(pki.ca_file), _cert(pki.server_cert_file)
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "PushSim Local CA"
    assert signed_by(server, ca)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_a_lost_ca_reissues_the_server_certificate(workspace: Workspace) -> None:
    pki = ensure_pki(workspace)
    old_server = pki.server_cert_file.read_bytes()
    pki.ca_key_file.unlink()
    ensure_pki(workspace)
    assert pki.server_cert_file.read_bytes() != old_server
    assert signed_by(_cert(pki.server_cert_file), _cert(pki.ca_file))


@contextlib.asynccontextmanager
async def _tls_server(context: object) -> AsyncIterator[tuple[int, asyncio.Queue[object]]]:
    seen: asyncio.Queue[object] = asyncio.Queue()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ssl_object = writer.get_extra_info("ssl_object")
        seen.put_nowait((ssl_object.selected_alpn_protocol(), ssl_object.getpeercert()))
        writer.write(b"ok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1], seen
    finally:
        server.close()
        await server.wait_closed()


async def _hello(port: int, pki: PkiMaterial, **kwargs: object) -> bytes:
    alpn = kwargs.pop("alpn", None)
    host = str(kwargs.pop("host", "127.0.0.1"))
    context = client_ssl_context(pki.ca_file, **kwargs)  # type: ignore[arg-type]
    if alpn:
        context.set_alpn_protocols(alpn)  # type: ignore[arg-type]
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=context, server_hostname=host
    )
    data = await reader.read()
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return data


async def test_alpn_is_offered_but_not_required(workspace: Workspace) -> None:
    pki = ensure_pki(workspace)
    async with _tls_server(server_ssl_context(pki, alpn=("h2",))) as (port, seen):
        assert await _hello(port, pki, alpn=["h2"]) == b"ok"
        assert (await seen.get())[0] == "h2"
        assert await _hello(port, pki, host="localhost") == b"ok"  # no ALPN at all
        assert (await seen.get())[0] is None


async def test_client_certificates_are_optional_and_verified(workspace: Workspace) -> None:
    pki = ensure_pki(workspace)
    creds = ensure_provider_credentials(workspace, pki)
    context = server_ssl_context(pki, client_ca=pki.ca_file)
    async with _tls_server(context) as (port, seen):
        cert = (creds.apns_client_cert_file, creds.apns_client_key_file)
        assert await _hello(port, pki, cert=cert) == b"ok"
        _, peer = await seen.get()
        assert (("userId", APNS_BUNDLE_ID),) in peer["subject"]
        assert await _hello(port, pki) == b"ok"  # token-auth clients bring no certificate
        assert not (await seen.get())[1]


def test_provider_credentials_are_complete_private_and_idempotent(workspace: Workspace) -> None:
    pki = ensure_pki(workspace)
    creds = ensure_provider_credentials(workspace, pki)
    account = json.loads(creds.fcm_service_account_file.read_text())
    assert account["type"] == "service_account"
    assert account["project_id"] == creds.fcm_project_id == "pushsim-demo"
    assert account["client_email"] == creds.fcm_client_email
    assert isinstance(creds.fcm_private_key(), rsa.RSAPrivateKey)
    assert creds.apns_key_file.name == "AuthKey_PUSHSIMK01.p8"
    assert creds.apns_key_file.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert isinstance(creds.apns_private_key().curve, ec.SECP256R1)
    for secret in (
        creds.fcm_service_account_file,
        creds.apns_key_file,
        creds.apns_client_key_file,
        creds.apns_client_bundle_file,
    ):
        assert _mode(secret) == 0o600, secret

    client = _cert(creds.apns_client_cert_file)
    assert client.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == APNS_BUNDLE_ID
    assert signed_by(client, _cert(pki.ca_file))
    usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    bundle = creds.apns_client_bundle_file.read_bytes()
    assert creds.apns_client_cert_file.read_bytes() in bundle
    assert serialization.load_pem_private_key(bundle, password=None)

    again = ensure_provider_credentials(workspace, pki)
    assert again == creds
    assert json.loads(creds.fcm_service_account_file.read_text()) == account


def test_token_uri_is_rewritten_and_the_key_kept(workspace: Workspace) -> None:
    pki = ensure_pki(workspace)
    creds = ensure_provider_credentials(workspace, pki)
    before = creds.service_account()
    write_service_account(creds, token_uri="https://127.0.0.1:4321/token")
    after = creds.service_account()
    assert after["token_uri"] == "https://127.0.0.1:4321/token"
    assert after["private_key"] == before["private_key"]
    assert _mode(creds.fcm_service_account_file) == 0o600
    assert not list(creds.fcm_service_account_file.parent.glob(".*.tmp"))
