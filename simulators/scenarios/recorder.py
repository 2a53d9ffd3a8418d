"""Record what a person does with a running suite as a scenario file that replays it.

``SessionRecorder`` listens to the suite's event bus and to the login client's
submissions (``login_submitted``, called by the window) and writes a scenario:

* a login (``login.received`` / ``login.refused`` for a submitted user) is a
  ``login`` step with the passkey's keyword (the password is the demo one; a
  different one is written as a wrong password, never as typed);
* ``phone.user.approve`` opens an answer; the unlock attempts the app then sees
  (``phone.unlock.failed`` / ``succeeded``: PIN right or wrong, enrolled or
  unknown finger) become ``unlock`` steps written before its ``approve`` step
  — the way the runner feeds queued unlocks to the app's prompt; the answer
  closes at ``phone.response.sent`` (or fails: cancelled, not sent);
* ``phone.user.reject`` is a ``reject`` step; airplane mode on / off
  (``phone.settings.changed``) is ``offline`` / ``online``;
* ``session.decided`` of a recorded login is an ``expect`` of its status and
  reason, so the replay checks it reaches the same outcome (a refusal for the
  wrong number makes its ``approve`` pick the wrong one).

The file starts from the demo domain's settings as they are when it is saved.

Users and phones the steps name become the file's ``[[user]]`` and
``[[phone]]`` tables (the demo phones with their PIN, app and finger).
The recorder never sees a typed PIN or password: a wrong one is written as a
value that differs from the right one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from core.event_kinds import CoreEvent
from core.events import Event
from core.seed import DEMO_DOMAIN, DEMO_KEYWORDS, DEMO_PASSWORD
from simulators.phone.event_kinds import PhoneEvent
from simulators.phone.settings import PhoneSettings
from simulators.scenarios.schema import DOMAIN as DOMAIN_SETTINGS
from simulators.suite import DEMO_PHONES, DEMO_PIN, Suite

WRONG_PASSWORD = "not-the-password"  # noqa: S105 - a deliberately wrong demo password
UNKNOWN_FINGER = "left-pinky"  # as the phone card offers it
REFUSED_HTTP = {"wrong static password": 401}


@dataclass
class _Answer:
    alias: str
    unlocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SessionRecorder:
    suite: Suite
    name: str = "Recorded session"
    password: str = DEMO_PASSWORD
    pin: str = DEMO_PIN
    keywords: Iterable[str] = tuple(DEMO_KEYWORDS)
    steps: list[dict[str, Any]] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._submitted: list[tuple[str, dict[str, Any]]] = []  # (user, login step args)
        self._aliases: dict[str, str] = {}  # request id -> session alias
        self._answers: dict[str, _Answer] = {}  # phone -> its open approval
        self._approvals: dict[str, dict[str, Any]] = {}  # session alias -> its approve step
        self._airplane = {n: p.settings.airplane_mode for n, p in self.suite.phones.items()}
        self._unsubscribe: Callable[[], None] | None = None

    # -- lifecycle -----------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self._unsubscribe is not None

    def start(self) -> None:
        self.stop()  # never two subscriptions
        self._unsubscribe = self.suite.events.subscribe(self.seen)

    def stop(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    # -- what the user did ------------------------------------------------------------
    def login_submitted(self, user_id: str, passkey: str) -> None:
        """The login client sent ``passkey`` for ``user_id`` (a step once the core answers)."""
        keyword = max((k for k in self.keywords if passkey.startswith(k)), key=len, default="")
        args: dict[str, Any] = {"user": user_id, "keyword": keyword}
        if passkey[len(keyword) :] != self.password:
            args["password"] = WRONG_PASSWORD
        self._submitted.append((user_id, args))

    def seen(self, event: Event) -> None:
        handler = self._HANDLERS.get(event.kind)
        if handler is not None:
            handler(self, event)

    def _take_login(self, event: Event) -> dict[str, Any] | None:
        user = str(event.details.get("user", "")).partition("@")[0]
        for index, (who, args) in enumerate(self._submitted):
            if who == user:
                del self._submitted[index]
                self._use_user(user)
                return args
        return None

    def _on_login(self, event: Event) -> None:
        args = self._take_login(event)
        if args is None or event.request_id is None:
            return
        alias = f"s{len(self._aliases) + 1}"
        self._aliases[event.request_id] = alias
        self._add("login", **args, **{"as": alias})

    def _on_login_refused(self, event: Event) -> None:
        if event.details.get("rateLimit"):
            return  # a refused, traced session: login.received came first
        status = next((s for t, s in REFUSED_HTTP.items() if event.summary.startswith(t)), None)
        args = self._take_login(event)
        if args is not None and status is not None:
            self._add("login", **args, expect_http=status)

    def _on_approve(self, event: Event) -> None:
        alias, phone = self._alias(event), self._phone(event)
        if alias is not None and phone is not None:
            self._answers[phone] = _Answer(alias)

    def _on_unlock(self, event: Event) -> None:
        phone = self._phone(event)
        answer = self._answers.get(phone or "")
        if phone is None or answer is None:
            return
        ok, method = event.kind == PhoneEvent.UNLOCK_SUCCEEDED, event.details.get("method")
        if method not in ("pin", "fingerprint"):
            return  # the device key: nothing the user typed or touched
        unlock: dict[str, Any] = {"phone": phone}
        if method == "fingerprint":
            enrolled = self.suite.phones[phone].sensor.enrolled
            unlock["finger"] = enrolled[0] if ok and enrolled else _other_finger(enrolled)
        else:
            unlock["pin"] = self.pin if ok else _other_than(self.pin)
        if not ok:
            unlock["expect_ok"] = False
        answer.unlocks.append(unlock)

    def _on_answer_end(self, event: Event) -> None:
        phone = self._phone(event)
        answer = self._answers.pop(phone or "", None)
        if phone is None or answer is None:
            return
        for unlock in answer.unlocks:
            self._add("unlock", **unlock)
        sent = {} if event.kind == PhoneEvent.RESPONSE_SENT else {"expect_ok": False}
        self._approvals[answer.alias] = self._add(
            "approve", phone=phone, session=answer.alias, **sent
        )

    def _on_reject(self, event: Event) -> None:
        alias, phone = self._alias(event), self._phone(event)
        if alias is not None and phone is not None:
            self._add("reject", phone=phone, session=alias)

    def _on_settings(self, event: Event) -> None:
        phone = self._phone(event)
        airplane = PhoneSettings.from_dict(event.details).airplane_mode
        if phone is not None and self._airplane.get(phone, False) != airplane:
            self._airplane[phone] = airplane
            self._add("offline" if airplane else "online", phone=phone)

    def _on_decided(self, event: Event) -> None:
        alias = self._alias(event)
        if alias is None:
            return
        status = str(event.details.get("status", ""))
        approval = self._approvals.get(alias)
        if approval is not None and event.details.get("check") == "number_matches":
            approval["pick"] = "wrong"  # the user picked another of the offered numbers
        if status == "timeout":
            self._add("wait", until_decided=alias)
        self._add("expect", session=alias, status=status, reason=event.details.get("reason", ""))

    _HANDLERS: ClassVar[dict[str, Callable[[SessionRecorder, Event], None]]] = {
        CoreEvent.LOGIN_RECEIVED: _on_login,
        CoreEvent.LOGIN_REFUSED: _on_login_refused,
        PhoneEvent.USER_APPROVE: _on_approve,
        PhoneEvent.UNLOCK_FAILED: _on_unlock,
        PhoneEvent.UNLOCK_SUCCEEDED: _on_unlock,
        PhoneEvent.RESPONSE_SENT: _on_answer_end,
        PhoneEvent.RESPONSE_FAILED: _on_answer_end,
        PhoneEvent.UNLOCK_CANCELLED: _on_answer_end,
        PhoneEvent.USER_REJECT: _on_reject,
        PhoneEvent.SETTINGS_CHANGED: _on_settings,
        CoreEvent.SESSION_DECIDED: _on_decided,
    }

    # -- names ---------------------------------------------------------------------
    def _alias(self, event: Event) -> str | None:
        return self._aliases.get(event.request_id or "")

    def _phone(self, event: Event) -> str | None:
        name = event.source.removeprefix("phone:")
        if not event.source.startswith("phone:") or name not in self.suite.phones:
            return None
        if name not in self.phones:
            self.phones.append(name)
        return name

    def _use_user(self, user: str) -> None:
        if user not in self.users:
            self.users.append(user)

    def _add(self, action: str, **args: Any) -> dict[str, Any]:
        step = {"do": action, **args}
        self.steps.append(step)
        return step

    # -- the file ------------------------------------------------------------------
    def toml(self, domain: Mapping[str, Any] | None = None) -> str:
        """The scenario file; ``domain``: the settings the replay starts from."""
        phones = [self._phone_spec(name) for name in self.phones]  # may add their users
        lines = [f"name = {_value(self.name)}", 'tags = ["recorded"]', ""]
        if domain:
            lines += ["[domain]", *_pairs(dict(domain)), ""]
        for user in self.users:
            lines += ["[[user]]", f"id = {_value(user)}", f"password = {_value(self.password)}", ""]
        for spec in phones:
            lines += ["[[phone]]", *_pairs(spec), ""]
        for step in self.steps:
            lines += ["[[step]]", *_pairs(step), ""]
        return "\n".join(lines)

    async def save(self, path: Path) -> Path:
        """Write the scenario, with the demo domain's settings as they are now."""
        record = await self.suite.core.service.directory.get_domain(DEMO_DOMAIN)
        domain = {key: getattr(record, key) for key in DOMAIN_SETTINGS}
        await asyncio.to_thread(path.write_text, self.toml(domain), encoding="utf-8")
        return path

    def _phone_spec(self, name: str) -> dict[str, Any]:
        phone = self.suite.phones[name]
        spec: dict[str, Any] = {"name": name, "platform": phone.platform.value}
        demo = next((d for d in DEMO_PHONES if d.name == name), None)
        enrollment = phone.app.state.enrollment
        if demo is not None:
            spec["app"] = demo.user.app_kind
        if enrollment is not None:
            spec["user"] = enrollment.user_id
            self._use_user(enrollment.user_id)
        spec["pin"] = self.pin
        if phone.sensor.enrolled:
            spec["fingers"] = list(phone.sensor.enrolled)
        return spec


def _other_than(pin: str) -> str:
    return "0000" if pin != "0000" else "1111"


def _other_finger(enrolled: tuple[str, ...]) -> str:
    return UNKNOWN_FINGER if UNKNOWN_FINGER not in enrolled else "right-pinky"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_value(k)} = {_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def _pairs(table: dict[str, Any]) -> list[str]:
    return [f"{key} = {_value(value)}" for key, value in table.items()]
