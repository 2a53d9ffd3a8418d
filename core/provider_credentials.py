"""Provider credentials for the mock FCM and APNs, as a customer would hold them.

A workspace carries one demo set, generated on first start:

- an FCM **service-account JSON** (RSA key, ``client_email``, ``token_uri``);
  ``token_uri`` points at the mock FCM's OAuth endpoint and is rewritten on
  every start because the mock listens on a free port;
- an APNs **token key** (``AuthKey_<keyID>.p8``, PKCS#8 PEM, P-256) with its
  key ID and team ID, for ES256 provider tokens;
- an APNs **client certificate** signed by the workspace CA whose subject UID is
  the bundle ID (certificate auth: the topic comes from the certificate), plus
  the same certificate and key in one PEM for clients that want a single file.

Private material is written owner-only. Everything is idempotent: existing
keys are reused; the client certificate is re-issued when the CA changed.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.pki import (
    PkiMaterial,
    issue_certificate,
    load_ca,
    new_private_key,
    private_key_pem,
    signed_by,
)
from core.workspace import Workspace, write_public, write_secret

FCM_PROJECT_ID = "pushsim-demo"
FCM_ANDROID_APP_ID = "com.pushsim.authenticator"
APNS_BUNDLE_ID = "com.pushsim.sdkdemo"
APNS_TEAM_ID = "PUSHSIMTM1"
APNS_KEY_ID = "PUSHSIMK01"

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
SERVICE_ACCOUNT_FILE = "fcm-service-account.json"
APNS_CLIENT_CERT_FILE = "apns-client-cert.pem"
APNS_CLIENT_KEY_FILE = "apns-client-key.pem"
APNS_CLIENT_BUNDLE_FILE = "apns-client.pem"


@dataclass(frozen=True)
class ProviderCredentials:
    fcm_project_id: str
    fcm_service_account_file: Path
    fcm_client_email: str
    apns_team_id: str
    apns_key_id: str
    apns_key_file: Path
    apns_bundle_id: str
    apns_client_cert_file: Path
    apns_client_key_file: Path

    @property
    def apns_client_bundle_file(self) -> Path:
        """Client certificate and key in one PEM (aioapns ``client_cert=``, curl ``--cert``)."""
        return self.apns_client_cert_file.with_name(APNS_CLIENT_BUNDLE_FILE)

    def service_account(self) -> dict[str, Any]:
        """The service-account JSON as a dict (contains the private key: keep it out of logs)."""
        data: dict[str, Any] = json.loads(self.fcm_service_account_file.read_text("utf-8"))
        return data

    def fcm_private_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(
            self.service_account()["private_key"].encode("ascii"), password=None
        )
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the FCM service account does not hold an RSA key")
        return key

    def apns_private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.apns_key_file.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the APNs token key is not an EC key")
        return key


def _service_account_email(project_id: str) -> str:
    return f"firebase-adminsdk-pushsim@{project_id}.iam.gserviceaccount.com"


def _new_service_account(project_id: str) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    email = _service_account_email(project_id)
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(secrets.randbelow(9 * 10**20) + 10**20),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": GOOGLE_TOKEN_URI,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": (
            "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40")
        ),
        "universe_domain": "googleapis.com",
    }


def _readable_service_account(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        key = serialization.load_pem_private_key(data["private_key"].encode(), password=None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey) or not isinstance(data.get("client_email"), str):
        return None
    return data if isinstance(data, dict) else None


def _write_json_secret(path: Path, data: dict[str, Any]) -> None:
    """Replace a secret JSON file atomically, so a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    write_secret(temporary, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    os.replace(temporary, path)


def _ensure_apns_key(path: Path) -> None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
            return
    except (OSError, ValueError, TypeError):
        pass
    write_secret(path, private_key_pem(new_private_key()))


def _ensure_client_certificate(
    pki: PkiMaterial, cert_path: Path, key_path: Path, bundle_path: Path, bundle_id: str
) -> None:
    ca_cert, ca_key = load_ca(pki)
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        uids = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
        if (
            signed_by(cert, ca_cert)
            and isinstance(key, ec.EllipticCurvePrivateKey)
            and uids
            and uids[0].value == bundle_id
            and bundle_path.exists()
        ):
            return
    except (OSError, ValueError, TypeError):
        pass
    key = new_private_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.USER_ID, bundle_id),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Apple Push Services: {bundle_id}"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, APNS_TEAM_ID),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PushSim"),
        ]
    )
    cert = issue_certificate(
        ca_cert=ca_cert,
        ca_key=ca_key,
        key=key,
        subject=subject,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = private_key_pem(key)
    write_secret(key_path, key_pem)
    write_public(cert_path, cert_pem)
    write_secret(bundle_path, cert_pem + key_pem)


def ensure_provider_credentials(workspace: Workspace, pki: PkiMaterial) -> ProviderCredentials:
    """Create (or reuse) the demo FCM service account and APNs key and certificate."""
    folder = workspace.credentials_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    account_file = folder / SERVICE_ACCOUNT_FILE
    account = _readable_service_account(account_file)
    if account is None:
        account = _new_service_account(FCM_PROJECT_ID)
        _write_json_secret(account_file, account)

    creds = ProviderCredentials(
        fcm_project_id=str(account.get("project_id", FCM_PROJECT_ID)),
        fcm_service_account_file=account_file,
        fcm_client_email=str(account["client_email"]),
        apns_team_id=APNS_TEAM_ID,
        apns_key_id=APNS_KEY_ID,
        apns_key_file=folder / f"AuthKey_{APNS_KEY_ID}.p8",
        apns_bundle_id=APNS_BUNDLE_ID,
        apns_client_cert_file=folder / APNS_CLIENT_CERT_FILE,
        apns_client_key_file=folder / APNS_CLIENT_KEY_FILE,
    )
    _ensure_apns_key(creds.apns_key_file)
    _ensure_client_certificate(
        pki,
        creds.apns_client_cert_file,
        creds.apns_client_key_file,
        creds.apns_client_bundle_file,
        creds.apns_bundle_id,
    )
    return creds


def write_service_account(creds: ProviderCredentials, *, token_uri: str) -> None:
    """Point the service account's ``token_uri`` at the (mock) OAuth endpoint."""
    account = creds.service_account()
    if account.get("token_uri") == token_uri:
        return
    account["token_uri"] = token_uri
    _write_json_secret(creds.fcm_service_account_file, account)
