"""Records as the API's JSON (camelCase, secrets redacted)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from core.protocol.errors import PushSimError
from core.service.sessions import Trace
from core.storage.records import (
    AuditRecord,
    AuthenticatorRecord,
    DomainRecord,
    PushAppRecord,
    RegistrationRecord,
    SessionRecord,
    UserRecord,
)


@cache
def _wire_names() -> dict[str, dict[str, str]]:
    text = resources.files("core.api").joinpath("views.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def record_json(view: str, record: object) -> dict[str, Any]:
    """``record`` by the wire names of ``views.toml``'s ``[view]`` (mappings as plain dicts)."""
    out: dict[str, Any] = {}
    for wire, attribute in _wire_names()[view].items():
        value = getattr(record, attribute)
        out[wire] = dict(value) if isinstance(value, Mapping) else value
    return out


def domain_json(domain: DomainRecord) -> dict[str, Any]:
    return record_json("domain", domain)


def _client_email(service_account: str | None) -> str | None:
    if not service_account:
        return None
    try:
        email = json.loads(service_account).get("client_email")
    except (ValueError, AttributeError):
        return None
    return email if isinstance(email, str) else None


def push_app_json(app: PushAppRecord) -> dict[str, Any]:
    """Never the keys themselves: only what identifies them."""
    out: dict[str, Any] = {
        "appID": app.app_id,
        "platform": app.platform,
        "endpoint": app.endpoint,
        "tokenURI": app.token_uri,
        "created": app.created,
    }
    if app.platform == "android":
        out["fcm"] = {
            "projectID": app.fcm_project_id,
            "clientEmail": _client_email(app.fcm_service_account),
            "hasServiceAccount": bool(app.fcm_service_account),
            "hasLegacyServerKey": bool(app.fcm_legacy_server_key),
        }
    else:
        out["apns"] = {
            "auth": app.apns_auth,
            "keyID": app.apns_key_id,
            "teamID": app.apns_team_id,
            "bundleID": app.apns_bundle_id,
            "topic": app.apns_topic,
            "environment": app.apns_environment,
            "hasKey": bool(app.apns_key_pem),
            "hasCertificate": bool(app.apns_cert_pem),
        }
    return out


def user_json(user: UserRecord) -> dict[str, Any]:
    return {
        "userID": user.user_id,
        "domain": user.domain,
        "hasPassword": user.password_hash is not None,
        "failedAttempts": user.failed_attempts,
        "locked": user.locked,
        "cooldownUntil": user.cooldown_until,
        "created": user.created,
    }


def authenticator_json(authenticator: AuthenticatorRecord) -> dict[str, Any]:
    push = None
    if authenticator.has_push_registration:
        push = {
            "platform": authenticator.push_platform,
            "appID": authenticator.push_app_id,
            "pushToken": authenticator.push_token,
        }
    out = record_json("authenticator", authenticator)
    return {**out, "pushRegistration": push}


def registration_json(registration: RegistrationRecord) -> dict[str, Any]:
    return record_json("registration", registration)


def session_status_json(session: SessionRecord) -> dict[str, Any]:
    """GET /v1/sessions/{id}: what a login client needs."""
    out: dict[str, Any] = {
        "requestID": session.request_id,
        "sessionStatus": session.status,
        "protection": session.protection,
    }
    if session.protection_used is not None:
        out["protectionUsed"] = session.protection_used
    if session.reason:
        out["reason"] = session.reason
    if session.number is not None:
        out["number"] = session.number
    return out


def session_json(session: SessionRecord) -> dict[str, Any]:
    """The admin's view of a session."""
    return record_json("session", session)


def audit_json(event: AuditRecord) -> dict[str, Any]:
    return record_json("audit", event)


def trace_json(trace: Trace) -> dict[str, Any]:
    return {
        **record_json("trace", trace.session),
        "events": [audit_json(e) for e in trace.events],
        "checks": trace.checks,
        "failedCheck": trace.failed_check,
    }


# The service names invalid input by record field; the API speaks the wire names.
WIRE_FIELDS = {
    "mobile_app_name": "mobileApplicationName",
    "request_method": "requestMethod",
    "push_timeout": "pushTimeout",
    "lockout_threshold": "lockoutThreshold",
    "push_rate_limit": "pushRateLimit",
    "push_rate_window": "pushRateWindow",
    "app_id": "appID",
    "token_uri": "tokenURI",
    "fcm_service_account": "fcm.serviceAccount",
    "apns_auth": "apns.auth",
    "apns_environment": "apns.environment",
    "user_id": "userID",
    "request_id": "requestID",
    "activation_type": "activationType",
    "response_message": "responseMessage",
    "remaining_attempts": "remainingAttempts",
    "retry_after": "retryAfter",
    "session_status": "sessionStatus",
}


def _wire(name: str) -> str:
    return WIRE_FIELDS.get(name, name)


def error_json(error: PushSimError) -> dict[str, Any]:
    """Any error of the family as the API's body, every field and extra by its wire name.

    The one place the API translates an error: the service names record
    fields (``push_timeout``, ``remaining_attempts``), the client reads
    ``pushTimeout`` and ``remainingAttempts``.
    """
    return {
        "message": error.reason,
        "validationErrors": [
            {**e, "field": _wire(e["field"])} if "field" in e else dict(e)
            for e in error.validation_errors
        ],
        **{_wire(key): value for key, value in error.extra.items()},
    }
