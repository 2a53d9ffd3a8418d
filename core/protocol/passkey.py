"""Splitting a login passKey into keyword and static password.

A user types one string, e.g. ``pushMySecret`` or ``PINMySecret``; the domain's
request method says how to read it:

=================  ================================  ==================
method             passKey                           result
=================  ================================  ==================
KeywordPassword    ``<keyword><password>``           keyword, password
PasswordKeyword    ``<password><keyword>``           keyword, password
KeywordOnly        ``<keyword>``                     keyword
Password           ``<password>``                    password
None               ignored (usually empty)           nothing
=================  ================================  ==================

Keywords match case-insensitively and the result carries the keyword as the
domain spells it, so it can index the domain's keyword -> protection map. When
keywords overlap (``PIN`` and ``PINX``) the longest one that fits wins, which
makes the split independent of the order the keywords are configured in. The
password is never lower-cased or trimmed: it is compared against a hash as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from core.protocol.errors import PasskeyError

__all__ = ["MAX_KEYWORD_LENGTH", "PasskeyParts", "RequestMethod", "split_passkey"]

MAX_KEYWORD_LENGTH = 16  # SPEC §2.1
MAX_PASSKEY_LENGTH = 1024  # a passKey is typed by a person; anything longer is abuse


class RequestMethod(StrEnum):
    # Names of methods, not secrets (ruff's S105 sees "PASSWORD" and worries).
    KEYWORD_PASSWORD = "KeywordPassword"  # noqa: S105
    PASSWORD_KEYWORD = "PasswordKeyword"  # noqa: S105
    KEYWORD_ONLY = "KeywordOnly"
    PASSWORD = "Password"  # noqa: S105
    NONE = "None"


@dataclass(frozen=True, kw_only=True)
class PasskeyParts:
    keyword: str | None
    password: str | None


def _check_keywords(keywords: Sequence[str]) -> list[str]:
    if isinstance(keywords, str):
        raise TypeError("keywords must be a sequence of strings, not one string")
    checked = []
    for keyword in keywords:
        if not isinstance(keyword, str) or not 1 <= len(keyword) <= MAX_KEYWORD_LENGTH:
            raise ValueError(f"keywords must be 1-{MAX_KEYWORD_LENGTH} characters")
        checked.append(keyword)
    # Longest first, so the first match is the longest match.
    return sorted(checked, key=len, reverse=True)


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def split_passkey(passkey: str, *, method: RequestMethod, keywords: Sequence[str]) -> PasskeyParts:
    """Split ``passkey`` per ``method``; raises ``PasskeyError`` if it does not fit.

    Domain configuration errors (a keyword longer than 16 characters, an
    unknown method) are local misuse and raise ``ValueError``.
    """
    if not isinstance(passkey, str):
        raise TypeError("passkey must be a string")
    method = RequestMethod(method)
    ordered = _check_keywords(keywords)
    if len(passkey) > MAX_PASSKEY_LENGTH:
        raise PasskeyError("passKey too long")

    if method is RequestMethod.NONE:
        return PasskeyParts(keyword=None, password=None)
    if method is RequestMethod.PASSWORD:
        if not passkey:
            raise PasskeyError("passKey must contain the static password")
        return PasskeyParts(keyword=None, password=passkey)
    if not ordered:
        raise PasskeyError("the domain has no keywords configured")

    if method is RequestMethod.KEYWORD_ONLY:
        for keyword in ordered:
            if _same(passkey, keyword):
                return PasskeyParts(keyword=keyword, password=None)
        raise PasskeyError("passKey must be one of the domain's keywords")

    # Slicing by the keyword's own length (not the casefolded one) keeps the
    # password exactly as typed.
    for keyword in ordered:
        if len(passkey) <= len(keyword):
            continue  # a keyword with an empty password is not a match
        if method is RequestMethod.KEYWORD_PASSWORD:
            head, rest = passkey[: len(keyword)], passkey[len(keyword) :]
        else:
            rest, head = passkey[: -len(keyword)], passkey[-len(keyword) :]
        if _same(head, keyword):
            return PasskeyParts(keyword=keyword, password=rest)
    where = "start" if method is RequestMethod.KEYWORD_PASSWORD else "end"
    raise PasskeyError(f"passKey must {where} with one of the domain's keywords, plus the password")
