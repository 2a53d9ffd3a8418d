"""GET /openapi.json, generated from the route table so it cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any

from core.api.http import Request, Response, Router

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message", "validationErrors"],
    "properties": {
        "message": {"type": "string"},
        "validationErrors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def document(router: Router) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in router.routes:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": route.handler.__name__,
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"\{(\w+)\}", route.pattern)
            ]
            + [
                {"name": name, "in": "query", "description": text, "schema": {"type": "string"}}
                for name, text in route.query.items()
            ],
            "responses": {
                str(status): {
                    "description": text,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"}
                            if status >= 400
                            else {"type": "object"}
                        }
                    },
                }
                for status, text in route.responses.items()
            },
        }
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": route.body}},
            }
        if route.admin:
            operation["security"] = [{"adminToken": []}]
        paths.setdefault(route.pattern, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PushSim validation core",
            "version": "1",
            "description": "Push-notification two-step authentication, simulated on 127.0.0.1. "
            "Errors: {message, validationErrors}; bodies over 64 KiB -> 413.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the workspace admin token",
                }
            },
        },
    }


def register(router: Router) -> None:
    @router.route(
        "GET",
        "/openapi.json",
        summary="This document",
        tag="meta",
        responses={200: "OpenAPI 3.1"},
    )
    async def openapi(request: Request) -> Response:
        return Response(200, document(router))
