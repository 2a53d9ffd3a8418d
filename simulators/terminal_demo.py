"""``pushsim demo``: one approval and one rejection, narrated step by step in a terminal.

For trainers without a display (and for ``make run`` on a headless machine).
The demo starts the whole suite on loopback, logs in as a real HTTP client, lets
the phones answer, and prints every event of each login as it happens, grouped
under the seven numbered steps, with the exact messages on the wire shortened
for reading. It ends with the verdict of each login and exits 0 only when both
came out as they should (accepted, then refused).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from core.events import Event
from core.seed import DEMO_PASSWORD
from core.workspace import Workspace, default_workspace_root
from simulators.login_client import LoginClient
from simulators.phone import Phone
from simulators.suite import Suite, SuiteOptions

STEP_TITLES = {
    1: "user authenticates with keyword + static password",
    2: "core generates a secure challenge",
    3: "core sends the push through FCM / APNs",
    4: "the app takes the challenge from the push",
    5: "the user approves or rejects",
    6: "the app signs, encrypts and posts its response",
    7: "core validates and decides",
}
LANES = {"client": "Login client", "core": "Validation core", "fcm": "FCM", "apns": "APNs"}
RAW_SHOWN = 64  # characters of a message shown inline


@dataclass(frozen=True, kw_only=True)
class DemoLogin:
    user_id: str
    keyword: str
    answer: str  # approve | reject
    expected: str  # the session status this demo must end in


DEMO_LOGINS = (
    DemoLogin(user_id="alice", keyword="push", answer="approve", expected="accepted"),
    DemoLogin(user_id="bob", keyword="PIN", answer="reject", expected="refused"),
)


def lane(name: str) -> str:
    if name.startswith("phone:"):
        return f"Phone {name.removeprefix('phone:')}"
    return LANES.get(name, name or "-")


def shorten(raw: str) -> str:
    return raw if len(raw) <= RAW_SHOWN else f"{raw[:RAW_SHOWN]}… ({len(raw) // 2} bytes)"


class Narrator:
    """Prints the events of one login as they arrive, a header per new step."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.request_id: str | None = None
        self._step: int | None = None

    def follow(self, request_id: str) -> None:
        self.request_id = request_id
        self._step = None

    def __call__(self, event: Event) -> None:
        if self.request_id is None or event.request_id != self.request_id:
            return
        # a header when the flow reaches a new step; a late event of an earlier
        # step (the core logs its send after FCM answered) keeps its number
        if event.step is not None and (self._step is None or event.step > self._step):
            self._step = event.step
            title = STEP_TITLES.get(event.step, "")
            self.console.print(f"\n[bold cyan]Step {event.step}[/]  [bold]{title}[/]")
        late = event.step is not None and event.step != self._step
        tag = f"[dim]({event.step})[/] " if late else ""
        route = lane(event.source) + (f" → {lane(event.target)}" if event.target else "")
        self._line(f"   [dim]{route:<34}[/] {tag}{event.summary}")
        if event.raw:
            self._line(f"   [dim]{'':<34} {shorten(event.raw)}[/]")

    def _line(self, text: str) -> None:
        self.console.print(text, highlight=False, no_wrap=True, overflow="ellipsis")


@dataclass(frozen=True, kw_only=True)
class Outcome:
    status: str  # the session status, or "error" when the core refused the login
    reason: str


async def run_one(
    suite: Suite, client: LoginClient, narrator: Narrator, demo: DemoLogin
) -> Outcome:
    phone: Phone = suite.phone_for(demo.user_id)
    console = narrator.console
    console.rule(
        f"[bold]{demo.user_id}@demo[/] logs in with [bold]{demo.keyword}[/] + password,"
        f" then {'approves' if demo.answer == 'approve' else 'rejects'} on {phone.name}"
    )
    started = await client.login(
        demo.user_id, "demo", demo.keyword + DEMO_PASSWORD, client_ip="127.0.0.1"
    )
    if started.refused or started.request_id is None:
        return Outcome(status="error", reason=started.refusal)
    request_id = started.request_id
    narrator.follow(request_id)
    # the login event was published before we knew the id: replay what we missed
    for event in suite.events.history:
        if event.request_id == request_id:
            narrator(event)
    await suite.events.wait_for(
        lambda e: phone.notification_for(request_id) is not None, include_history=True
    )
    note = phone.notification_for(request_id)
    assert note is not None
    if demo.answer == "approve":
        await phone.approve(note.id)
    else:
        await phone.reject(note.id)
    decision = await client.wait_decided(request_id)
    await suite.core.service.observations.flush()
    return Outcome(status=decision.status, reason=decision.reason or "")


async def run_demo(
    *,
    workspace_dir: Path | None,
    reset: bool,
    options: SuiteOptions | None = None,
    console: Console | None = None,
) -> int:
    console = console or Console(highlight=False)
    workspace = Workspace(workspace_dir or default_workspace_root())
    console.print(
        Panel.fit(
            "[bold]PushSim[/] — push-notification two-step authentication, offline\n"
            "validation core, mock FCM, mock APNs and two virtual phones on 127.0.0.1",
            border_style="cyan",
        )
    )
    suite = Suite(workspace, options=options)
    with console.status("starting the core, the mock push services and the phones…"):
        await suite.start(reset=reset)
    console.print(f"ready in {suite.startup_seconds:.2f} s — workspace {workspace.root}")
    narrator = Narrator(console)
    unsubscribe = suite.events.subscribe(narrator)
    results: list[tuple[DemoLogin, Outcome]] = []
    try:
        async with LoginClient(suite.core.url, suite.pki.ca_file) as client:
            for demo in DEMO_LOGINS:
                outcome = await asyncio.wait_for(run_one(suite, client, narrator, demo), 60)
                results.append((demo, outcome))
                console.print()
    finally:
        unsubscribe()
        await suite.stop()
    table = Table(title="Outcome")
    for column in ("user", "keyword", "answer", "session status", "reason"):
        table.add_column(column)
    ok = True
    for demo, outcome in results:
        good = outcome.status == demo.expected
        ok = ok and good
        colour = "green" if good else "red"
        table.add_row(
            demo.user_id,
            demo.keyword,
            demo.answer,
            f"[{colour}]{outcome.status}[/]",
            outcome.reason,
        )
    console.print(table)
    return 0 if ok and len(results) == len(DEMO_LOGINS) else 1
