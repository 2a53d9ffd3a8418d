"""Records as the API's JSON (camelCase, secrets redacted)."""

from __future__ import annotations

import json
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


def domain_json(domain: DomainRecord) -> dict[str, Any]:
    return {
        "name": domain.name,
        "mobileApplicationName": domain.mobile_app_name,
        "requestMethod": domain.request_method,
        "keywords": dict(domain.keywords),
        "pushTimeout": domain.push_timeout,
        "lockoutThreshold": domain.lockout_threshold,
        "pollFallback": domain.poll_fallback,
        "numberMatching": domain.number_matching,
        "revealUnknownUsers": domain.reveal_unknown_users,
        "pushRateLimit": domain.push_rate_limit,
        "pushRateWindow": domain.push_rate_window,
        "created": domain.created,
    }


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
    return {
        "serialNumber": authenticator.serial,
        "userID": authenticator.user_id,
        "domain": authenticator.domain,
        "appKind": authenticator.app_kind,
        "platform": authenticator.platform,
        "status": authenticator.status,
        "pushRegistration": push,
        "registrationID": authenticator.registration_id,
        "created": authenticator.created,
        "activated": authenticator.activated,
    }


def registration_json(registration: RegistrationRecord) -> dict[str, Any]:
    return {
        "registrationID": registration.registration_id,
        "serialNumber": registration.serial,
        "userID": registration.user_id,
        "domain": registration.domain,
        "status": registration.status,
        "expires": registration.expires,
        "failedAttempts": registration.failed_attempts,
    }


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
    return {
        "requestID": session.request_id,
        "userID": session.user_id,
        "domain": session.domain,
        "serialNumber": session.serial,
        "sessionStatus": session.status,
        "reason": session.reason,
        "protection": session.protection,
        "keyword": session.keyword,
        "number": session.number,
        "clientIP": session.client_ip,
        "created": session.created,
        "expires": session.expires,
        "decided": session.decided,
        "pushState": session.push_state,
        "pushDetail": session.push_detail,
        "failedCheck": session.failed_check,
    }


def audit_json(event: AuditRecord) -> dict[str, Any]:
    return {
        "id": event.id,
        "requestID": event.request_id,
        "step": event.step,
        "kind": event.kind,
        "from": event.source,
        "to": event.target,
        "summary": event.summary,
        "raw": event.raw,
        "header": event.header,
        "body": event.body,
        "details": dict(event.details),
        "time": event.time,
    }


def trace_json(trace: Trace) -> dict[str, Any]:
    session = trace.session
    return {
        "requestID": session.request_id,
        "sessionStatus": session.status,
        "reason": session.reason,
        "userID": session.user_id,
        "domain": session.domain,
        "serialNumber": session.serial,
        "protection": session.protection,
        "created": session.created,
        "expires": session.expires,
        "decided": session.decided,
        "pushState": session.push_state,
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
