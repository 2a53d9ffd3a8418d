"""Handlers bound to the operations of ``routes.toml`` by operation id.

A route module marks each handler ``@operation``; its function name is the
operation id and it takes ``(service, request)``. Operations that only call a
service method with the path parameters and render the result declare
``call``/``view`` in the spec instead and get a generated handler. ``bind``
refuses a spec and a handler set that do not match one to one, so an
operation without a handler (or a handler without an operation) fails at
start, not at the first request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from core.api import views
from core.api.http import Handler, Request, Response, Router
from core.api.spec import Operation, Spec
from core.service import CoreService

OperationHandler = Callable[[CoreService, Request], Awaitable[Response]]
HANDLERS: dict[str, OperationHandler] = {}


def operation(handler: OperationHandler) -> OperationHandler:
    """Register ``handler`` as the one handler of the operation named like it."""
    name = getattr(handler, "__name__", "")
    if name in HANDLERS:
        raise ValueError(f"two handlers for operation {name}")
    HANDLERS[name] = handler
    return handler


def _resolve(service: CoreService, dotted: str) -> Callable[..., Awaitable[Any]]:
    target: Any = service
    for part in dotted.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _called(service: CoreService, op: Operation) -> Handler:
    """The handler of a ``call`` operation: the call, then 200 with the view, or 204."""
    assert op.call is not None
    call = _resolve(service, op.call)
    view = None if op.view is None else getattr(views, op.view)

    async def handler(request: Request) -> Response:
        result = await call(*request.params.values(), *op.args)
        if view is None:
            return Response(204)
        if op.list_key is not None:
            return Response(200, {op.list_key: [view(item) for item in result]})
        return Response(200, view(result))

    return handler


def handler_for(service: CoreService, op: Operation) -> Handler:
    if op.call is not None:
        return _called(service, op)
    return partial(HANDLERS[op.id], service)


def check_bindings(spec: Spec) -> None:
    """Every operation has exactly one handler (``@operation`` or ``call``) and vice versa."""
    declared = {op.id for op in spec.operations.values() if op.call is None}
    called = {op.id for op in spec.operations.values() if op.call is not None}
    problems = [
        *(f"{name}: declared, no handler" for name in sorted(declared - HANDLERS.keys())),
        *(f"{name}: handler, not declared" for name in sorted(HANDLERS.keys() - declared)),
        *(f"{name}: both call and handler" for name in sorted(called & HANDLERS.keys())),
    ]
    if problems:
        raise ValueError("routes.toml and the handlers disagree: " + "; ".join(problems))


def bind(router: Router, service: CoreService, spec: Spec) -> None:
    check_bindings(spec)
    for op in spec.operations.values():
        router.route(
            op.method,
            op.path,
            summary=op.summary,
            tag=op.tag,
            admin=op.admin,
            body=spec.schemas.get(op.body) if op.body else None,
            responses=op.responses,
            query={name: entry["description"] for name, entry in op.query.items()},
        )(handler_for(service, op))
