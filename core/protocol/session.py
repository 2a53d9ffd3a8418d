"""The push-login session: a transition table, and the checks that decide it.

A session goes ``pending -> accepted | refused | timeout | failure`` exactly
once. ``TRANSITIONS`` is the whole lifecycle; a final status has no entries,
so any trigger there raises ``SessionOutdated`` ("session outdated: accepted").
Storage enforces the same rule with a conditional update, so two concurrent
answers cannot both win.

``validate_response`` is step 7 of the flow: it runs the named ``Check``\\ s in
the order of the enum, stops at the first failure, and returns a ``Verdict``
that says which checks ran, which one failed, and what the session becomes:

* the message cannot be trusted to speak for this session (bad tag, other
  serial, unknown or finished session, wrong challenge, replay) -> ``outcome``
  is ``None``: the session is unchanged and the caller answers with an error;
* it is authentic and fresh but not good enough (bad signature, protection
  weaker than required, wrong number) -> ``REFUSED``, reason naming the check;
* the session expired first -> ``TIMEOUT``; the authenticator is no longer
  active -> ``FAILURE``;
* everything holds -> ``ACCEPTED``, or ``REFUSED`` ("rejected by user") for a reject.

The caller needs the session before it can validate, and the request ID is
inside the encrypted body: the caller opens the message once
(``open_response`` -> ``Opened``, never raises for a bad message), reads the
request ID from it, loads the session and hands the same ``Opened`` value to
``validate_response``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.protocol.errors import InvalidMessageBody, SecureChannelError, SessionOutdated
from core.protocol.keys import AuthenticatorKeys, UnlockProtection, satisfies
from core.protocol.messages import ChallengeResponse, Decision
from core.protocol.secure_channel import (
    MessageType,
    Protection,
    SecureChannelHeader,
    is_valid_serial,
    open_message,
)
from core.protocol.signature import verify_signature

__all__ = [
    "FINAL_STATUSES",
    "OUTCOME_TRIGGERS",
    "REFUSAL_STATUS",
    "TRANSITIONS",
    "Check",
    "CheckResult",
    "Opened",
    "SessionFacts",
    "SessionStatus",
    "SessionTrigger",
    "Verdict",
    "next_status",
    "open_response",
    "request_id_of_response",
    "validate_response",
]


class SessionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    FAILURE = "failure"


FINAL_STATUSES = frozenset(
    {SessionStatus.ACCEPTED, SessionStatus.REFUSED, SessionStatus.TIMEOUT, SessionStatus.FAILURE}
)


class SessionTrigger(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    EXPIRE = "expire"
    FAIL = "fail"


TRANSITIONS: dict[SessionStatus, dict[SessionTrigger, SessionStatus]] = {
    SessionStatus.PENDING: {
        SessionTrigger.ACCEPT: SessionStatus.ACCEPTED,
        SessionTrigger.REFUSE: SessionStatus.REFUSED,
        SessionTrigger.EXPIRE: SessionStatus.TIMEOUT,
        SessionTrigger.FAIL: SessionStatus.FAILURE,
    },
    # Final statuses accept nothing: that is what "exactly once" means.
    SessionStatus.ACCEPTED: {},
    SessionStatus.REFUSED: {},
    SessionStatus.TIMEOUT: {},
    SessionStatus.FAILURE: {},
}

# The trigger that leads to each outcome a Verdict can carry.
OUTCOME_TRIGGERS: dict[SessionStatus, SessionTrigger] = {
    target: trigger for trigger, target in TRANSITIONS[SessionStatus.PENDING].items()
}


def next_status(status: SessionStatus, trigger: SessionTrigger) -> SessionStatus:
    """Look the transition up; raises ``SessionOutdated`` if ``status`` is final."""
    status, trigger = SessionStatus(status), SessionTrigger(trigger)
    try:
        return TRANSITIONS[status][trigger]
    except KeyError:
        raise SessionOutdated(status) from None


class Check(StrEnum):
    """The validation checks of SPEC §2.3, in the order they run."""

    SECURE_CHANNEL_TAG = "secure_channel_tag"
    SERIAL_MATCHES = "serial_matches"
    SESSION_EXISTS = "session_exists"
    SESSION_PENDING = "session_pending"
    NOT_EXPIRED = "not_expired"
    CHALLENGE_MATCHES = "challenge_matches"
    SIGNATURE_VALID = "signature_valid"
    PROTECTION_SUFFICIENT = "protection_sufficient"
    NONCE_FRESH = "nonce_fresh"
    AUTHENTICATOR_ACTIVE = "authenticator_active"
    NUMBER_MATCHES = "number_matches"


# The one refusal table: what the device API answers when a check fails
# without deciding the session (the service maps the status to its error).
REFUSAL_STATUS: dict[Check, int] = {
    Check.SECURE_CHANNEL_TAG: 400,
    Check.SERIAL_MATCHES: 403,
    Check.SESSION_EXISTS: 404,
    Check.SESSION_PENDING: 409,
    Check.CHALLENGE_MATCHES: 400,
    Check.NONCE_FRESH: 403,
}


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    check: Check
    passed: bool
    detail: str


@dataclass(frozen=True, kw_only=True)
class SessionFacts:
    """What validation needs to know about the session the response names."""

    request_id: str
    serial: str
    challenge: str
    status: SessionStatus
    required_protection: UnlockProtection
    expires: float
    number: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.request_id, str) or not isinstance(self.challenge, str):
            raise TypeError("request_id and challenge must be strings")
        if not is_valid_serial(self.serial):
            raise ValueError("serial must be 10 ASCII letters or digits")
        object.__setattr__(self, "status", SessionStatus(self.status))
        object.__setattr__(self, "required_protection", UnlockProtection(self.required_protection))
        if not math.isfinite(self.expires):
            raise ValueError("expires must be finite")


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The result of ``validate_response``: for the session, the trace and the HTTP answer."""

    checks: tuple[CheckResult, ...]
    failed: Check | None
    outcome: SessionStatus | None
    response: ChallengeResponse | None
    reason: str
    header: SecureChannelHeader | None = None

    def __post_init__(self) -> None:
        failures = [c.check for c in self.checks if not c.passed]
        if failures != ([] if self.failed is None else [self.failed]):
            raise ValueError("failed must name the one failing check")
        if self.outcome is SessionStatus.PENDING:
            raise ValueError("a verdict never leaves a session pending by deciding it")

    @property
    def http_status(self) -> int:
        """200 when the message decided the session, else the 4xx for the failed check."""
        if self.outcome is not None or self.failed is None:
            return 200
        return REFUSAL_STATUS[self.failed]


