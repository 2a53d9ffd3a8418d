"""Request (type 3) and response (type 4) bodies."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from core.protocol.errors import InvalidMessageBody
from core.protocol.keys import UnlockProtection
from core.protocol.messages import (
    ChallengeRequest,
    ChallengeResponse,
    Decision,
    RequestContext,
    new_challenge,
)
from core.protocol.signature import verify_signature

PIN_KEY = bytes(range(32))
REQUEST = ChallengeRequest(
    request_id="req-1",
    challenge="00112233445566778899aabbccddeeff",
    user_id="alice",
    domain="demo",
    serial="PS12345678",
    protection=UnlockProtection.PIN,
    expires=1700000060.0,
    context=RequestContext(client_ip="192.0.2.10", time=1700000000.0),
)


def _response(**kw: Any) -> ChallengeResponse:
    args: dict[str, Any] = {
        "request": REQUEST,
        "decision": Decision.ACCEPT,
        "protection": UnlockProtection.PIN,
        "instance_key": PIN_KEY,
        "now": 1700000010.0,
    }
    args.update(kw)
    return ChallengeResponse.create(**args)


def test_new_challenge_is_128_random_bits() -> None:
    challenges = {new_challenge() for _ in range(100)}
    assert len(challenges) == 100
    assert all(len(c) == 32 and int(c, 16) >= 0 and c == c.lower() for c in challenges)


def test_request_json_keys_and_round_trip() -> None:
    body = REQUEST.to_bytes()
    assert list(json.loads(body)) == [
        "v",
        "requestID",
        "challenge",
        "userID",
        "domain",
        "serialNumber",
        "protection",
        "expires",
        "title",
        "subject",
        "context",
    ]
    assert json.loads(body)["context"] == {"clientIP": "192.0.2.10", "time": 1700000000.0}
    assert json.loads(body)["title"] == "Transaction Request"
    assert ChallengeRequest.from_bytes(body) == REQUEST


def test_request_numbers_only_when_number_matching_is_on() -> None:
    with_numbers = dataclasses.replace(REQUEST, numbers=(12, 47, 83))
    assert json.loads(with_numbers.to_bytes())["numbers"] == [12, 47, 83]
    assert ChallengeRequest.from_bytes(with_numbers.to_bytes()) == with_numbers
    assert "numbers" not in json.loads(REQUEST.to_bytes())


def test_response_is_signed_over_the_other_fields() -> None:
    response = _response()
    assert response.signed_fields() == {
        "v": 1,
        "requestID": "req-1",
        "challenge": REQUEST.challenge,
        "decision": "accept",
        "protection": "pin",
        "time": 1700000010.0,
    }
    assert verify_signature(PIN_KEY, response.signed_fields(), response.signature)
    assert ChallengeResponse.from_bytes(response.to_bytes()) == response
    assert json.loads(response.to_bytes())["signature"] == response.signature


def test_number_is_signed_when_present() -> None:
    response = _response(number=47)
    assert response.signed_fields()["number"] == 47
    tampered = dataclasses.replace(response, number=12)
    assert not verify_signature(PIN_KEY, tampered.signed_fields(), tampered.signature)


def test_integer_time_from_another_language_verifies() -> None:
    response = _response(now=1700000010.0)
    body = json.loads(response.to_bytes())
    body["time"] = 1700000010  # e.g. a phone whose JSON library writes integers
    parsed = ChallengeResponse.from_bytes(json.dumps(body).encode())
    assert verify_signature(PIN_KEY, parsed.signed_fields(), parsed.signature)


def _mutated(base: dict[str, Any], **changes: Any) -> bytes:
    body = {**base, **changes}
    return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()


RESPONSE_BASE = json.loads(_response().to_bytes())
REQUEST_BASE = json.loads(REQUEST.to_bytes())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"v":1,"v":1}',
        b"{" * 5000,
        _mutated(RESPONSE_BASE, v=2),
        _mutated(RESPONSE_BASE, v=True),
        _mutated(RESPONSE_BASE, v=1.0),
        _mutated(RESPONSE_BASE, challenge="0011"),  # < 128 bits
        _mutated(RESPONSE_BASE, challenge=RESPONSE_BASE["challenge"].upper()),
        _mutated(RESPONSE_BASE, decision="maybe"),
        _mutated(RESPONSE_BASE, protection="face"),
        _mutated(RESPONSE_BASE, time="now"),
        _mutated(RESPONSE_BASE, time=True),
        _mutated(RESPONSE_BASE, number=100),
        _mutated(RESPONSE_BASE, signature="12345"),
        _mutated(RESPONSE_BASE, signature=1234567890123456),
        _mutated(RESPONSE_BASE, requestID=""),
        _mutated(RESPONSE_BASE, requestID="a\nb"),
        _mutated(RESPONSE_BASE, signature=...),
        _mutated(RESPONSE_BASE, time=...),
        _mutated(RESPONSE_BASE, time=0).replace(b'"time": 0', b'"time": NaN'),
        b'{"v":1,"time":Infinity}',
    ],
)
def test_bad_response_bodies_raise_invalid_message_body(body: bytes) -> None:
    with pytest.raises(InvalidMessageBody) as info:
        ChallengeResponse.from_bytes(body)
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    "body",
    [
        _mutated(REQUEST_BASE, serialNumber="PS1"),
        _mutated(REQUEST_BASE, context="nowhere"),
        _mutated(REQUEST_BASE, context={"clientIP": "x"}),
        _mutated(REQUEST_BASE, context={"clientIP": 1, "time": 1.0}),
        _mutated(REQUEST_BASE, numbers=[1, 2, 300]),
        _mutated(REQUEST_BASE, numbers=[]),
        _mutated(REQUEST_BASE, numbers="12"),
        _mutated(REQUEST_BASE, numbers=[True]),
        _mutated(REQUEST_BASE, expires=None),
        _mutated(REQUEST_BASE, protection=...),
        _mutated(REQUEST_BASE, title="t" * 2000),
        _mutated(REQUEST_BASE, userID=""),
    ],
)
def test_bad_request_bodies_raise_invalid_message_body(body: bytes) -> None:
    with pytest.raises(InvalidMessageBody):
        ChallengeRequest.from_bytes(body)


def test_unknown_keys_are_ignored_for_forward_compatibility() -> None:
    body = _mutated(RESPONSE_BASE, future="field")
    assert ChallengeResponse.from_bytes(body) == _response()


def test_bodies_cannot_be_built_invalid() -> None:
    with pytest.raises(ValueError, match="challenge"):
        dataclasses.replace(REQUEST, challenge="xyz")
    with pytest.raises(ValueError, match="finite"):
        dataclasses.replace(REQUEST, expires=float("nan"))
    with pytest.raises(ValueError, match="maybe"):
        dataclasses.replace(_response(), decision="maybe")
    with pytest.raises(ValueError, match="signature"):
        dataclasses.replace(_response(), signature="not digits")


def test_lone_surrogates_smuggled_through_json_escapes_are_refused() -> None:
    # json.loads turns "\ud800" into a str that can never be encoded again.
    body = json.dumps({**REQUEST_BASE, "userID": "\ud800"}).encode()
    assert b"\\ud800" in body
    with pytest.raises(InvalidMessageBody, match="not valid Unicode"):
        ChallengeRequest.from_bytes(body)
