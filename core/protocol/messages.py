"""The bodies of push-login messages: request (type 3) and response (type 4).

Both are UTF-8 JSON objects carried inside a Secure Channel message with
protection 0x01. They are frozen, keyword-only dataclasses validated in
``__post_init__`` (a body that exists is a body that is well formed);
``from_bytes`` parses strictly - UTF-8 only, no duplicate keys, no NaN, the
right JSON type for every field - and turns every problem into
``InvalidMessageBody``. Unknown keys are ignored so a newer peer may add fields.

The response signature covers ``signed_fields()`` - every field but
``signature`` - with the instance key of the protection the user unlocked with
(``core.protocol.signature``). A reject is signed with the device key.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from core.protocol.errors import InvalidMessageBody
from core.protocol.keys import UnlockProtection
from core.protocol.secure_channel import is_valid_serial
from core.protocol.signature import SIGNATURE_DIGITS, compute_signature

__all__ = [
    "BODY_VERSION",
    "ChallengeRequest",
    "ChallengeResponse",
    "Decision",
    "RequestContext",
    "new_challenge",
    "parse_json_object",
]

BODY_VERSION = 1
CHALLENGE_BYTES = 16  # SPEC §10: 128-bit challenges
MAX_BODY_LENGTH = 16 * 1024
_CHALLENGE = re.compile(r"(?:[0-9a-f]{2}){16,64}")
_SIGNATURE = re.compile(f"[0-9]{{{SIGNATURE_DIGITS}}}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_T = TypeVar("_T")


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


def new_challenge() -> str:
    """A fresh 128-bit challenge, lowercase hex."""
    return secrets.token_hex(CHALLENGE_BYTES)


# --- validation shared by both bodies -------------------------------------------------


def _text(value: object, name: str, *, max_length: int = 256, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    if (not value and not allow_empty) or len(value) > max_length:
        raise ValueError(f"{name} must be 1-{max_length} characters")
    # A JSON escape can smuggle in a lone surrogate (\ud800) that can never be
    # encoded again: refuse it here rather than fail when re-serialising.
    if _SURROGATE.search(value):
        raise ValueError(f"{name} is not valid Unicode")
    return value


def _finite(value: object, name: str) -> float:
    # bool is an int subclass; a JSON true is not a time.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite")
    return number


def _pick(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise ValueError(f"{name} must be an integer 0-99")
    return value


def _common(v: object, request_id: object, challenge: object) -> None:
    """What every body checks first: its version, request ID and challenge."""
    if not _is_version(v):
        raise ValueError(f"v must be {BODY_VERSION}")
    if not _text(request_id, "request_id", max_length=128).isprintable():
        raise ValueError("request_id must be printable")
    if not isinstance(challenge, str) or not _CHALLENGE.fullmatch(challenge):
        raise ValueError("challenge must be 32-128 lowercase hex digits")


def _is_version(value: object) -> bool:
    # type() rather than isinstance: neither True nor 1.0 is the integer 1 on the wire.
    return type(value) is int and value == BODY_VERSION


# --- strict JSON -----------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_json_object(data: bytes, kind: str = "message") -> dict[str, Any]:
    """Strictly parse a body into a JSON object; raises ``InvalidMessageBody``.

    Strict means: UTF-8, at most 16 KiB, no duplicate keys (two parsers must
    never read two different values), no NaN/Infinity, an object at the top.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("a message body is bytes")
    if len(data) > MAX_BODY_LENGTH:
        raise InvalidMessageBody(f"{kind} body too large")
    try:
        obj = json.loads(
            bytes(data).decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
        )
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidMessageBody(f"{kind} body is not valid UTF-8 JSON") from None
    if not isinstance(obj, dict):
        raise InvalidMessageBody(f"{kind} body is not a JSON object")
    return obj


def _load_object(data: bytes, kind: str) -> dict[str, Any]:
    obj = parse_json_object(data, kind)
    if not _is_version(obj.get("v")):
        raise InvalidMessageBody(f"{kind} body version must be {BODY_VERSION}")
    return obj


def _field(obj: Mapping[str, Any], key: str, kind: str) -> Any:
    if key not in obj:
        raise InvalidMessageBody(f"{kind} body lacks {key!r}")
    return obj[key]


def _build(kind: str, factory: type[_T], **kwargs: Any) -> _T:
    try:
        return factory(**kwargs)
    except (TypeError, ValueError) as exc:
        raise InvalidMessageBody(f"invalid {kind} body: {exc}") from None


