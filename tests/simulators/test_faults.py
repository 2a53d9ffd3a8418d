"""FaultPlan: scoping, counts, precedence, seeded reproducibility, validation."""

from __future__ import annotations

import pytest

from simulators.delivery.faults import (
    MAX_RETRY_AFTER,
    FaultChange,
    FaultError,
    FaultKind,
    FaultPlan,
)


def test_an_error_for_the_next_n_sends_then_gone() -> None:
    plan = FaultPlan()
    fault = plan.fail("UNREGISTERED", count=2)
    assert plan.remaining(fault.id) == 2
    assert plan.decide("t1").error == fault
    assert plan.remaining(fault.id) == 1
    assert plan.decide("t2").error == fault
    assert plan.decide("t3").error is None
    assert plan.faults == ()


def test_always_lasts_until_removed() -> None:
    plan = FaultPlan()
    fault = plan.outage(retry_after=3)
    assert all(plan.decide("t").error == fault for _ in range(20))
    assert plan.remove(fault.id)
    assert plan.decide("t").error is None
    assert not plan.remove(fault.id)


def test_device_scoped_faults_hit_only_that_device() -> None:
    plan = FaultPlan()
    plan.rate_limit(token="phone-a")
    plan.drop(token="phone-b")
    assert plan.decide("phone-a").error is not None
    assert plan.decide("phone-b").error is None
    assert plan.decide("phone-b").drop is not None
    untouched = plan.decide("phone-c")
    assert (untouched.error, untouched.drop, untouched.latency) == (None, None, 0.0)


def test_an_error_wins_over_a_drop_and_latency_adds_up() -> None:
    plan = FaultPlan()
    drop = plan.drop()
    plan.add_latency(0.25)
    plan.add_latency(0.5, token="t")
    error = plan.fail("INTERNAL", count=1)
    first = plan.decide("t")
    assert first.error == error
    assert first.drop is None
    assert first.latency == pytest.approx(0.75)
    second = plan.decide("t")
    assert second.error is None
    assert second.drop == drop


def _pattern(seed: int) -> list[tuple[bool, float]]:
    plan = FaultPlan(seed=seed)
    plan.drop(probability=0.5)
    plan.add_latency(0.1, jitter=0.2)
    return [
        (decision.drop is not None, decision.latency)
        for decision in (plan.decide("t") for _ in range(64))
    ]


def test_random_faults_are_reproducible_from_the_seed() -> None:
    assert _pattern(42) == _pattern(42)
    assert _pattern(42) != _pattern(43)
    drops = sum(dropped for dropped, _ in _pattern(42))
    assert 10 < drops < 54
    assert all(0.1 <= latency <= 0.3 for _, latency in _pattern(42))


def test_reseed_restarts_the_sequence() -> None:
    plan = FaultPlan(seed=5)
    plan.drop(probability=0.5)
    first = [plan.decide("t").drop is not None for _ in range(32)]
    plan.reseed(5)
    assert [plan.decide("t").drop is not None for _ in range(32)] == first


def test_offline_is_a_state_and_uninstall_an_action() -> None:
    plan = FaultPlan()
    changes: list[FaultChange] = []
    plan.subscribe(changes.append)
    plan.offline("t")
    assert plan.is_offline("t")
    assert not plan.is_offline("u")
    assert plan.decide("t").error is None  # offline does not refuse sends
    plan.online("t")
    assert not plan.is_offline("t")
    plan.uninstall("t")
    assert [(c.action, c.fault.kind) for c in changes] == [
        ("added", FaultKind.OFFLINE),
        ("removed", FaultKind.OFFLINE),
        ("applied", FaultKind.UNINSTALL),
    ]
    assert plan.faults == ()


def test_unknown_provider_errors_are_refused_when_added() -> None:
    plan = FaultPlan()
    plan.allowed_errors = frozenset({"Unregistered", "BadDeviceToken"})
    with pytest.raises(FaultError, match="one of: BadDeviceToken, Unregistered"):
        plan.fail("Unregisterd")
    assert plan.fail("Unregistered").error == "Unregistered"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "meteor"}, "unknown fault kind"),
        ({"kind": "drop", "colour": "red"}, "unknown fault field"),
        ({"kind": "drop", "count": "2"}, "wrong type"),
        ({"kind": "drop", "count": True}, "wrong type"),
        ({"kind": "drop", "count": 0}, "at least 1"),
        ({"kind": "error"}, "needs the provider error"),
        ({"kind": "drop", "error": "INTERNAL"}, "only an error fault"),
        ({"kind": "latency"}, "needs latency"),
        ({"kind": "latency", "latency": 301}, "between 0 and 300"),
        ({"kind": "rate_limit", "retry_after": MAX_RETRY_AFTER + 1}, "retry_after"),
        ({"kind": "drop", "probability": 0}, "probability"),
        ({"kind": "uninstall"}, "needs a device token"),
    ],
)
def test_fault_descriptions_are_validated(data: dict[str, object], message: str) -> None:
    with pytest.raises(FaultError, match=message):
        FaultPlan().add_from_dict(data)


def test_faults_round_trip_through_json_shapes() -> None:
    plan = FaultPlan()
    fault = plan.add_from_dict(
        {"kind": "error", "error": "QUOTA_EXCEEDED", "count": 3, "token": "t"}
    )
    assert fault.to_dict() == {
        "id": "f1",
        "kind": "error",
        "token": "t",
        "error": "QUOTA_EXCEEDED",
        "count": 3,
    }
    plan.decide("t")
    assert plan.describe() == [{**fault.to_dict(), "remaining": 2}]
    assert plan.add_from_dict({"kind": "rate_limit"}).retry_after == 1  # bounded default
