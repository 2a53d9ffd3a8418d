"""The core API reads every body with the strict JSON reader: a 400 with its usual body."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"credentials": {"passKey": "a"}, "credentials": {}}', "duplicate key"),
        (b'{"credentials": {"passKey": NaN}}', "NaN"),
        (b'{"credentials": {"passKey": Infinity}}', "Infinity"),
        (b'{"n": ' + b"9" * 5000 + b"}", "number too long"),
        (b"[" * 1000, "nested deeper"),
        (b'{"credentials": {"passKey": "\\ud800"}}', "surrogate"),
    ],
)
async def test_login_refuses_non_strict_json_with_the_usual_400(
    api: httpx.AsyncClient, content: bytes, words: str
) -> None:
    response = await api.post("/v1/users/alice@demo/login", content=content)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "validationErrors"}
    assert words in body["message"]
    assert "4300" not in body["message"]  # never Python's internal int-limit text
