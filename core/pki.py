"""The workspace's own TLS: a local CA and the loopback server certificate.

Every PushSim server (core, mock FCM, mock APNs) speaks real TLS on 127.0.0.1
with a certificate from a CA that PushSim generates once per workspace. A real
client only needs its trust store pointed at ``ca.pem`` (``SSL_CERT_FILE``,
``REQUESTS_CA_BUNDLE``, an ``ssl.SSLContext``) to talk to any of them.

``ensure_pki`` is idempotent: existing material is kept while it is valid and
regenerated when a file is missing, unreadable, about to expire, or no longer
signed by the CA. Private keys are written owner-only (``write_secret``).
Certificates follow the strict X.509 profile (key identifiers, critical key
usage) so that clients with ``VERIFY_X509_STRICT`` (Python 3.13+) accept them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.workspace import Workspace, write_public, write_secret

CA_NAME = "PushSim Local CA"
SERVER_NAME = "PushSim loopback server"
SERVER_HOSTS: tuple[str, ...] = ("127.0.0.1", "::1", "localhost")

CA_LIFETIME = dt.timedelta(days=3650)
LEAF_LIFETIME = dt.timedelta(days=397)  # the longest lifetime browsers accept for a leaf
RENEW_BEFORE = dt.timedelta(days=30)
# Certificates are back-dated a little so that a machine whose clock is slightly
# behind (or a phone with a clock offset) does not see them as not yet valid.
BACKDATE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PkiMaterial:
    ca_file: Path
    ca_key_file: Path
    server_cert_file: Path
    server_key_file: Path


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_private_key() -> ec.EllipticCurvePrivateKey:
    """P-256: fast to generate and accepted by every TLS stack we talk to."""
    return ec.generate_private_key(ec.SECP256R1())


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_certificate(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None


def _load_ec_key(path: Path) -> ec.EllipticCurvePrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    return key if isinstance(key, ec.EllipticCurvePrivateKey) else None


def _fresh(cert: x509.Certificate) -> bool:
    now = _utcnow()
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - RENEW_BEFORE > now


def _public_keys_match(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)


def signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    """True when ``ca`` issued ``cert`` (name and signature)."""
    if cert.issuer != ca.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _build_ca(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PushSim"),
        ]
    )
    now = _utcnow()
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_signing_usage(certifies=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _signing_usage(*, certifies: bool) -> x509.KeyUsage:
    """ECDSA keys only sign; a CA's also signs certificates and CRLs."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certifies,
        crl_sign=certifies,
        encipher_only=False,
        decipher_only=False,
    )


def issue_certificate(
    *,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    key: ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    usage: x509.ObjectIdentifier,
    hosts: Sequence[str] = (),
) -> x509.Certificate:
    """A leaf certificate for ``key`` signed by the workspace CA.

    ``usage`` is the extended key usage (server or client authentication);
    ``hosts`` become subjectAltNames (IP addresses or DNS names).
    """
    now = _utcnow()
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + LEAF_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_usage(certifies=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if hosts:
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def _server_cert_ok(
    cert: x509.Certificate | None, key: ec.EllipticCurvePrivateKey | None, ca: x509.Certificate
) -> bool:
    if cert is None or key is None or not _fresh(cert) or not signed_by(cert, ca):
        return False
    if not _public_keys_match(cert, key):
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    present |= set(san.get_values_for_type(x509.DNSName))
    return all(str(_normal_host(host)) in present for host in SERVER_HOSTS)


def _normal_host(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def load_ca(pki: PkiMaterial) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The CA certificate and key (to issue further certificates, e.g. client certs)."""
    cert = _load_certificate(pki.ca_file)
    key = _load_ec_key(pki.ca_key_file)
    if cert is None or key is None:
        raise FileNotFoundError(f"workspace CA missing or unreadable in {pki.ca_file.parent}")
    return cert, key


def ensure_pki(workspace: Workspace) -> PkiMaterial:
    """Create (or reuse) the workspace CA and the loopback server certificate."""
    folder = workspace.pki_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    pki = PkiMaterial(
        ca_file=folder / "ca.pem",
        ca_key_file=folder / "ca-key.pem",
        server_cert_file=folder / "server.pem",
        server_key_file=folder / "server-key.pem",
    )

    ca_cert = _load_certificate(pki.ca_file)
    ca_key = _load_ec_key(pki.ca_key_file)
    ca_ok = (
        ca_cert is not None
        and ca_key is not None
        and _fresh(ca_cert)
        and _public_keys_match(ca_cert, ca_key)
    )
    if not ca_ok or ca_cert is None or ca_key is None:
        ca_key = new_private_key()
        ca_cert = _build_ca(ca_key)
        write_secret(pki.ca_key_file, private_key_pem(ca_key))
        write_public(pki.ca_file, ca_cert.public_bytes(serialization.Encoding.PEM))

    server_cert = _load_certificate(pki.server_cert_file)
    server_key = _load_ec_key(pki.server_key_file)
    if not _server_cert_ok(server_cert, server_key, ca_cert):
        server_key = new_private_key()
        server_cert = issue_certificate(
            ca_cert=ca_cert,
            ca_key=ca_key,
            key=server_key,
            subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)]),
            usage=ExtendedKeyUsageOID.SERVER_AUTH,
            hosts=SERVER_HOSTS,
        )
        write_secret(pki.server_key_file, private_key_pem(server_key))
        write_public(pki.server_cert_file, server_cert.public_bytes(serialization.Encoding.PEM))
    return pki


class PromptCloseSSLObject(ssl.SSLObject):
    """A server-side TLS object that closes without waiting for the peer's close_notify.

    asyncio waits up to 30 s for the peer's close_notify when it closes a TLS
    connection; a client that keeps an idle pooled connection and never reads
    it (requests, httpx pools in another thread) would stall every server
    shutdown for that long. RFC 8446 §6.1 lets the closing side send its
    close_notify and go: that is what this does. Application data that the
    client still sends after our close_notify (an upload cut short by an early
    answer) is the client's quirk, not an error of ours: the close completes
    instead of raising ``APPLICATION_DATA_AFTER_CLOSE_NOTIFY`` into hypercorn
    and the asyncio logger.
    """

    def unwrap(self) -> None:
        try:
            super().unwrap()
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError as exc:
            if exc.reason != "APPLICATION_DATA_AFTER_CLOSE_NOTIFY":
                raise


def server_ssl_context(
    pki: PkiMaterial,
    *,
    alpn: Sequence[str] = ("h2", "http/1.1"),
    client_ca: Path | None = None,
) -> ssl.SSLContext:
    """A TLS server context for the loopback certificate.

    ALPN is offered, never required: a client that sends no ALPN extension
    (aioapns speaks HTTP/2 with prior knowledge) still connects. With
    ``client_ca`` a client certificate is requested and verified when sent
    (APNs certificate auth) but not required (APNs token auth on the same port).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.sslobject_class = PromptCloseSSLObject
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # RFC 9113 §9.2
    context.options |= ssl.OP_NO_COMPRESSION
    context.load_cert_chain(pki.server_cert_file, pki.server_key_file)
    if alpn:
        context.set_alpn_protocols(list(alpn))
    if client_ca is not None:
        context.load_verify_locations(cafile=str(client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context


def client_ssl_context(ca_file: Path, *, cert: tuple[Path, Path] | None = None) -> ssl.SSLContext:
    """A TLS client context trusting ``ca_file``; ``cert`` = (certificate, key) for mTLS."""
    context = ssl.create_default_context(cafile=str(ca_file))
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    return context
