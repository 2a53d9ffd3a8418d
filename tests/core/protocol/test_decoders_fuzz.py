"""Every decoder of peer input, fed at least 10,000 distinct random and mutated inputs.

The property is the pyca one: a decoder either returns a value or raises its
one documented error - never ``IndexError``, ``UnicodeDecodeError``,
``KeyError`` or a crash - and a protected message that was changed in any way
never opens. Inputs are mostly *mutations of valid messages* (bit flips, byte
changes, truncation, extension, insertion, deletion, splicing, case changes),
so the fuzzer gets past the framing into tag checks and JSON parsing, plus
plain random bytes and text.

Budget: Hypothesis costs about a millisecond per example before the test body
runs, so 8 decoders x 10,000 plain examples would take minutes. Each input
generator is therefore written once against a small ``Chooser`` interface and
run two ways: by Hypothesis (``Drawn``: structure-aware, shrinkable) for the
first input of every example, and by a ``random.Random`` seeded from the
choices Hypothesis made for that example (``Seeded``: cheap, reproducible)
for the other ``BATCH - 1``; a failure names the exact input in a note.
``_run_fuzz`` counts what really reached the decoder and asserts at least
10,000 *distinct* inputs per decoder. Runs are derandomised and
database-less: the same inputs every time, no files written, no flakiness.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.protocol.activation import (
    accept_device_code,
    begin_device_activation,
    finish_device_activation,
    read_activation_message1,
    start_server_activation,
)
from core.protocol.errors import (
    ActivationError,
    InvalidMessageBody,
    PasskeyError,
    SecureChannelError,
)
from core.protocol.keys import UnlockProtection
from core.protocol.messages import ChallengeRequest, ChallengeResponse, Decision, RequestContext
from core.protocol.passkey import RequestMethod, split_passkey
from core.protocol.secure_channel import (
    ChannelKeys,
    MessageType,
    Protection,
    open_message,
    peek_header,
    seal,
)

T = TypeVar("T")
INPUTS = 10_000  # distinct inputs per decoder, at least
EXAMPLES = 640
BATCH = 20  # 12,800 inputs per decoder: mutations sometimes coincide (~88% distinct)
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- who makes the choices -------------------------------------------------------------


class Chooser(Protocol):
    def int(self, lo: int, hi: int) -> int: ...
    def pick(self, items: Sequence[T]) -> T: ...
    def blob(self, lo: int, hi: int) -> bytes: ...
    def char(self) -> str: ...
    def text(self, lo: int, hi: int) -> str: ...
    def real(self) -> float: ...


class Drawn:
    """Hypothesis chooses: shrinkable, and it hunts for boundary values."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.choices: list[object] = []  # every choice made, to seed the batch
        self._raw_draw = draw

    def _draw(self, strategy: st.SearchStrategy[T]) -> T:
        value = self._raw_draw(strategy)
        self.choices.append(value)
        return value

    def int(self, lo: int, hi: int) -> int:
        return self._draw(st.integers(lo, hi))

    def pick(self, items: Sequence[T]) -> T:
        return self._draw(st.sampled_from(items))

    def blob(self, lo: int, hi: int) -> bytes:
        return self._draw(st.binary(min_size=lo, max_size=hi))

    def char(self) -> str:
        return self._draw(st.characters())

    def text(self, lo: int, hi: int) -> str:
        return self._draw(st.text(min_size=lo, max_size=hi))

    def real(self) -> float:
        return self._draw(st.floats(allow_nan=False, allow_infinity=False))


# Characters that matter to the decoders, then anything (lone surrogates included).
_CHARS = [*"0123456789abcdefABCDEF-", " ", "\t", "\n", "\x00", "é", "ü", "０", "\u202e", "\ud800"]


