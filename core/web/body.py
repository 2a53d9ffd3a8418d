"""Reading a request body from ASGI ``http.request`` messages, with a size limit.

``limit`` is the largest body accepted. ``drain_limit`` (at least ``limit``)
lets a slightly oversized body be read to its end and discarded before the
413: hypercorn drops a whole HTTP/2 connection when DATA arrives for a stream
already answered. Past ``drain_limit`` the reader gives up at once.
``require_json_media_type`` is the 415 for a JSON body sent as something else.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.web.asgi import Receive
from core.web.errors import ApiError


class BodyTooLarge(Exception):
    """The body is longer than the reader's ``limit``."""


class ClientGone(Exception):
    """The client disconnected before its request body was complete."""


JSON_MEDIA_TYPE = "application/json"


def require_json_media_type(headers: Mapping[str, str]) -> None:
    """415 unless Content-Type is ``application/json`` (parameters such as charset allowed)."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise ApiError(415, f"Content-Type must be {JSON_MEDIA_TYPE}")


def declared_length(headers: Mapping[str, str]) -> int | None:
    """The Content-Length header as a number; 400 when it is not one."""
    declared = headers.get("content-length")
    if declared is None:
        return None
    if not declared.isdigit():
        raise ApiError(400, "invalid Content-Length")
    return int(declared)


async def read_body(receive: Receive, *, limit: int, drain_limit: int | None = None) -> bytes:
    """The whole body; ``BodyTooLarge`` past ``limit``, ``ClientGone`` on disconnect."""
    drain = limit if drain_limit is None else max(limit, drain_limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > drain:
            raise BodyTooLarge
        if size <= limit:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if size > limit:
        raise BodyTooLarge
    return b"".join(chunks)