@dataclass(frozen=True, kw_only=True)
class Opened:
    """A type-4 message opened once: its authentic header, its body (or why it is bad), the keys.

    The service opens the answer once, reads the request ID from it to find
    the session, and hands the same value to ``validate_response``: the tag is
    verified, the body decrypted and the header parsed exactly once.
    """

    header: SecureChannelHeader
    body: ChallengeResponse | str
    keys: AuthenticatorKeys

    @property
    def response(self) -> ChallengeResponse | None:
        return self.body if isinstance(self.body, ChallengeResponse) else None

    @property
    def request_id(self) -> str | None:
        return None if self.response is None else self.response.request_id


def open_response(message: str, keys: AuthenticatorKeys) -> Opened | None:
    """Open a type-4 message; ``None`` when it is not authentic (a remote fault, never raised).

    ``message`` must be a string: the API checks that at its boundary, so a
    ``TypeError`` here is a local bug and is not disguised as a bad tag.
    """
    try:
        opened = open_message(
            message, keys=keys.device_to_server, expected_type=MessageType.RESPONSE
        )
    except SecureChannelError:
        return None
    body: ChallengeResponse | str
    if opened.protection is not Protection.ENCRYPT_AND_MAC:
        body = "response not encrypted (protection must be 0x01)"
    else:
        try:
            body = ChallengeResponse.from_bytes(opened.body)
        except InvalidMessageBody as exc:
            body = exc.reason
    return Opened(header=opened.header, body=body, keys=keys)


def request_id_of_response(message: str | Opened | None, *, keys: AuthenticatorKeys) -> str | None:
    """The request ID an authentic response names, or ``None`` (a bad message never raises)."""
    opened = open_response(message, keys) if isinstance(message, str) else message
    return None if opened is None else opened.request_id


