"""Store-and-forward rules per provider (no I/O)."""

from __future__ import annotations

from simulators.delivery.registry import Service
from simulators.delivery.store import FCM_STORE_LIMIT, Notification, OfflineStore

NOW = 1_800_000_000.0


def _n(
    service: Service,
    message_id: str,
    *,
    token: str = "tok",
    app_id: str = "com.example",
    expires_in: float | None = 60.0,
    storable: bool = True,
    collapse_key: str | None = None,
) -> Notification:
    return Notification(
        service=service,
        message_id=message_id,
        token=token,
        app_id=app_id,
        payload={"id": message_id},
        raw="{}",
        accepted_at=NOW,
        expires_at=None if expires_in is None else NOW + expires_in,
        storable=storable,
        collapse_key=collapse_key,
    )


def test_fcm_keeps_every_message_until_its_ttl() -> None:
    store = OfflineStore("fcm")
    store.put(_n("fcm", "short", expires_in=10), now=NOW)
    store.put(_n("fcm", "long", expires_in=100), now=NOW)
    live, expired = store.take("tok", now=NOW + 10)
    assert [n.message_id for n in live] == ["long"]
    assert [n.message_id for n in expired] == ["short"]
    assert store.count("tok") == 0


def test_fcm_ttl_zero_is_now_or_never() -> None:
    store = OfflineStore("fcm")
    result = store.put(_n("fcm", "m", expires_in=0, storable=False), now=NOW)
    assert not result.stored
    assert store.count("tok") == 0


def test_fcm_collapse_key_replaces_and_the_store_is_bounded() -> None:
    store = OfflineStore("fcm")
    store.put(_n("fcm", "a", collapse_key="k"), now=NOW)
    result = store.put(_n("fcm", "b", collapse_key="k"), now=NOW)
    assert [n.message_id for n in result.replaced] == ["a"]
    for index in range(FCM_STORE_LIMIT):
        store.put(_n("fcm", f"m{index}"), now=NOW)
    pending = store.pending("tok")
    assert len(pending) == FCM_STORE_LIMIT
    assert pending[0].message_id == "m0"  # "b" was the oldest and went first


def test_apns_keeps_only_the_newest_per_device_and_app() -> None:
    store = OfflineStore("apns")
    store.put(_n("apns", "first"), now=NOW)
    result = store.put(_n("apns", "second"), now=NOW)
    store.put(_n("apns", "other-app", app_id="com.other"), now=NOW)
    store.put(_n("apns", "other-device", token="tok2"), now=NOW)
    assert [n.message_id for n in result.replaced] == ["first"]
    assert [n.message_id for n in store.pending("tok")] == ["second", "other-app"]
    assert [n.message_id for n in store.pending("tok2")] == ["other-device"]


def test_apns_expiration_zero_is_never_stored_and_old_ones_expire() -> None:
    store = OfflineStore("apns")
    assert not store.put(_n("apns", "zero", storable=False), now=NOW).stored
    assert store.put(_n("apns", "kept", expires_in=30), now=NOW).stored
    live, expired = store.take("tok", now=NOW + 31)
    assert live == []
    assert [n.message_id for n in expired] == ["kept"]
