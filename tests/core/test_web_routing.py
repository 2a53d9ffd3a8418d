"""The one router: templated and regex paths, metadata optional, stream routes, the mocks' app."""

from __future__ import annotations

import httpx
import pytest

from core.web.asgi import Receive, Scope, Send
from core.web.dispatch import RoutedApp
from core.web.errors import ApiError
from core.web.routing import Request, Response, Router, WireResponse, compile_pattern, with_params


def _groups(pattern: str, path: str) -> dict[str, str] | None:
    found = compile_pattern(pattern).match(path)
    return None if found is None else found.groupdict()


def test_templates_regex_groups_and_colons_in_segments() -> None:
    send = "/v1/projects/{project}/messages:send"
    assert _groups(send, "/v1/projects/demo-1/messages:send") == {"project": "demo-1"}
    assert _groups(send, "/v1/projects/demo/messagesXsend") is None  # ':' is literal
    assert _groups(send, "/v1/projects/a/b/messages:send") is None  # one segment
    login = "/v1/users/{userID}@{domain}/login"
    assert _groups(login, "/v1/users/a@b@demo/login") == {"userID": "a@b", "domain": "demo"}
    fault = r"/faults/(?P<fault_id>f\d+)/(?P<action>on|off)"
    assert _groups(fault, "/faults/f12/off") == {"fault_id": "f12", "action": "off"}
    assert _groups(fault, "/faults/x12/off") is None
    token = "/d/(?P<token>[a-z:]{1,3})/stream"
    assert _groups(token, "/d/a:b/stream") == {"token": "a:b"}
    assert _groups(token, "/d/abcd/stream") is None
    with pytest.raises(ValueError, match="unbalanced"):
        compile_pattern("/x/(?P<y>[a-z]")


async def _ok(request: Request) -> Response:
    return Response(200, {"path": request.path})


def test_metadata_is_optional_and_match_answers_404_and_405() -> None:
    router = Router()
    router.add("GET", "/plain", _ok)
    router.route("POST", "/typed", summary="typed", tag="t", body={"type": "object"})(_ok)
    plain, typed = router.routes
    assert (plain.summary, plain.admin, plain.responses) == ("", False, {200: "OK"})
    assert typed.responses == {200: "OK", 415: "Content-Type is not application/json"}
    router.add("delete", "/plain", _ok)  # methods are upper-cased on add
    assert router.match("GET", "/plain")[0] is plain
    assert router.match("DELETE", "/plain")[0].method == "DELETE"
    with pytest.raises(ApiError) as refused:
        router.match("POST", "/plain")
    assert (refused.value.status, refused.value.headers) == (405, {"allow": "DELETE, GET"})
    with pytest.raises(ApiError) as missing:
        router.match("GET", "/nowhere")
    assert missing.value.status == 404


async def _stream(scope: Scope, receive: Receive, send: Send, params: dict[str, str]) -> None:
    await receive()
    headers = [(b"content-type", b"application/x-ndjson")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for line in (b'{"hello":"' + params["name"].encode() + b'"}\n', b'{"bye":1}\n'):
        await send({"type": "http.response.body", "body": line, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def test_routed_app_serves_plain_stream_and_included_routes() -> None:
    async def echo(request: Request, params: dict[str, str]) -> WireResponse:
        return WireResponse.json(201, {"params": params, "body": request.json()})

    inner = Router()
    inner.stream("GET", "/s/{name}/stream", _stream)
    router = Router()
    router.add("POST", "/e/{id}", with_params(echo))
    router.add("GET", "/core", _ok)  # a core ``Response`` is answered in its wire form
    router.include(inner)

    def not_found(request: Request) -> WireResponse:
        return WireResponse.json(404, {"error": {"code": 404, "path": request.path}})

    app = RoutedApp(router, not_found=not_found, body_limit=10)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://mock.test") as http:
        echoed = await http.post("/e/7", json={"a": 1})
        assert (echoed.status_code, echoed.json()) == (
            201,
            {"params": {"id": "7"}, "body": {"a": 1}},
        )
        core = await http.get("/core")
        assert core.headers["cache-control"] == "no-store"
        assert core.json() == {"path": "/core"}
        async with http.stream("GET", "/s/ann/stream") as streamed:
            lines = [line async for line in streamed.aiter_lines()]
        assert lines == ['{"hello":"ann"}', '{"bye":1}']
        assert (await http.post("/e/7", content=b"x" * 11)).status_code == 413
        assert (await http.get("/e/7")).json() == {"message": "GET is not allowed on /e/7"}
        assert (await http.get("/nope")).json() == {"error": {"code": 404, "path": "/nope"}}
