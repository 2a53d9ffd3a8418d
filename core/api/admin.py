"""Administration (admin token): domains, push app configurations, users."""

from __future__ import annotations

import json
from typing import Any

from core.api.admin_route import admin_routes, keyed, listing
from core.api.http import ApiError, Request, Response, Router
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
DOMAIN_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "mobileApplicationName": {"type": "string", "description": "the default app ID"},
        "requestMethod": {
            "enum": ["KeywordPassword", "PasswordKeyword", "KeywordOnly", "Password", "None"]
        },
        "keywords": {
            "type": "object",
            "additionalProperties": {"enum": ["device", "pin", "fingerprint"]},
        },
        "pushTimeout": {"type": "integer", "minimum": 1, "maximum": 300},
        "lockoutThreshold": {"type": "integer", "minimum": 1},
        "pollFallback": {"type": "boolean"},
        "numberMatching": {"type": "boolean"},
        "revealUnknownUsers": {
            "type": "boolean",
            "description": "404 for an unknown user at login (demos); default the same 401",
        },
        "pushRateLimit": {"type": "integer", "minimum": 1, "maximum": 1000},
        "pushRateWindow": {"type": "integer", "minimum": 1, "maximum": 86400},
    },
}
PUSH_APP_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["appID", "platform"],
    "properties": {
        "appID": {"type": "string"},
        "platform": {"enum": ["android", "ios"]},
        "fcm": {
            "type": "object",
            "properties": {
                "projectID": {"type": "string"},
                "serviceAccount": {"type": ["object", "string"]},
                "legacyServerKey": {"type": "string", "description": "refused at send time"},
            },
        },
        "apns": {
            "type": "object",
            "properties": {
                "auth": {"enum": ["token", "certificate"]},
                "keyPem": {"type": "string"},
                "keyID": {"type": "string"},
                "teamID": {"type": "string"},
                "certificatePem": {"type": "string", "description": "certificate + key"},
                "bundleID": {"type": "string", "description": "defaults to the app ID"},
                "environment": {"enum": ["sandbox", "production"]},
            },
        },
        "endpoint": {"type": "string", "description": "override the provider URL"},
        "tokenURI": {"type": "string", "description": "override the OAuth token URL (FCM)"},
    },
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
            values["fcm_service_account"] = fcm.opt_string("serviceAccount", max_len=32768)
        values["fcm_project_id"] = fcm.opt_string("projectID", max_len=128)
        values["fcm_legacy_server_key"] = fcm.opt_string("legacyServerKey", max_len=4096)
        fields.merge(fcm)
    apns = fields.opt_object("apns")
    if apns is not None:
        values["apns_auth"] = apns.opt_string("auth", choices=("token", "certificate"))
        values["apns_key_pem"] = apns.opt_string("keyPem", max_len=8192)
        values["apns_key_id"] = apns.opt_string("keyID", max_len=32)
        values["apns_team_id"] = apns.opt_string("teamID", max_len=32)
        values["apns_cert_pem"] = apns.opt_string("certificatePem", max_len=32768)
        values["apns_bundle_id"] = apns.opt_string("bundleID", max_len=255)
        values["apns_environment"] = (
            apns.opt_string("environment", choices=("sandbox", "production")) or "sandbox"
        )
        fields.merge(apns)
    fields.done()
    return PushAppRecord(app_id=app_id, platform=platform, created=created, **values)


USER_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["userID", "domain"],
    "properties": {
        "userID": {"type": "string"},
        "domain": {"type": "string"},
        "password": {"type": "string"},
    },
}
USER_PATCH_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {"password": {"type": "string"}, "locked": {"type": "boolean"}},
}
DOMAINS = "/v1/admin/domains"
PUSH_APPS = "/v1/admin/push-apps"
USERS = "/v1/admin/users"
USER = USERS + "/{userID}@{domain}"


