"""Coroutines the GUI starts: kept alive, failures reported, cancelled on close.

Widgets never await (a slot must return at once) and never run a nested event
loop; they hand a coroutine to ``BackgroundTasks.spawn`` and go on. asyncio
keeps only weak references to tasks, so the set holds them until they finish,
passes an exception to the ``on_error`` given (the view shows it) and, when the
window closes, cancels what is still running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]


class BackgroundTasks:
    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def running(self) -> int:
        return len(self._tasks)

    def spawn(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        name: str | None = None,
        on_error: ErrorHandler | None = None,
    ) -> asyncio.Task[T]:
        """Run ``coro`` on the running loop; ``on_error`` (or the set's) hears of a failure."""
        if self._closed:
            coro.close()
            raise RuntimeError("the window is closing; no new tasks")
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        handler = on_error or self._on_error

        def finished(done: asyncio.Task[T]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            error = done.exception()
            if error is None:
                return
            if handler is None:
                log.error("background task %s failed", done.get_name(), exc_info=error)
            else:
                handler(error)

        task.add_done_callback(finished)
        return task

    async def aclose(self) -> None:
        """Cancel whatever still runs and wait until it has stopped."""
        self._closed = True
        pending = list(self._tasks)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks.clear()
