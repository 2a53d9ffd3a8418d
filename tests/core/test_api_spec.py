"""routes.toml is the one declaration of the core API: router, handlers and /openapi.json."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from core.api import app as core_app
from core.api import spec as api_spec
from core.api.operations import HANDLERS, check_bindings
from tests.core.device_core import ADMIN_TOKEN, CoreEnv

ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}


def test_every_operation_has_exactly_one_handler() -> None:
    spec = api_spec.load()
    check_bindings(spec)  # raises on any mismatch
    called = {op.id for op in spec.operations.values() if op.call is not None}
    assert set(HANDLERS) | called == set(spec.operations)
    assert not set(HANDLERS) & called
    assert core_app.HANDLER_MODULES  # the modules that hold the handlers are imported


def test_a_mismatch_is_refused_at_start() -> None:
    spec = api_spec.load()
    extra = dataclasses.replace(spec.operations["login"], id="ghost")
    with pytest.raises(ValueError, match="ghost: declared, no handler"):
        check_bindings(dataclasses.replace(spec, operations={**spec.operations, "ghost": extra}))
    without_login = {k: v for k, v in spec.operations.items() if k != "login"}
    with pytest.raises(ValueError, match="login: handler, not declared"):
        check_bindings(dataclasses.replace(spec, operations=without_login))


def test_router_serves_exactly_the_declared_operations(core_env: CoreEnv) -> None:
    router = core_app.build_router(core_env.service)
    routes = {(r.method, r.pattern) for r in router.routes}
    assert routes == {(op.method, op.path) for op in api_spec.load().operations.values()}


async def test_openapi_states_formats_and_every_status(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) == len(api_spec.load().operations)
    for op in operations:
        for parameter in op["parameters"]:
            if parameter["in"] == "path":
                assert parameter["required"] is True
                assert parameter["schema"]["pattern"].startswith("^"), parameter
        if op["parameters"] or "requestBody" in op:
            assert "400" in op["responses"], op["operationId"]
        if "requestBody" in op:
            assert "413" in op["responses"], op["operationId"]
            assert "415" in op["responses"], op["operationId"]
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]
        if "security" in op:
            assert "401" in op["responses"], op["operationId"]
    login = document["paths"]["/v1/users/{userID}@{domain}/login"]["post"]
    assert login["operationId"] == "login"
    assert set(login["responses"]) == {
        "200",
        "400",
        "401",
        "404",
        "409",
        "413",
        "415",
        "423",
        "429",
    }


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/admin/authenticators/PS123", "serial"),
        ("/v1/sessions/has%20space", "requestID"),
        ("/v1/admin/domains/-x", "name"),
        ("/v1/admin/push-apps/.hidden", "appID"),
    ],
)
async def test_a_path_parameter_outside_its_format_is_400_naming_it(
    api: httpx.AsyncClient, path: str, field: str
) -> None:
    response = await api.get(path, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == field


async def test_admin_check_comes_before_the_path_check(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/admin/authenticators/PS123")).status_code == 401
