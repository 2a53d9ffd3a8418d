"""Two-step offline activation over the API, driven by the protocol's device functions."""

from __future__ import annotations

import httpx

from core.protocol.activation import (
    activation_signature,
    begin_device_activation,
    finish_device_activation,
    read_activation_message1,
)
from tests.core.device_core import ADMIN, CoreEnv

REGISTER = {
    "userID": "alice",
    "domain": "demo",
    "activationType": "offlineMDL",
    "appKind": "authenticator",
    "platform": "android",
}


async def register(api: httpx.AsyncClient) -> dict[str, str]:
    response = await api.post("/v1/users/register", json=REGISTER, headers=ADMIN)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_full_activation(api: httpx.AsyncClient) -> None:
    started = await register(api)
    assert len(started["serialNumber"]) == 10
    offer = read_activation_message1(started["activationMessage1"])
    assert offer.serial == started["serialNumber"]
    state, code = begin_device_activation(offer, started["activationPassword"])
    reg = started["registrationID"]
    added = await api.post(f"/v1/registrations/{reg}/add-device", json={"deviceCode": code})
    assert added.status_code == 200
    keys = finish_device_activation(state, added.json()["activationMessage2"])
    again = await api.post(f"/v1/registrations/{reg}/add-device", json={"deviceCode": code})
    assert again.status_code == 409
    bad = await api.post(f"/v1/registrations/{reg}/activate", json={"signature": "1" * 16})
    assert bad.status_code == 401
    done = await api.post(
        f"/v1/registrations/{reg}/activate", json={"signature": activation_signature(keys, reg)}
    )
    assert done.json() == {"serialNumber": keys.serial, "status": "active"}
    info = (await api.get(f"/v1/registrations/{reg}", headers=ADMIN)).json()
    assert info["status"] == "active"
    assert info["userID"] == "alice"
    listed = (await api.get("/v1/admin/authenticators", headers=ADMIN)).json()
    assert [a["status"] for a in listed["authenticators"]] == ["active"]


async def test_register_needs_admin_and_valid_input(api: httpx.AsyncClient) -> None:
    assert (await api.post("/v1/users/register", json=REGISTER)).status_code == 401
    bad_kind = {**REGISTER, "appKind": "desktop"}
    response = await api.post("/v1/users/register", json=bad_kind, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "appKind"
    bad_type = {**REGISTER, "activationType": "online"}
    assert (await api.post("/v1/users/register", json=bad_type, headers=ADMIN)).status_code == 400
    unknown = {**REGISTER, "userID": "mallory"}
    assert (await api.post("/v1/users/register", json=unknown, headers=ADMIN)).status_code == 404
    nodomain = {**REGISTER, "domain": "nowhere"}
    assert (await api.post("/v1/users/register", json=nodomain, headers=ADMIN)).status_code == 404
    assert (await api.post("/v1/users/register", content=b"[]", headers=ADMIN)).status_code == 400


async def test_wrong_password_counts_down_then_locks(api: httpx.AsyncClient) -> None:
    started = await register(api)
    offer = read_activation_message1(started["activationMessage1"])
    _, wrong_code = begin_device_activation(offer, "AAAA-BBBB-CCCC")
    url = f"/v1/registrations/{started['registrationID']}/add-device"
    for remaining in (4, 3, 2, 1):
        response = await api.post(url, json={"deviceCode": wrong_code})
        assert response.status_code == 400
        assert response.json()["message"] == "wrong activation password or mistyped device code"
        assert response.json()["remainingAttempts"] == remaining
    locked = await api.post(url, json={"deviceCode": wrong_code})
    assert locked.status_code == 423
    # even the right code is refused now
    _, right_code = begin_device_activation(offer, started["activationPassword"])
    assert (await api.post(url, json={"deviceCode": right_code})).status_code == 423


async def test_expired_registration_is_410(api: httpx.AsyncClient, core_env: CoreEnv) -> None:
    started = await register(api)
    offer = read_activation_message1(started["activationMessage1"])
    _, code = begin_device_activation(offer, started["activationPassword"])
    core_env.clock.advance(15 * 60 + 1)
    url = f"/v1/registrations/{started['registrationID']}/add-device"
    assert (await api.post(url, json={"deviceCode": code})).status_code == 410
    info = await api.get(f"/v1/registrations/{started['registrationID']}", headers=ADMIN)
    assert info.json()["status"] == "expired"


async def test_bad_input_and_unknown_registration(api: httpx.AsyncClient) -> None:
    started = await register(api)
    reg = started["registrationID"]
    assert (
        await api.post(f"/v1/registrations/{reg}/add-device", json={"deviceCode": 7})
    ).status_code == 400
    garbled = await api.post(f"/v1/registrations/{reg}/add-device", json={"deviceCode": "???"})
    assert garbled.status_code == 400
    unknown = "0" * 32  # the format of a registration ID, but none was issued
    assert (
        await api.post(f"/v1/registrations/{unknown}/add-device", json={"deviceCode": "AAAA"})
    ).status_code == 404
    malformed = await api.post("/v1/registrations/nope/add-device", json={"deviceCode": "AAAA"})
    assert malformed.status_code == 400  # outside the path parameter's declared format
    assert malformed.json()["validationErrors"][0]["field"] == "registrationID"
    assert (
        await api.post(f"/v1/registrations/{reg}/activate", json={"signature": "1" * 16})
    ).status_code == 409  # no device added yet
    assert (await api.post(f"/v1/registrations/{reg}/activate", content=b"x")).status_code == 400
    assert (await api.get(f"/v1/registrations/{unknown}", headers=ADMIN)).status_code == 404
    assert (await api.get(f"/v1/registrations/{reg}")).status_code == 401