def validate_response(
    *,
    message: str | Opened | None,
    authenticator_serial: str,
    authenticator_active: bool,
    keys: AuthenticatorKeys,
    session: SessionFacts | None,
    nonce_is_fresh: Callable[[str, bytes], bool],
    now: float,
) -> Verdict:
    """Run every check in ``Check`` order; see the module docstring for outcomes.

    ``message`` is the hex message or the ``Opened`` value the caller already
    made of it (``None``: it did not open). ``nonce_is_fresh(serial, nonce)``
    must remember the nonce (it is called only for messages that are about to
    decide the session).
    """
    results: list[CheckResult] = []
    header: SecureChannelHeader | None = None
    response: ChallengeResponse | None = None

    def ok(check: Check, detail: str) -> None:
        results.append(CheckResult(check=check, passed=True, detail=detail))

    def fail(check: Check, detail: str, outcome: SessionStatus | None) -> Verdict:
        results.append(CheckResult(check=check, passed=False, detail=detail))
        return Verdict(
            checks=tuple(results),
            failed=check,
            outcome=outcome,
            response=response,
            reason=detail,
            header=header,
        )

    if not (message is None or isinstance(message, str | Opened)):
        raise TypeError("message must be a hex string or an Opened response")
    opened = open_response(message, keys) if isinstance(message, str) else message
    if opened is None:
        return fail(Check.SECURE_CHANNEL_TAG, SecureChannelError.MESSAGE, None)
    header, body = opened.header, opened.body
    if isinstance(body, str):
        return fail(Check.SECURE_CHANNEL_TAG, f"authentic message, invalid body: {body}", None)
    response = body
    ok(Check.SECURE_CHANNEL_TAG, "tag verified before decryption; body decrypted and parsed")

    serial = header.serial
    if serial != authenticator_serial or serial != keys.serial:
        return fail(Check.SERIAL_MATCHES, f"serial {serial} is not {authenticator_serial}", None)
    if session is not None and session.serial != serial:
        detail = f"serial {serial} is not the session's authenticator {session.serial}"
        return fail(Check.SERIAL_MATCHES, detail, None)
    ok(Check.SERIAL_MATCHES, f"serial {serial}")

    if session is None or session.request_id != response.request_id:
        return fail(Check.SESSION_EXISTS, f"no session {response.request_id!r}", None)
    ok(Check.SESSION_EXISTS, f"session {session.request_id}")

    if session.status is not SessionStatus.PENDING:
        return fail(Check.SESSION_PENDING, str(SessionOutdated(session.status)), None)
    ok(Check.SESSION_PENDING, "session pending")

    if now >= session.expires:
        detail = "expired: the answer came after the push timeout"
        return fail(Check.NOT_EXPIRED, detail, SessionStatus.TIMEOUT)
    ok(Check.NOT_EXPIRED, f"{session.expires - now:.1f} s left")

    if not hmac.compare_digest(response.challenge.encode(), session.challenge.encode()):
        return fail(Check.CHALLENGE_MATCHES, "challenge does not match the session's", None)
    ok(Check.CHALLENGE_MATCHES, "challenge matches")

    used = response.protection
    if not verify_signature(keys.instance_keys[used], response.signed_fields(), response.signature):
        detail = f"signature does not verify with the {used} instance key"
        return fail(Check.SIGNATURE_VALID, detail, SessionStatus.REFUSED)
    ok(Check.SIGNATURE_VALID, f"signed with the {used} instance key")

    required = session.required_protection
    if response.decision is Decision.REJECT:
        ok(Check.PROTECTION_SUFFICIENT, "a reject needs no unlock")
    elif not satisfies(used, required):
        detail = f"protection insufficient: {required} required, {used} used"
        return fail(Check.PROTECTION_SUFFICIENT, detail, SessionStatus.REFUSED)
    else:
        ok(Check.PROTECTION_SUFFICIENT, f"{used} satisfies {required}")

    if not nonce_is_fresh(serial, header.nonce):
        return fail(Check.NONCE_FRESH, "replayed message: nonce seen before", None)
    ok(Check.NONCE_FRESH, "nonce not seen before")

    if not authenticator_active:
        return fail(Check.AUTHENTICATOR_ACTIVE, "authenticator not active", SessionStatus.FAILURE)
    ok(Check.AUTHENTICATOR_ACTIVE, "authenticator active")

    if response.decision is Decision.REJECT:
        ok(Check.NUMBER_MATCHES, "no number needed for a reject")
    elif session.number is None:
        ok(Check.NUMBER_MATCHES, "number matching off")
    elif response.number != session.number:
        return fail(Check.NUMBER_MATCHES, "wrong number picked", SessionStatus.REFUSED)
    else:
        ok(Check.NUMBER_MATCHES, "number matches")

    if response.decision is Decision.ACCEPT:
        outcome, reason = SessionStatus.ACCEPTED, f"approved with {used}"
    else:
        outcome, reason = SessionStatus.REFUSED, "rejected by user"
    return Verdict(
        checks=tuple(results),
        failed=None,
        outcome=outcome,
        response=response,
        reason=reason,
        header=header,
    )