class Seeded:
    """``random.Random`` chooses: a hundred times cheaper than Hypothesis."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def int(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)

    def pick(self, items: Sequence[T]) -> T:
        return self._rng.choice(items)

    def blob(self, lo: int, hi: int) -> bytes:
        return self._rng.randbytes(self._rng.randint(lo, hi))

    def char(self) -> str:
        if self._rng.random() < 0.7:
            return self._rng.choice(_CHARS)
        return chr(self._rng.randrange(0x110000))

    def text(self, lo: int, hi: int) -> str:
        return "".join(self.char() for _ in range(self._rng.randint(lo, hi)))

    def real(self) -> float:
        return self._rng.choice([-0.0, 1e308, 5e-324, 1.7e9, *[self._rng.uniform(-1e10, 1e10)] * 6])


def _run_fuzz(make: Callable[[Chooser], T], check: Callable[[T], None]) -> None:
    """Feed ``check`` EXAMPLES * BATCH inputs from ``make``; prove INPUTS distinct ones ran."""
    seen: list[str] = []

    @st.composite
    def native(draw: st.DrawFn) -> tuple[T, str]:
        drawn = Drawn(draw)
        return make(drawn), repr(drawn.choices)

    # The batch is seeded from every choice Hypothesis made for this example
    # (which it never repeats), not from the value: different choices often
    # give the same value, and a repeated seed would repeat the whole batch.
    @FUZZ
    @given(native())
    def run(example: tuple[T, str]) -> None:
        first, choices = example
        chooser = Seeded(random.Random(choices.encode("utf-8", "surrogatepass")))
        for value in [first, *(make(chooser) for _ in range(BATCH - 1))]:
            seen.append(repr(value))
            try:
                check(value)
            except BaseException as exc:
                exc.add_note(f"fuzz input: {value!r}")
                raise

    run()
    assert len(seen) == EXAMPLES * BATCH
    assert len(set(seen)) >= INPUTS  # distinct inputs, not a few repeated


# --- seeds: valid inputs to mutate -----------------------------------------------------

KEYS = ChannelKeys(enc_key=bytes(range(16)), mac_key=bytes(range(32, 64)))
REQUEST = ChallengeRequest(
    request_id="req-1",
    challenge="00112233445566778899aabbccddeeff",
    user_id="alice",
    domain="demo",
    serial="PS12345678",
    protection=UnlockProtection.PIN,
    expires=1700000060.0,
    context=RequestContext(client_ip="192.0.2.10", time=1700000000.0),
    numbers=(12, 47, 83),
)
RESPONSE = ChallengeResponse.create(
    request=REQUEST,
    decision=Decision.ACCEPT,
    protection=UnlockProtection.PIN,
    instance_key=bytes(32),
    now=1700000010.0,
    number=47,
)
CHANNEL_SEEDS = [
    bytes.fromhex(seal(type=t, protection=p, serial="PS12345678", body=b, keys=KEYS))
    for t, p, b in [
        (MessageType.REQUEST, Protection.ENCRYPT_AND_MAC, REQUEST.to_bytes()),
        (MessageType.RESPONSE, Protection.MAC_ONLY, RESPONSE.to_bytes()),
        (MessageType.INFORMATION, Protection.NONE, b'{"v":1}'),
        (MessageType.ACTIVATION, Protection.ENCRYPT_AND_MAC, b""),
    ]
]
PROTECTED_SEEDS = {s for s in CHANNEL_SEEDS if s[2] != Protection.NONE}

SERVER_STATE, MESSAGE1 = start_server_activation(
    serial="PS12345678",
    user_id="alice",
    domain="demo",
    registration_id="reg-1",
    activation_password="ABCD-EFGH-JKLM",
)
DEVICE_STATE, DEVICE_CODE = begin_device_activation(SERVER_STATE.offer, "ABCD-EFGH-JKLM")
_, MESSAGE2 = accept_device_code(SERVER_STATE, DEVICE_CODE)


# --- input generators, each written once for both choosers -----------------------------

# Weighted: truncation and case swaps collapse many inputs into one, so they are rarer.
_BYTE_OPS = ["flip"] * 3 + ["set"] * 3 + ["insert", "delete"] * 2 + ["extend", "cut", "splice"]
_TEXT_OPS = ["replace"] * 3 + ["insert"] * 3 + ["delete"] * 2 + ["cut", "case"]


def mutate_bytes(c: Chooser, seeds: Sequence[bytes]) -> bytes:
    data = bytearray(c.pick(seeds))
    for _ in range(c.int(1, 3)):
        op, pos = c.pick(_BYTE_OPS), c.int(0, max(len(data) - 1, 0))
        if op == "flip" and data:
            data[pos] ^= 1 << c.int(0, 7)
        elif op == "set" and data:
            data[pos] = c.int(0, 255)
        elif op == "cut":
            del data[pos:]
        elif op == "extend":
            data += c.blob(1, 16)
        elif op == "insert":
            data[pos:pos] = c.blob(1, 8)
        elif op == "delete":
            del data[pos : pos + c.int(1, 8)]
        elif op == "splice":  # a tail of any seed, from anywhere in it
            other = c.pick(seeds)
            data[pos:] = other[c.int(0, len(other)) :]
    return bytes(data)


def mutate_text(c: Chooser, seeds: Sequence[str]) -> str:
    text = list(c.pick(seeds))
    for _ in range(c.int(1, 3)):
        op, pos = c.pick(_TEXT_OPS), c.int(0, max(len(text) - 1, 0))
        if op == "replace" and text:
            text[pos] = c.char()
        elif op == "insert":
            text.insert(pos, c.char())
        elif op == "delete" and text:
            del text[pos]
        elif op == "cut":
            del text[pos:]
        elif op == "case":  # swap the case of a stretch
            end = pos + c.int(1, 40)
            text[pos:end] = "".join(text[pos:end]).swapcase()
    return "".join(text)


def wire(c: Chooser, seeds: Sequence[bytes]) -> str | bytes:
    """What a message decoder may be handed: raw bytes or hex text, mostly near-valid."""
    kind = c.int(0, 9)
    if kind < 3:
        return mutate_bytes(c, seeds)
    if kind < 5:
        return mutate_bytes(c, seeds).hex()
    if kind == 5:
        return mutate_bytes(c, seeds).hex().upper()
    if kind == 6:
        return mutate_text(c, [seed.hex() for seed in seeds])
    if kind == 7:
        return c.blob(1, 120)
    if kind == 8:
        return c.blob(1, 60).hex()
    return c.text(1, 80)


def wire_text(c: Chooser, seed: str) -> str:
    kind = c.int(0, 4)
    if kind < 3:
        return mutate_bytes(c, [bytes.fromhex(seed)]).hex()
    if kind == 3:
        return mutate_text(c, [seed])
    return c.text(1, 80)


def _raw(message: str | bytes) -> bytes | None:
    try:
        return bytes.fromhex(message) if isinstance(message, str) else message
    except ValueError:
        return None


# --- Secure Channel --------------------------------------------------------------------


def test_open_message_fuzz() -> None:
    def make(c: Chooser) -> tuple[str | bytes, MessageType | None, bool]:
        expected = c.pick([None, MessageType.REQUEST, MessageType.RESPONSE])
        return wire(c, CHANNEL_SEEDS), expected, c.int(0, 1) == 1

    def check(value: tuple[str | bytes, MessageType | None, bool]) -> None:
        message, expected_type, allow = value
        try:
            opened = open_message(
                message, keys=KEYS, expected_type=expected_type, allow_unprotected=allow
            )
        except SecureChannelError:
            return
        if opened.protection is not Protection.NONE:
            assert _raw(message) in PROTECTED_SEEDS  # a changed protected message never opens

    _run_fuzz(make, check)


def test_peek_header_fuzz() -> None:
    def check(message: str | bytes) -> None:
        try:
            header = peek_header(message)
        except SecureChannelError:
            return
        assert len(header.serial) == 10

    _run_fuzz(lambda c: wire(c, CHANNEL_SEEDS), check)


# --- activation ------------------------------------------------------------------------


def test_read_activation_message1_fuzz() -> None:
    def check(message: str) -> None:
        try:
            offer = read_activation_message1(message)
        except ActivationError:
            return
        assert offer == SERVER_STATE.offer

    _run_fuzz(lambda c: wire_text(c, MESSAGE1), check)


def test_finish_device_activation_message2_fuzz() -> None:
    def check(message: str) -> None:
        try:
            finish_device_activation(DEVICE_STATE, message)
        except ActivationError:
            return
        assert bytes.fromhex(message) == bytes.fromhex(MESSAGE2)

    _run_fuzz(lambda c: wire_text(c, MESSAGE2), check)


CODE_SEEDS = [DEVICE_CODE, DEVICE_CODE.replace("-", ""), DEVICE_CODE.lower()]
_B32_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567- "


def _normalised_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper().replace("0", "O").replace("1", "I")


def test_accept_device_code_fuzz() -> None:
    def make(c: Chooser) -> str:
        kind = c.int(0, 3)
        if kind < 2:
            return mutate_text(c, CODE_SEEDS)
        if kind == 2:  # the right alphabet, about the right length
            return "".join(_B32_CHARS[i % len(_B32_CHARS)] for i in c.blob(60, 80))
        return c.text(1, 100)

    def check(code: str) -> None:
        try:
            accept_device_code(SERVER_STATE, code)
        except ActivationError:
            return
        assert _normalised_code(code) == _normalised_code(DEVICE_CODE)

    _run_fuzz(make, check)


# --- bodies ----------------------------------------------------------------------------

_EDGE_INTS = [0, 1, -1, 99, 100, 2**53, 2**64, -(2**70)]
_EDGE_TEXTS = ["", "accept", "pin", "00112233445566778899aabbccddeeff", "x" * 2000]


def json_value(c: Chooser, depth: int = 0) -> Any:
    kind = c.int(0, 9 if depth < 2 else 7)
    if kind == 0:
        return c.pick([None, True, False])
    if kind in (1, 2):  # boundaries now and then, otherwise anything
        return c.pick(_EDGE_INTS) if c.int(0, 4) == 0 else c.int(-(10**12), 10**12)
    if kind in (3, 4):
        return c.real()
    if kind in (5, 6):
        return c.text(1, 20)
    if kind == 7:
        return c.pick(_EDGE_TEXTS)
    if kind == 8:
        return [json_value(c, depth + 1) for _ in range(c.int(0, 4))]
    return {c.text(0, 6): json_value(c, depth + 1) for _ in range(c.int(0, 4))}


def body(c: Chooser, valid: bytes) -> bytes:
    """Byte-level mutations, or valid JSON with fields replaced or dropped, or noise."""
    kind = c.int(0, 9)
    if kind < 5:
        return mutate_bytes(c, [valid])
    if kind == 9:
        return c.blob(1, 80)
    base = json.loads(valid)
    changed = dict(base)
    for _ in range(c.int(1, 3)):
        if c.int(0, 6) > 0:
            changed[c.pick([*base, "extra"])] = json_value(c)
        else:
            changed.pop(c.pick(list(base)), None)
    return json.dumps(changed).encode()


def test_challenge_request_from_bytes_fuzz() -> None:
    def check(data: bytes) -> None:
        try:
            request = ChallengeRequest.from_bytes(data)
        except InvalidMessageBody:
            return
        assert ChallengeRequest.from_bytes(request.to_bytes()) == request  # re-serialisable

    valid = REQUEST.to_bytes()
    _run_fuzz(lambda c: body(c, valid), check)


def test_challenge_response_from_bytes_fuzz() -> None:
    def check(data: bytes) -> None:
        try:
            response = ChallengeResponse.from_bytes(data)
        except InvalidMessageBody:
            return
        assert ChallengeResponse.from_bytes(response.to_bytes()) == response

    valid = RESPONSE.to_bytes()
    _run_fuzz(lambda c: body(c, valid), check)


# --- passKey ---------------------------------------------------------------------------

PASSKEY_SEEDS = ["pushS3cret", "PINsecret", "secretFingerprint", "NoPIN", "PUSHpw"]
KEYWORD_SETS = [["push"], ["NoPIN", "PIN", "Fingerprint"], ["PIN", "PINX", "pin"]]


def test_split_passkey_fuzz() -> None:
    def make(c: Chooser) -> tuple[str, RequestMethod, list[str]]:
        passkey = mutate_text(c, PASSKEY_SEEDS) if c.int(0, 9) < 7 else c.text(0, 40)
        if c.int(0, 4) > 0:
            keywords = list(c.pick(KEYWORD_SETS))
        else:
            keywords = [c.text(1, 16) for _ in range(c.int(0, 4))]
        return passkey, c.pick(list(RequestMethod)), keywords

    def check(value: tuple[str, RequestMethod, list[str]]) -> None:
        passkey, method, keywords = value
        try:
            parts = split_passkey(passkey, method=method, keywords=keywords)
        except PasskeyError:
            return
        if parts.keyword is not None:
            assert parts.keyword in keywords
        if parts.password is not None:
            assert parts.password
            assert parts.password in passkey

    _run_fuzz(make, check)
