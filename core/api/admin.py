"""Administration (admin token): domains, push app configurations, users."""

from __future__ import annotations

import json
from typing import Any

from core.api.http import ApiError, Request, Response
from core.api.operations import operation
from core.api.validation import Fields
from core.api.views import domain_json, push_app_json, user_json
from core.service import CoreService
from core.storage.records import PushAppRecord

DOMAIN_FIELDS = {
    # JSON name -> (record field, kind)
    "mobileApplicationName": ("mobile_app_name", "str"),
    "requestMethod": ("request_method", "str"),
    "keywords": ("keywords", "map"),
    "pushTimeout": ("push_timeout", "int"),
    "lockoutThreshold": ("lockout_threshold", "int"),
    "pollFallback": ("poll_fallback", "bool"),
    "numberMatching": ("number_matching", "bool"),
    "revealUnknownUsers": ("reveal_unknown_users", "bool"),
    "pushRateLimit": ("push_rate_limit", "int"),
    "pushRateWindow": ("push_rate_window", "int"),
}


def domain_changes(fields: Fields) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, (attribute, kind) in DOMAIN_FIELDS.items():
        value: Any
        if kind == "str":
            value = fields.opt_string(name, max_len=255, min_len=1)
        elif kind == "map":
            value = fields.opt_string_map(name, max_items=16)
        elif kind == "int":
            value = fields.opt_integer(name, low=0, high=100_000)
        else:
            value = fields.opt_boolean(name)
        if value is not None:
            changes[attribute] = value
    return changes


def parse_push_app(fields: Fields, created: float, app_id: str | None = None) -> PushAppRecord:
    app_id = app_id or fields.string("appID", max_len=255)
    platform = fields.string("platform", choices=("android", "ios"))
    values: dict[str, Any] = {
        "endpoint": fields.opt_string("endpoint", max_len=1024),
        "token_uri": fields.opt_string("tokenURI", max_len=1024),
    }
    fcm = fields.opt_object("fcm")
    if fcm is not None:
        raw = fcm.raw("serviceAccount")
        if isinstance(raw, dict):
            values["fcm_service_account"] = json.dumps(raw)
        else:
            values["fcm_service_account"] = fcm.opt_string(
                "serviceAccount", max_len=32768, min_len=1
            )
        values["fcm_project_id"] = fcm.opt_string("projectID", max_len=128)
        values["fcm_legacy_server_key"] = fcm.opt_string("legacyServerKey", max_len=4096, min_len=1)
        fields.merge(fcm)
    apns = fields.opt_object("apns")
    if apns is not None:
        values["apns_auth"] = apns.opt_string("auth", choices=("token", "certificate"))
        values["apns_key_pem"] = apns.opt_string("keyPem", max_len=8192, min_len=1)
        values["apns_key_id"] = apns.opt_string("keyID", max_len=32, min_len=1)
        values["apns_team_id"] = apns.opt_string("teamID", max_len=32, min_len=1)
        values["apns_cert_pem"] = apns.opt_string("certificatePem", max_len=32768, min_len=1)
        values["apns_bundle_id"] = apns.opt_string("bundleID", max_len=255)
        values["apns_environment"] = (
            apns.opt_string("environment", choices=("sandbox", "production")) or "sandbox"
        )
        fields.merge(apns)
    fields.done()
    return PushAppRecord(app_id=app_id, platform=platform, created=created, **values)


@operation
async def create_domain(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    name = fields.string("name", max_len=64)
    changes = domain_changes(fields)
    fields.done()
    app_name = changes.pop("mobile_app_name", None)
    if app_name is None:
        raise ApiError(
            400,
            "invalid request body",
            validation_errors=[{"field": "mobileApplicationName", "message": "is required"}],
        )
    directory = service.directory
    domain = await directory.create_domain(directory.new_domain(name, app_name, **changes))
    return Response(201, domain_json(domain))


@operation
async def update_domain(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    changes = fields.checked(domain_changes(fields))
    domain = await service.directory.update_domain(request.params["name"], changes)
    return Response(200, domain_json(domain))


@operation
async def create_push_app(service: CoreService, request: Request) -> Response:
    app = parse_push_app(Fields(request.json()), service.context.clock.now())
    return Response(201, push_app_json(await service.directory.put_push_app(app, replace=False)))


@operation
async def replace_push_app(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    app = parse_push_app(fields, service.context.clock.now(), request.params["appID"])
    return Response(200, push_app_json(await service.directory.put_push_app(app, replace=True)))


@operation
async def list_users(service: CoreService, request: Request) -> Response:
    users = await service.directory.list_users(request.query.get("domain"))
    return Response(200, {"users": [user_json(u) for u in users]})


@operation
async def create_user(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    user = await service.directory.create_user(
        fields.string("userID", max_len=128),
        fields.string("domain", max_len=64),
        fields.checked(fields.opt_string("password", max_len=256, min_len=1)),
    )
    return Response(201, user_json(user))


@operation
async def update_user(service: CoreService, request: Request) -> Response:
    fields = Fields(request.json())
    password = fields.opt_string("password", max_len=256, min_len=1)
    locked = fields.checked(fields.opt_boolean("locked"))
    params = request.params
    user = await service.directory.update_user(
        params["userID"], params["domain"], password=password, locked=locked
    )
    return Response(200, user_json(user))
