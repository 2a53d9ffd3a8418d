"""Administration endpoints: CRUD, redaction, admin token, and bad input -> 4xx."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.core.device_core import ADMIN, CoreEnv
from tests.core.helpers_core import EC_PEM, SERVICE_ACCOUNT

ADMIN_GETS = [
    "/v1/admin/domains",
    "/v1/admin/domains/demo",
    "/v1/admin/push-apps",
    "/v1/admin/push-apps/com.pushsim.sdkdemo",
    "/v1/admin/users",
    "/v1/admin/users/alice@demo",
    "/v1/admin/authenticators",
    "/v1/admin/sessions",
    "/v1/admin/audit-events",
]


@pytest.mark.parametrize("path", ADMIN_GETS)
async def test_admin_needs_the_token(api: httpx.AsyncClient, path: str) -> None:
    assert (await api.get(path)).status_code == 401
    assert (await api.get(path, headers={"authorization": "Bearer nope"})).status_code == 401
    assert (await api.get(path, headers={"authorization": "Basic x"})).status_code == 401
    assert (await api.get(path, headers=ADMIN)).status_code == 200


async def test_domain_crud(api: httpx.AsyncClient) -> None:
    body = {
        "name": "corp",
        "mobileApplicationName": "com.corp.app",
        "requestMethod": "PasswordKeyword",
        "keywords": {"OK": "device", "Touch": "fingerprint"},
        "pushTimeout": 90,
        "pollFallback": True,
    }
    created = await api.post("/v1/admin/domains", json=body, headers=ADMIN)
    assert created.status_code == 201
    assert created.json()["lockoutThreshold"] == 5
    assert created.json()["numberMatching"] is False
    assert (await api.post("/v1/admin/domains", json=body, headers=ADMIN)).status_code == 409
    patched = await api.patch(
        "/v1/admin/domains/corp", json={"numberMatching": True, "pushTimeout": 30}, headers=ADMIN
    )
    assert patched.json()["numberMatching"] is True
    assert patched.json()["pushTimeout"] == 30
    assert (await api.get("/v1/admin/domains/corp", headers=ADMIN)).json()["keywords"] == {
        "OK": "device",
        "Touch": "fingerprint",
    }
    assert (await api.delete("/v1/admin/domains/corp", headers=ADMIN)).status_code == 204
    assert (await api.get("/v1/admin/domains/corp", headers=ADMIN)).status_code == 404
    # a domain with users cannot go
    assert (await api.delete("/v1/admin/domains/demo", headers=ADMIN)).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "mobileApplicationName"),
        ({"name": 3, "mobileApplicationName": "a.b"}, "name"),
        ({"name": "x", "mobileApplicationName": "a.b", "pushTimeout": 301}, "pushTimeout"),
        ({"name": "x", "mobileApplicationName": "a.b", "pushTimeout": "60"}, "pushTimeout"),
        ({"name": "x", "mobileApplicationName": "a.b", "requestMethod": "Magic"}, "requestMethod"),
        ({"name": "x", "mobileApplicationName": "a.b", "keywords": {"k": "face"}}, "keywords"),
        ({"name": "x", "mobileApplicationName": "a.b", "keywords": {"k" * 17: "pin"}}, "keywords"),
        ({"name": "x", "mobileApplicationName": "a.b", "keywords": ["push"]}, "keywords"),
        ({"name": "x", "mobileApplicationName": "a.b", "pollFallback": "yes"}, "pollFallback"),
        ({"name": "bad name", "mobileApplicationName": "a.b"}, "name"),
    ],
)
async def test_domain_bad_input(
    api: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await api.post("/v1/admin/domains", json=body, headers=ADMIN)
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["validationErrors"]]


async def test_push_apps_are_redacted_and_validated(api: httpx.AsyncClient) -> None:
    android = {
        "appID": "com.corp.android",
        "platform": "android",
        "fcm": {"projectID": "corp", "serviceAccount": json.loads(SERVICE_ACCOUNT)},
    }
    created = await api.post("/v1/admin/push-apps", json=android, headers=ADMIN)
    assert created.status_code == 201
    assert created.json()["fcm"]["clientEmail"] == "core@pushsim-demo.iam.gserviceaccount.com"
    assert "PRIVATE KEY" not in created.text
    ios = {
        "appID": "com.corp.ios",
        "platform": "ios",
        "apns": {"auth": "token", "keyPem": EC_PEM, "keyID": "K1", "teamID": "T1"},
    }
    created = await api.post("/v1/admin/push-apps", json=ios, headers=ADMIN)
    assert created.json()["apns"]["topic"] == "com.corp.ios"  # Bundle ID falls back to app ID
    ios["apns"] = {**ios["apns"], "bundleID": "com.corp.bundle"}  # type: ignore[dict-item]
    replaced = await api.put("/v1/admin/push-apps/com.corp.ios", json=ios, headers=ADMIN)
    assert replaced.json()["apns"]["topic"] == "com.corp.bundle"
    listed = await api.get("/v1/admin/push-apps", headers=ADMIN)
    assert "PRIVATE KEY" not in listed.text
    assert (await api.post("/v1/admin/push-apps", json=ios, headers=ADMIN)).status_code == 409
    missing = await api.put("/v1/admin/push-apps/com.none", json=ios, headers=ADMIN)
    assert missing.status_code == 404
    assert (await api.delete("/v1/admin/push-apps/com.corp.ios", headers=ADMIN)).status_code == 204
    assert (await api.delete("/v1/admin/push-apps/com.corp.ios", headers=ADMIN)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"appID": "a.b", "platform": "android"},
        {"appID": "a.b", "platform": "android", "fcm": {"serviceAccount": 5}},
        {"appID": "a.b", "platform": "ios", "apns": {"auth": "token"}},
        {"appID": "a.b", "platform": "ios", "apns": {"auth": "magic"}},
        {"appID": "a.b", "platform": "blackberry"},
        {"appID": "a.b", "platform": "ios", "endpoint": "http://x", "apns": {}},
        {"platform": "ios"},
    ],
)
async def test_push_app_bad_input(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await api.post("/v1/admin/push-apps", json=body, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["validationErrors"]


async def test_a_service_account_that_does_not_load_is_422(api: httpx.AsyncClient) -> None:
    body = {"appID": "a.b", "platform": "android", "fcm": {"serviceAccount": "{}"}}
    response = await api.post("/v1/admin/push-apps", json=body, headers=ADMIN)
    assert response.status_code == 422  # the JSON fits the schema; the key inside does not load
    assert response.json()["validationErrors"][0]["field"] == "fcm.serviceAccount"


async def test_keywords_alike_but_for_case_are_422(api: httpx.AsyncClient) -> None:
    body = {"name": "twin", "mobileApplicationName": "a.b", "keywords": {"Y": "pin", "y": "device"}}
    response = await api.post("/v1/admin/domains", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["validationErrors"][0]["field"] == "keywords"


async def test_legacy_key_is_stored_but_refused_at_send(
    api: httpx.AsyncClient, core_env: CoreEnv
) -> None:
    legacy = {
        "appID": "com.pushsim.authenticator",
        "platform": "android",
        "fcm": {"legacyServerKey": "AAAA-legacy"},
    }
    response = await api.put(
        "/v1/admin/push-apps/com.pushsim.authenticator", json=legacy, headers=ADMIN
    )
    assert response.status_code == 200
    assert response.json()["fcm"]["hasLegacyServerKey"] is True
    await core_env.activate("alice")
    login = await api.post(
        "/v1/users/alice@demo/login", json={"credentials": {"passKey": "pushDemo-1234"}}
    )
    assert login.json()["sessionStatus"] == "failure"
    assert "legacy FCM API is shut down" in login.json()["reason"]
    assert core_env.providers.sends() == []


async def test_user_crud_and_unlock(api: httpx.AsyncClient) -> None:
    created = await api.post(
        "/v1/admin/users",
        json={"userID": "carol", "domain": "demo", "password": "pw"},
        headers=ADMIN,
    )
    assert created.status_code == 201
    assert created.json()["hasPassword"] is True
    assert "pw" not in created.text.replace('"hasPassword"', "")
    dup = await api.post(
        "/v1/admin/users", json={"userID": "carol", "domain": "demo"}, headers=ADMIN
    )
    assert dup.status_code == 409
    nodomain = await api.post(
        "/v1/admin/users", json={"userID": "c", "domain": "zz"}, headers=ADMIN
    )
    assert nodomain.status_code == 404
    bad = await api.post("/v1/admin/users", json={"userID": ["c"], "domain": "demo"}, headers=ADMIN)
    assert bad.status_code == 400
    locked = await api.patch("/v1/admin/users/carol@demo", json={"locked": True}, headers=ADMIN)
    assert locked.json()["locked"] is True
    login = await api.post(
        "/v1/users/carol@demo/login", json={"credentials": {"passKey": "pushpw"}}
    )
    assert login.status_code == 423
    unlocked = await api.post("/v1/admin/users/carol@demo/unlock", headers=ADMIN)
    assert unlocked.json()["locked"] is False
    assert (
        await api.patch("/v1/admin/users/carol@demo", json={"locked": "no"}, headers=ADMIN)
    ).status_code == 400
    users = (await api.get("/v1/admin/users", params={"domain": "demo"}, headers=ADMIN)).json()
    assert [u["userID"] for u in users["users"]] == ["alice", "bob", "carol"]
    assert (await api.delete("/v1/admin/users/carol@demo", headers=ADMIN)).status_code == 204
    assert (await api.get("/v1/admin/users/carol@demo", headers=ADMIN)).status_code == 404
    assert (await api.post("/v1/admin/users/carol@demo/unlock", headers=ADMIN)).status_code == 404


async def test_user_id_may_contain_at(api: httpx.AsyncClient) -> None:
    body = {"userID": "dave@example.com", "domain": "demo"}
    assert (await api.post("/v1/admin/users", json=body, headers=ADMIN)).status_code == 201
    got = await api.get("/v1/admin/users/dave@example.com@demo", headers=ADMIN)
    assert got.json()["userID"] == "dave@example.com"


async def test_authenticators_sessions_audit(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    keys = await core_env.activate("alice")
    login = await api.post(
        "/v1/users/alice@demo/login", json={"credentials": {"passKey": "pushDemo-1234"}}
    )
    request_id = login.json()["requestID"]
    one = (await api.get(f"/v1/admin/authenticators/{keys.serial}", headers=ADMIN)).json()
    assert one["pushRegistration"]["appID"] == "com.pushsim.authenticator"
    assert (
        await api.post(f"/v1/admin/authenticators/{keys.serial}/unlock", headers=ADMIN)
    ).status_code == 409
    gone = await api.post(f"/v1/admin/authenticators/{keys.serial}/deactivate", headers=ADMIN)
    assert gone.json()["status"] == "deactivated"
    status = (await api.get(f"/v1/sessions/{request_id}")).json()
    assert status["sessionStatus"] == "failure"
    assert status["reason"] == "authenticator deactivated"
    sessions = (
        await api.get("/v1/admin/sessions", params={"status": "failure"}, headers=ADMIN)
    ).json()
    assert [s["requestID"] for s in sessions["sessions"]] == [request_id]
    assert sessions["sessions"][0]["pushState"] == "sent"
    events = (
        await api.get("/v1/admin/audit-events", params={"requestID": request_id}, headers=ADMIN)
    ).json()
    assert events["events"][0]["kind"] == "login.received"
    after = events["events"][0]["id"]
    later = (
        await api.get("/v1/admin/audit-events", params={"after": after, "limit": 2}, headers=ADMIN)
    ).json()
    assert len(later["events"]) == 2
    assert all(e["id"] > after for e in later["events"])
    bad = await api.get("/v1/admin/audit-events", params={"after": "x"}, headers=ADMIN)
    assert bad.status_code == 400
    assert (await api.get("/v1/admin/authenticators/PS00000000", headers=ADMIN)).status_code == 404
    assert (
        await api.post("/v1/admin/authenticators/PS00000000/deactivate", headers=ADMIN)
    ).status_code == 404


async def test_openapi_describes_every_route(api: httpx.AsyncClient) -> None:
    response = await api.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/v1/users/{userID}@{domain}/login",
        "/v1/sessions/{requestID}",
        "/v1/sessions/{requestID}/trace",
        "/v1/authenticators/{serial}/notification-registration",
        "/v1/authenticators/{serial}/pending",
        "/v1/push/secure-challenge",
        "/v1/push/response",
        "/v1/users/register",
        "/v1/registrations/{registrationID}/add-device",
        "/v1/registrations/{registrationID}/activate",
        "/v1/registrations/{registrationID}",
        "/v1/admin/domains",
        "/v1/admin/push-apps/{appID}",
        "/v1/admin/users/{userID}@{domain}",
        "/v1/admin/authenticators/{serial}/deactivate",
        "/v1/admin/sessions",
        "/v1/admin/audit-events",
    ):
        assert path in paths, path
    assert paths["/v1/sessions/{requestID}/trace"]["get"]["security"] == [{"adminToken": []}]
    assert "security" not in paths["/v1/push/response"]["post"]
