"""What a scenario file may say: its tables, the step actions and their fields.

The schema is data, not code, so the validator, the documentation
(``docs/scenarios.md``) and the recorder all read the same table. A field is
a JSON-ish type (``str``, ``int``, ``number``, ``bool``, ``list[str]``,
``table``), may be required, and may list its allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.protocol.session import Check

# The value kinds a field can have, with the Python types tomllib gives them.
KINDS: Mapping[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "number": (int, float),
    "bool": (bool,),
    "list[str]": (list,),
    "list[int]": (list,),
    "table": (dict,),
    "array": (list,),  # an array of tables: [[user]], [[step]] ...
}


@dataclass(frozen=True)
class Field:
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""
    value_choices: tuple[str, ...] = ()  # for a table: what each of its values may be

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


@dataclass(frozen=True)
class Action:
    doc: str
    fields: Mapping[str, Field] = field(default_factory=dict)
    # at least one of these must be present (e.g. an expectation needs something to expect)
    one_of: tuple[str, ...] = ()
    # key -> the key it needs beside it (an authenticator status needs the phone)
    needs: Mapping[str, str] = field(default_factory=dict)


PLATFORMS = ("android", "ios")
APP_KINDS = ("authenticator", "sdk")
PROTECTIONS = ("device", "pin", "fingerprint")
SERVICES = ("fcm", "apns")
REQUEST_METHODS = ("KeywordPassword", "PasswordKeyword", "KeywordOnly", "Password", "None")
STATUSES = ("pending", "accepted", "refused", "timeout", "failure")
AUTHENTICATOR_STATUSES = ("active", "locked", "deactivated", "push-unregistered")
FAULT_KINDS = (
    "latency",
    "drop",
    "error",
    "offline",
    "uninstall",
    "rate_limit",
    "outage",
    "expired_credentials",
    "invalid_credentials",
)
CHECKS = tuple(check.value for check in Check)

_PHONE = Field("str", required=True, doc="a phone of the [[phone]] tables")
_SESSION = Field("str", doc="a session alias given by a login's `as` (default: the last login)")
_HTTP = Field("int", doc="the HTTP status the call must get (default: any success)")
_OK = Field("bool", doc="default true; false: the phone must refuse (e.g. the app is locked)")

# Top-level keys of a scenario file.
SCENARIO: Mapping[str, Field] = {
    "name": Field("str", required=True, doc="one line, shown in reports"),
    "description": Field("str", doc="what the scenario shows and why"),
    "tags": Field("list[str]", doc="for filtering: approve, reject, fcm, apns, attack ..."),
    "seed": Field("int", doc="seed of the mocks' fault plans (the CLI's --seed wins)"),
    "timeout": Field("number", doc="seconds the whole scenario may take (default 60)"),
    "domain": Field("table", doc="the scenario's own domain settings"),
    "user": Field("array", doc="[[user]] tables"),
    "phone": Field("array", doc="[[phone]] tables"),
    "fault": Field("array", doc="[[fault]] tables: faults present from the start"),
    "step": Field("array", doc="[[step]] tables, run in order"),
}

DOMAIN: Mapping[str, Field] = {
    "request_method": Field("str", choices=REQUEST_METHODS),
    "keywords": Field("table", doc="keyword -> the unlock it requires", value_choices=PROTECTIONS),
    "push_timeout": Field("int", doc="seconds a push login stays pending (1-300)"),
    "lockout_threshold": Field("int", doc="wrong static passwords before the user is locked"),
    "poll_fallback": Field("bool", doc="phones may poll for pending requests"),
    "number_matching": Field("bool", doc="the login shows a number the user picks on the phone"),
    "push_rate_limit": Field("int", doc="pushes per user and authenticator per window (1-1000)"),
    "push_rate_window": Field("int", doc="the push rate limit's window in seconds"),
}

USER: Mapping[str, Field] = {
    "id": Field("str", required=True, doc="user ID, unique within the scenario"),
    "password": Field("str", doc="static password (default: a generated one)"),
}

PHONE: Mapping[str, Field] = {
    "name": Field("str", required=True, doc="phone name, unique within the scenario"),
    "platform": Field("str", required=True, choices=PLATFORMS),
    "app": Field("str", choices=APP_KINDS, doc="default authenticator"),
    "user": Field("str", doc="activated for this user during setup"),
    "pin": Field("str", doc="the app PIN chosen at activation (default 2468)"),
    "fingers": Field("list[str]", doc="enrolled fingers, e.g. right-thumb"),
    "auto": Field("str", choices=("approve", "reject", "ignore"), doc="auto-responder policy"),
}

FAULT: Mapping[str, Field] = {
    "service": Field("str", required=True, choices=SERVICES),
    "kind": Field("str", required=True, choices=FAULT_KINDS),
    "phone": Field("str", doc="only this phone's push token (default: the whole service)"),
    "id": Field("str", doc="a name to clear it by"),
    "reason": Field("str", doc="an error fault's provider error (APNs reason, FCM error code)"),
    "seconds": Field("number", doc="latency, or how long an outage lasts"),
    "count": Field("int", doc="how many sends it affects (default: until cleared)"),
    "retry_after": Field("int", doc="Retry-After seconds of a rate limit"),
}

ACTIONS: Mapping[str, Action] = {
    "login": Action(
        "POST the login with keyword + password (or a raw passKey)",
        {
            "user": Field("str", required=True),
            "keyword": Field("str", doc="default: the domain's first keyword"),
            "password": Field("str", doc="default: the user's password"),
            "passkey": Field("str", doc="the raw passKey, instead of keyword + password"),
            "as": Field("str", doc="alias to refer to this session later"),
            "request_id": Field("str"),
            "expect_http": _HTTP,
        },
    ),
    "expect_notification": Action(
        "a notification for the session reaches the phone (or not) within a time",
        {
            "phone": _PHONE,
            "session": _SESSION,
            "within": Field("number", doc="seconds (default 5)"),
            "delivered": Field("bool", doc="default true; false: nothing arrives in time"),
        },
    ),
    "unlock": Action(
        "unlock the app with a PIN or a finger",
        {
            "phone": _PHONE,
            "pin": Field("str"),
            "finger": Field("str"),
            "expect_ok": Field("bool", doc="default true; false: the unlock must fail"),
        },
        one_of=("pin", "finger"),
    ),
    "approve": Action(
        "approve the session's notification on the phone",
        {
            "phone": _PHONE,
            "session": _SESSION,
            "number": Field("int", doc="the number picked (number matching)"),
            "pick": Field(
                "str",
                choices=("right", "wrong"),
                doc="pick the login's number, or another offered one (default right)",
            ),
            "expect_http": _HTTP,
            "expect_ok": _OK,
        },
    ),
    "reject": Action(
        "reject the session's notification on the phone",
        {"phone": _PHONE, "session": _SESSION, "expect_http": _HTTP, "expect_ok": _OK},
    ),
    "poll": Action(
        "the phone asks the core for a pending request (poll fallback)", {"phone": _PHONE}
    ),
    "offline": Action("airplane mode on", {"phone": _PHONE}),
    "online": Action("airplane mode off", {"phone": _PHONE}),
    "advance_clock": Action(
        "move the simulated clock forward",
        {"seconds": Field("number", required=True)},
    ),
    "set_push_app": Action(
        "change the iOS push app configuration",
        {"bundle_id": Field("str", doc='the APNs topic; "" = none: the app ID is the topic')},
        one_of=("bundle_id",),
    ),
    "set_domain": Action("change the scenario's domain settings", DOMAIN, one_of=tuple(DOMAIN)),
    "inject_fault": Action("add a fault to a mock", FAULT),
    "clear_fault": Action(
        "remove a fault by id, or all faults",
        {"id": Field("str"), "all": Field("bool")},
        one_of=("id", "all"),
    ),
    "uninstall": Action("uninstall the authenticator app", {"phone": _PHONE}),
    "reinstall": Action("install the app again and register for pushes", {"phone": _PHONE}),
    "activate": Action(
        "activate the phone for a user (the two-step offline activation)",
        {"phone": _PHONE, "user": Field("str", required=True), "pin": Field("str")},
    ),
    "replay_last_response": Action(
        "post the phone's last response message again",
        {"phone": _PHONE, "expect_http": _HTTP},
    ),
    "tamper_last_response": Action(
        "flip one bit of the phone's last response message and post it",
        {"phone": _PHONE, "expect_http": _HTTP},
    ),
    "answer_other_session": Action(
        "answer session `for` with the signed answer made for session `with`",
        {
            "phone": _PHONE,
            "for": Field("str", required=True, doc="the session to answer"),
            "with": Field("str", required=True, doc="the session whose request is answered"),
            "expect_http": _HTTP,
        },
    ),
    "wait": Action(
        "wait a number of seconds, or until the session is decided",
        {
            "seconds": Field("number", doc="with `until_decided`: the most it may take"),
            "until_decided": Field("str", doc="session alias"),
        },
        one_of=("seconds", "until_decided"),
    ),
    "expect": Action(
        "check the state of a session, an authenticator, a user or a phone",
        {
            "session": _SESSION,
            "status": Field("str", choices=STATUSES),
            "reason": Field("str", doc="exact reason"),
            "reason_contains": Field("str"),
            "failed_check": Field("str", choices=CHECKS),
            "trace_contains": Field(
                "list[str]",
                doc="check names (ran), `check=passed|failed`, `step:N`, `kind:<event kind>`",
            ),
            "phone": Field("str"),
            "authenticator_status": Field("str", choices=AUTHENTICATOR_STATUSES),
            "notification": Field("str", choices=("delivered", "none")),
            "user": Field("str"),
            "locked": Field("bool"),
            "cooldown": Field("bool"),
        },
        one_of=(
            "status",
            "reason",
            "reason_contains",
            "failed_check",
            "trace_contains",
            "authenticator_status",
            "notification",
            "locked",
            "cooldown",
        ),
        needs={
            "authenticator_status": "phone",
            "notification": "phone",
            "locked": "user",
            "cooldown": "user",
        },
    ),
}

# Steps whose `phone` must exist, and the keys naming a user or a session alias.
USER_KEYS = ("user",)
SESSION_KEYS = ("session", "for", "with", "until_decided")
