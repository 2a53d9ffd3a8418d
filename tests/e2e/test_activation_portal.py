"""The activation portal without Qt: a new user and phone through the core's real HTTP API."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from core.workspace import Workspace
from simulators.activation_portal import (
    NewPhone,
    NewPhoneActivation,
    PortalRefused,
    activate_new_phone,
    parse_fingers,
)
from simulators.extra_phones import load_extra_phones
from simulators.suite import Suite
from tests.e2e.conftest import suite_options
from tests.e2e.flow import PASSWORD, final_status, notification, start_login

CAROL = NewPhone(
    user_id="carol",
    password=PASSWORD,
    domain="demo",
    platform="android",
    app_kind="authenticator",
    phone_name="carol-pixel",
    pin="2468",
    fingers=("left-thumb",),
)


async def test_a_new_android_phone_is_activated_and_approves_a_login(
    suite: Suite, http: httpx.AsyncClient
) -> None:
    done = await activate_new_phone(suite, CAROL)
    phone = suite.phones["carol-pixel"]
    assert done.serial is not None
    assert phone.app.state.activated
    assert phone.app.state.core_registered  # registered for push at the core
    assert phone.sensor.enrolled == ("left-thumb",)
    record = await suite.core.service.directory.get_authenticator(done.serial)
    assert (record.user_id, record.status, record.platform) == ("carol", "active", "android")
    assert [p.name for p in load_extra_phones(suite.workspace)] == ["carol-pixel"]

    request_id = await start_login(http, "carol", "push" + PASSWORD)
    note = await notification(suite, phone, request_id)
    assert (await phone.approve(note.id)).decided
    assert (await final_status(http, request_id))["sessionStatus"] == "accepted"


async def test_a_wrong_activation_password_is_refused_with_the_cores_counter(suite: Suite) -> None:
    activation = NewPhoneActivation(suite)
    registration = await activation.start(CAROL)
    assert await activation.scan(registration.activation_message1) == 1
    wrong = activation.enter_password("AAAA-AAAA-AAAA")
    with pytest.raises(PortalRefused) as refused:
        await activation.add_device(wrong)
    assert refused.value.status == 400
    assert refused.value.remaining_attempts == 4
    assert [e.field for e in refused.value.errors] == ["device_code"]
    assert "4 attempts left" in refused.value.errors[0].message
    async with activation.portal() as portal:
        status = await portal.registration(registration.registration_id)
    assert status["failedAttempts"] == 1
    # typed again, right this time: a new device code, accepted
    right = activation.enter_password(registration.activation_password)
    assert right != wrong
    assert await activation.scan(await activation.add_device(right)) == 2
    assert activation.serial == registration.serial


async def test_every_bad_field_is_named_before_anything_is_sent(suite: Suite) -> None:
    bad = replace(CAROL, user_id="", pin="12", phone_name="alice-pixel", fingers=("Thumb 1",))
    activation = NewPhoneActivation(suite)
    with pytest.raises(PortalRefused) as refused:
        await activation.start(bad)
    fields = {e.field for e in refused.value.errors}
    assert fields == {"user_id", "pin", "phone_name", "fingers"}
    assert activation.phone is None
    with pytest.raises(PortalRefused) as exists:  # the core's refusal, on its field
        await activation.start(replace(CAROL, user_id="alice"))
    assert [(e.field, exists.value.status) for e in exists.value.errors] == [("user_id", 409)]
    with pytest.raises(PortalRefused) as domain:
        await activation.start(replace(CAROL, domain="nowhere"))
    assert [e.field for e in domain.value.errors] == ["domain"]
    assert "carol-pixel" not in suite.phones
    assert parse_fingers("right-index, left-thumb,\n") == ("right-index", "left-thumb")


async def test_an_added_phone_comes_back_after_a_restart(suite: Suite) -> None:
    await activate_new_phone(suite, replace(CAROL, platform="ios", app_kind="sdk"))
    serial = suite.phones["carol-pixel"].app.state.enrollment
    await suite.stop()
    again = Suite(Workspace(suite.workspace.root), options=suite_options())
    await again.start()
    try:
        phone = again.phones["carol-pixel"]
        assert list(again.phones)[-1] == "carol-pixel"  # after the demo phones
        assert phone.app.state.enrollment == serial
        assert phone.platform.value == "ios"
        assert phone.app.info.kind == "sdk"
        # a listed phone the core no longer knows is dropped, not left half-working
        assert serial is not None
        await again.core.service.directory.delete_user("carol", "demo")
    finally:
        await again.stop()
    third = Suite(Workspace(suite.workspace.root), options=suite_options())
    await third.start()
    try:
        assert "carol-pixel" not in third.phones
        assert load_extra_phones(third.workspace) == []
    finally:
        await third.stop()
