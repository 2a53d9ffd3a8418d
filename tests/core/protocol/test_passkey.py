"""Splitting passKeys by request method and keywords."""

from __future__ import annotations

import pytest

from core.protocol.errors import PasskeyError
from core.protocol.passkey import PasskeyParts, RequestMethod, split_passkey

SDK = ["NoPIN", "PIN", "Fingerprint"]


def _split(passkey: str, method: RequestMethod, keywords: list[str]) -> PasskeyParts:
    return split_passkey(passkey, method=method, keywords=keywords)


def test_keyword_password_default() -> None:
    parts = _split("pushS3cret", RequestMethod.KEYWORD_PASSWORD, ["push"])
    assert parts == PasskeyParts(keyword="push", password="S3cret")


def test_keyword_is_case_insensitive_and_returned_as_configured() -> None:
    assert _split("PUSHpw", RequestMethod.KEYWORD_PASSWORD, ["push"]).keyword == "push"
    assert _split("pinSecret", RequestMethod.KEYWORD_PASSWORD, SDK) == PasskeyParts(
        keyword="PIN", password="Secret"
    )


def test_longest_keyword_wins_whatever_the_order() -> None:
    # "NoPIN..." must not be read as keyword "No"... and "PINx" beats "PIN".
    for keywords in (["PIN", "PINX", "NoPIN"], ["NoPIN", "PINX", "PIN"]):
        assert _split("NoPINpw", RequestMethod.KEYWORD_PASSWORD, keywords).keyword == "NoPIN"
        assert _split("pinxpw", RequestMethod.KEYWORD_PASSWORD, keywords).keyword == "PINX"


def test_password_is_kept_exactly_as_typed() -> None:
    parts = _split("push  My PW ", RequestMethod.KEYWORD_PASSWORD, ["push"])
    assert parts.password == "  My PW "


def test_password_keyword() -> None:
    parts = _split("s3cretFingerprint", RequestMethod.PASSWORD_KEYWORD, SDK)
    assert parts == PasskeyParts(keyword="Fingerprint", password="s3cret")
    assert _split("pwNOPIN", RequestMethod.PASSWORD_KEYWORD, SDK).keyword == "NoPIN"


def test_keyword_only_password_only_and_none() -> None:
    assert _split("fingerprint", RequestMethod.KEYWORD_ONLY, SDK) == PasskeyParts(
        keyword="Fingerprint", password=None
    )
    assert _split("pushpw", RequestMethod.PASSWORD, ["push"]) == PasskeyParts(
        keyword=None, password="pushpw"
    )
    assert _split("", RequestMethod.NONE, []) == PasskeyParts(keyword=None, password=None)


@pytest.mark.parametrize(
    ("passkey", "method", "keywords"),
    [
        ("pass", RequestMethod.KEYWORD_PASSWORD, ["push"]),  # no keyword
        ("push", RequestMethod.KEYWORD_PASSWORD, ["push"]),  # keyword but no password
        ("", RequestMethod.KEYWORD_PASSWORD, ["push"]),
        ("pwpush", RequestMethod.KEYWORD_PASSWORD, ["push"]),  # keyword at the wrong end
        ("pushpw", RequestMethod.PASSWORD_KEYWORD, ["push"]),
        ("PINx", RequestMethod.KEYWORD_ONLY, SDK),
        ("", RequestMethod.PASSWORD, []),
        ("pushpw", RequestMethod.KEYWORD_PASSWORD, []),  # domain without keywords
        ("push" + "x" * 2000, RequestMethod.KEYWORD_PASSWORD, ["push"]),
    ],
)
def test_passkeys_that_do_not_fit_raise_passkey_error(
    passkey: str, method: RequestMethod, keywords: list[str]
) -> None:
    with pytest.raises(PasskeyError) as info:
        _split(passkey, method, keywords)
    assert info.value.http_status == 401


def test_configuration_misuse_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="1-16 characters"):
        _split("pushpw", RequestMethod.KEYWORD_PASSWORD, ["k" * 17])
    with pytest.raises(ValueError, match="1-16 characters"):
        _split("pushpw", RequestMethod.KEYWORD_PASSWORD, [""])
    with pytest.raises(ValueError, match="Bogus"):
        split_passkey("pushpw", method="Bogus", keywords=["push"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        split_passkey("pushpw", method=RequestMethod.PASSWORD, keywords="push")
