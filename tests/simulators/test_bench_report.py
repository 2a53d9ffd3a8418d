"""The bench's arithmetic: step durations from milestones, nearest-rank percentiles."""

from __future__ import annotations

from simulators.bench.report import distribution, percentile
from simulators.bench.timeline import STEPS, LoginSample


def test_steps_run_between_consecutive_milestones_and_add_up_to_the_login() -> None:
    sample = LoginSample(
        user_id="bench0000",
        marks={
            "started": 100.0,
            "handed_over": 100.004,
            "answered": 100.009,
            "delivered": 100.006,
            "responded": 100.015,
            "seen": 100.020,
        },
    )
    durations = {name: sample.step(name) for name in STEPS}
    login_call = durations["login_call"]
    assert login_call is not None
    assert round(login_call, 6) == 0.009
    chain = [d for name, d in durations.items() if name != "login_call"]
    assert sample.total is not None
    assert round(sum(d for d in chain if d is not None), 6) == round(sample.total, 6) == 0.02


def test_a_missing_milestone_leaves_its_steps_untimed() -> None:
    sample = LoginSample(user_id="u", marks={"started": 1.0, "answered": 1.5}, error="refused")
    assert not sample.ok
    assert sample.step("delivered_to_phone") is None
    assert sample.total is None


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    assert percentile(sorted(values), 50) == 0.05
    summary = distribution([*values, None])
    assert summary == {"p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0, "count": 100}
    assert distribution([None]) is None
