"""GET /openapi.json, generated from ``routes.toml``, the spec the router is built from."""

from __future__ import annotations

from functools import cache
from typing import Any

from core.api import spec as api_spec
from core.api.http import Request, Response
from core.api.operations import operation
from core.api.spec import Operation, Spec
from core.service import CoreService

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


def _parameters(spec: Spec, op: Operation) -> list[dict[str, Any]]:
    path = [
        {"name": name, "in": "path", "required": True, **spec.parameters[name]}
        for name in op.params
    ]
    query = [
        {"name": name, "in": "query", "required": entry.get("required", False), **entry}
        for name, entry in op.query.items()
    ]
    return path + query


def _response(status: int, text: str) -> dict[str, Any]:
    if status == 204:
        return {"description": text}
    schema = {"$ref": "#/components/schemas/Error"} if status >= 400 else {"type": "object"}
    return {"description": text, "content": {"application/json": {"schema": schema}}}


def _operation(spec: Spec, op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.id,
        "parameters": _parameters(spec, op),
        "responses": {str(s): _response(s, text) for s, text in op.responses.items()},
    }
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{op.body}"}}
            },
        }
    if op.admin:
        out["security"] = [{"adminToken": []}]
    return out


@cache
def document() -> dict[str, Any]:
    spec = api_spec.load()
    paths: dict[str, dict[str, Any]] = {}
    for op in spec.operations.values():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(spec, op)
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
            "schemas": {"Error": ERROR_SCHEMA, **spec.schemas},
            "securitySchemes": {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the workspace admin token",
                }
            },
        },
    }


@operation
async def openapi(service: CoreService, request: Request) -> Response:
    return Response(200, document())
