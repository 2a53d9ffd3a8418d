"""Query numbers go through the strict reader: JSON's number grammar, in range, or 400 naming it."""

from __future__ import annotations

import httpx
import pytest

from tests.core.device_core import ADMIN_TOKEN

ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}
BAD_NUMBERS = [
    "1_796_243_000",  # Python's int() and float() take underscores
    "\uff11\uff17\uff19\uff16",  # full-width digits, which int() reads as 1796
    "inf",
    "-Infinity",
    "nan",
    "9" * 41,  # longer than any double needs
    "1e999",  # overflows to infinity
    "0x10",
    " 12",
    "",
]


@pytest.mark.parametrize("text", BAD_NUMBERS)
async def test_pending_time_refuses_non_json_numbers(api: httpx.AsyncClient, text: str) -> None:
    query = {"time": text, "signature": "1" * 16}
    response = await api.get("/v1/authenticators/PS12345678/pending", params=query)
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "time"


@pytest.mark.parametrize("text", [*BAD_NUMBERS, "1.5", "1e3", "0", "1001", "-1"])
async def test_limit_is_an_integer_in_range(api: httpx.AsyncClient, text: str) -> None:
    response = await api.get("/v1/admin/sessions", params={"limit": text}, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "limit"


@pytest.mark.parametrize(
    ("path", "field", "text"),
    [
        ("/v1/admin/audit-events", "after", "1_000"),
        ("/v1/admin/audit-events", "after", "-1"),
        ("/v1/admin/audit-events", "after", str(2**62 + 1)),
        ("/v1/sessions/abc", "wait", "\uff15"),
        ("/v1/sessions/abc", "wait", "-1"),
        ("/v1/sessions/abc", "wait", "Infinity"),
        ("/v1/admin/sessions", "status", "bogus"),
    ],
)
async def test_each_query_number_names_its_field(
    api: httpx.AsyncClient, path: str, field: str, text: str
) -> None:
    response = await api.get(path, params={field: text}, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == field


async def test_good_numbers_pass(api: httpx.AsyncClient) -> None:
    for query in ({"limit": "1000"}, {"limit": "1"}, {}):
        assert (await api.get("/v1/admin/sessions", params=query, headers=ADMIN)).status_code == 200
    events = await api.get(
        "/v1/admin/audit-events", params={"after": "0", "limit": "5"}, headers=ADMIN
    )
    assert events.status_code == 200
    waited = await api.get("/v1/sessions/abc", params={"wait": "0.0"})
    assert waited.status_code == 404  # a plain number: the session is looked up (and unknown)
    over = await api.get("/v1/sessions/abc", params={"wait": "1e2"})
    assert over.status_code == 404  # over 30 is allowed and waits at most 30