def _dump(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


# --- request (type 3) ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """Where and when the login came from, shown on the phone."""

    client_ip: str
    time: float

    def __post_init__(self) -> None:
        _text(self.client_ip, "client_ip", max_length=128, allow_empty=True)
        object.__setattr__(self, "time", _finite(self.time, "context time"))


@dataclass(frozen=True, kw_only=True)
class ChallengeRequest:
    """What the core asks the phone: approve this login for this user, by then."""

    v: int = BODY_VERSION
    request_id: str
    challenge: str
    user_id: str
    domain: str
    serial: str
    protection: UnlockProtection
    expires: float
    title: str = "Transaction Request"
    subject: str = "Tap here to confirm transaction"
    context: RequestContext
    numbers: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        _common(self.v, self.request_id, self.challenge)
        _text(self.user_id, "user_id")
        _text(self.domain, "domain")
        if not is_valid_serial(self.serial):
            raise ValueError("serial must be 10 ASCII letters or digits")
        object.__setattr__(self, "protection", UnlockProtection(self.protection))
        object.__setattr__(self, "expires", _finite(self.expires, "expires"))
        _text(self.title, "title", max_length=1024, allow_empty=True)
        _text(self.subject, "subject", max_length=1024, allow_empty=True)
        if not isinstance(self.context, RequestContext):
            raise TypeError("context must be a RequestContext")
        if self.numbers is not None:
            if not isinstance(self.numbers, tuple | list) or not 1 <= len(self.numbers) <= 10:
                raise ValueError("numbers must be 1-10 choices")
            object.__setattr__(
                self, "numbers", tuple(_pick(n, "a number choice") for n in self.numbers)
            )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "v": self.v,
            "requestID": self.request_id,
            "challenge": self.challenge,
            "userID": self.user_id,
            "domain": self.domain,
            "serialNumber": self.serial,
            "protection": self.protection.value,
            "expires": self.expires,
            "title": self.title,
            "subject": self.subject,
            "context": {"clientIP": self.context.client_ip, "time": self.context.time},
        }
        if self.numbers is not None:
            out["numbers"] = list(self.numbers)
        return out

    def to_bytes(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_bytes(cls, data: bytes) -> ChallengeRequest:
        """Parse a decrypted type-3 body; raises ``InvalidMessageBody``."""
        kind = "request"
        obj = _load_object(data, kind)
        context = _field(obj, "context", kind)
        if not isinstance(context, dict):
            raise InvalidMessageBody("request body 'context' is not an object")
        numbers = obj.get("numbers")
        if numbers is not None and not isinstance(numbers, list):
            raise InvalidMessageBody("request body 'numbers' is not a list")
        return _build(
            kind,
            cls,
            request_id=_field(obj, "requestID", kind),
            challenge=_field(obj, "challenge", kind),
            user_id=_field(obj, "userID", kind),
            domain=_field(obj, "domain", kind),
            serial=_field(obj, "serialNumber", kind),
            protection=_field(obj, "protection", kind),
            expires=_field(obj, "expires", kind),
            title=_field(obj, "title", kind),
            subject=_field(obj, "subject", kind),
            context=_build(
                kind,
                RequestContext,
                client_ip=_field(context, "clientIP", kind),
                time=_field(context, "time", kind),
            ),
            numbers=None if numbers is None else tuple(numbers),
        )


# --- response (type 4) -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChallengeResponse:
    """What the phone answers: the user's decision, signed with an instance key."""

    v: int = BODY_VERSION
    request_id: str
    challenge: str
    decision: Decision
    protection: UnlockProtection
    time: float
    number: int | None = None
    signature: str

    def __post_init__(self) -> None:
        _common(self.v, self.request_id, self.challenge)
        object.__setattr__(self, "decision", Decision(self.decision))
        object.__setattr__(self, "protection", UnlockProtection(self.protection))
        object.__setattr__(self, "time", _finite(self.time, "time"))
        if self.number is not None:
            _pick(self.number, "number")
        if not isinstance(self.signature, str) or not _SIGNATURE.fullmatch(self.signature):
            raise ValueError(f"signature must be {SIGNATURE_DIGITS} decimal digits")

    def signed_fields(self) -> dict[str, Any]:
        """The JSON fields the signature covers (everything but ``signature``)."""
        out: dict[str, Any] = {
            "v": self.v,
            "requestID": self.request_id,
            "challenge": self.challenge,
            "decision": self.decision.value,
            "protection": self.protection.value,
            "time": self.time,
        }
        if self.number is not None:
            out["number"] = self.number
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**self.signed_fields(), "signature": self.signature}

    def to_bytes(self) -> bytes:
        return _dump(self.to_dict())

    @classmethod
    def from_bytes(cls, data: bytes) -> ChallengeResponse:
        """Parse a decrypted type-4 body; raises ``InvalidMessageBody``."""
        kind = "response"
        obj = _load_object(data, kind)
        return _build(
            kind,
            cls,
            request_id=_field(obj, "requestID", kind),
            challenge=_field(obj, "challenge", kind),
            decision=_field(obj, "decision", kind),
            protection=_field(obj, "protection", kind),
            time=_field(obj, "time", kind),
            number=obj.get("number"),
            signature=_field(obj, "signature", kind),
        )

    @classmethod
    def create(
        cls,
        *,
        request: ChallengeRequest,
        decision: Decision,
        protection: UnlockProtection,
        instance_key: bytes,
        now: float,
        number: int | None = None,
    ) -> ChallengeResponse:
        """Answer ``request`` and sign with ``instance_key`` (the key of ``protection``)."""
        unsigned = cls(
            request_id=request.request_id,
            challenge=request.challenge,
            decision=decision,
            protection=protection,
            time=now,
            number=number,
            signature="0" * SIGNATURE_DIGITS,  # placeholder: not part of the signed fields
        )
        signature = compute_signature(instance_key, unsigned.signed_fields())
        return dataclasses.replace(unsigned, signature=signature)