def register(router: Router, service: CoreService) -> None:
    directory = service.directory

    async def create_domain(request: Request) -> Response:
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
        domain = await directory.create_domain(directory.new_domain(name, app_name, **changes))
        return Response(201, domain_json(domain))

    async def update_domain(request: Request) -> Response:
        fields = Fields(request.json())
        changes = domain_changes(fields)
        fields.done()
        domain = await directory.update_domain(request.params["name"], changes)
        return Response(200, domain_json(domain))

    async def create_push_app(request: Request) -> Response:
        app = parse_push_app(Fields(request.json()), service.context.clock.now())
        return Response(201, push_app_json(await directory.put_push_app(app, replace=False)))

    async def replace_push_app(request: Request) -> Response:
        fields = Fields(request.json())
        app = parse_push_app(fields, service.context.clock.now(), request.params["appID"])
        return Response(200, push_app_json(await directory.put_push_app(app, replace=True)))

    async def list_users(request: Request) -> Response:
        users = await directory.list_users(request.query.get("domain"))
        return Response(200, {"users": [user_json(u) for u in users]})

    async def create_user(request: Request) -> Response:
        fields = Fields(request.json())
        user_id = fields.string("userID", max_len=128)
        domain = fields.string("domain", max_len=64)
        password = fields.opt_string("password", max_len=256, min_len=1)
        fields.done()
        return Response(201, user_json(await directory.create_user(user_id, domain, password)))

    async def update_user(request: Request) -> Response:
        fields = Fields(request.json())
        password = fields.opt_string("password", max_len=256, min_len=1)
        locked = fields.opt_boolean("locked")
        fields.done()
        user = await directory.update_user(
            request.params["userID"], request.params["domain"], password=password, locked=locked
        )
        return Response(200, user_json(user))

    listed = keyed("list_domains", directory.list_domains, listing("domains", domain_json))
    apps = keyed("list_push_apps", directory.list_push_apps, listing("pushApps", push_app_json))
    admin_routes(
        router,
        [
            # -- domains -------------------------------------------------------
            (f"GET {DOMAINS}", "List domains", {200: "{domains: [...]}"}, listed),
            (
                f"POST {DOMAINS}",
                "Create a domain",
                {201: "the domain", 400: "invalid", 409: "exists"},
                create_domain,
                {"body": DOMAIN_BODY},
            ),
            (
                f"GET {DOMAINS}/{{name}}",
                "One domain",
                {200: "the domain", 404: "unknown"},
                keyed("get_domain", directory.get_domain, domain_json),
            ),
            (
                f"PATCH {DOMAINS}/{{name}}",
                "Change domain options",
                {200: "the domain", 400: "invalid", 404: "unknown"},
                update_domain,
                {"body": DOMAIN_BODY},
            ),
            (
                f"DELETE {DOMAINS}/{{name}}",
                "Delete an empty domain",
                {204: "deleted", 404: "unknown", 409: "has users"},
                keyed("delete_domain", directory.delete_domain),
            ),
            # -- push apps -----------------------------------------------------
            (
                f"GET {PUSH_APPS}",
                "List push app configurations",
                {200: "{pushApps: [...]} (keys redacted)"},
                apps,
            ),
            (
                f"POST {PUSH_APPS}",
                "Create a push app configuration",
                {201: "the configuration (keys redacted)", 400: "invalid", 409: "exists"},
                create_push_app,
                {"body": PUSH_APP_BODY},
            ),
            (
                f"GET {PUSH_APPS}/{{appID}}",
                "One push app configuration",
                {200: "keys redacted", 404: "unknown"},
                keyed("get_push_app", directory.get_push_app, push_app_json),
            ),
            (
                f"PUT {PUSH_APPS}/{{appID}}",
                "Replace a push app configuration",
                {200: "keys redacted", 400: "invalid", 404: "unknown"},
                replace_push_app,
                {"body": PUSH_APP_BODY},
            ),
            (
                f"DELETE {PUSH_APPS}/{{appID}}",
                "Delete a push app configuration",
                {204: "deleted", 404: "unknown"},
                keyed("delete_push_app", directory.delete_push_app),
            ),
            # -- users ---------------------------------------------------------
            (
                f"GET {USERS}",
                "List users (?domain=)",
                {200: "{users: [...]}"},
                list_users,
                {"query": {"domain": "only this domain"}},
            ),
            (
                f"POST {USERS}",
                "Create a user (password stored as scrypt hash)",
                {201: "the user", 400: "invalid", 404: "unknown domain", 409: "exists"},
                create_user,
                {"body": USER_BODY},
            ),
            (
                f"GET {USER}",
                "One user",
                {200: "the user", 404: "unknown"},
                keyed("get_user", directory.get_user, user_json),
            ),
            (
                f"PATCH {USER}",
                "Set password or lock state",
                {200: "the user", 400: "invalid", 404: "unknown"},
                update_user,
                {"body": USER_PATCH_BODY},
            ),
            (
                f"POST {USER}/unlock",
                "Clear lockout, failed attempts and reject cool-down",
                {200: "the user", 404: "unknown"},
                keyed("unlock_user", directory.unlock_user, user_json),
            ),
            (
                f"DELETE {USER}",
                "Delete a user",
                {204: "deleted", 404: "unknown"},
                keyed("delete_user", directory.delete_user),
            ),
        ],
    )
