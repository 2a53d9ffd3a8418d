"""Every kind of event the core emits, named once.

Kinds are ``StrEnum`` members so readers that compare against, store or
serialise plain strings keep working, while emitters cannot misspell a kind.
"""

from __future__ import annotations

from enum import StrEnum


class CoreEvent(StrEnum):
    CORE_STARTED = "core.started"
    CORE_STOPPED = "core.stopped"
    LOGIN_RECEIVED = "login.received"
    LOGIN_REFUSED = "login.refused"
    CHALLENGE_CREATED = "challenge.created"
    CHALLENGE_FETCHED = "challenge.fetched"
    PUSH_ATTEMPT = "push.attempt"
    PUSH_RESULT = "push.result"
    PUSH_ENDED = "push.ended"  # the silent "request ended" notice to the phone
    RESPONSE_RECEIVED = "response.received"
    RESPONSE_REFUSED = "response.refused"
    SESSION_DECIDED = "session.decided"
    RATELIMIT_COOLDOWN = "ratelimit.cooldown"
    ACTIVATION_REGISTERED = "activation.registered"
    ACTIVATION_ACTIVATED = "activation.activated"
    ACTIVATION_DEVICE_ADDED = "activation.device_added"
    ACTIVATION_DEVICE_CODE_REFUSED = "activation.device_code_refused"
    ADMIN_DOMAIN_CREATED = "admin.domain_created"
    ADMIN_DOMAIN_UPDATED = "admin.domain_updated"
    ADMIN_PUSH_APP_SAVED = "admin.push_app_saved"
    ADMIN_USER_CREATED = "admin.user_created"
    ADMIN_USER_CHANGED = "admin.user_changed"
    AUTHENTICATOR_PUSH_REGISTERED = "authenticator.push_registered"
    AUTHENTICATOR_STATUS = "authenticator.status"
