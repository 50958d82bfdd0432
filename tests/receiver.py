"""A real HTTP webhook receiver on loopback (uvicorn in the test's event loop): records every request and
answers with the status its `answer` function picks (default 204)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from tests.live import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when it arrived
    status: int = 0


@dataclass
class Receiver:
    answer: Callable[[Received], int] = lambda received: 204
    delay: float = 0.0  # seconds before answering (a slow receiver)
    delay_for: Callable[[Received], float] | None = None  # or per request
    received: list[Received] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _server: Any = None
    _task: Any = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        received = Received(scope["path"], headers, body, time.time())
        received.status = self.answer(received)
        self.received.append(received)
        pause = self.delay_for(received) if self.delay_for is not None else self.delay
        if pause:
            await asyncio.sleep(pause)
        await send({"type": "http.response.start", "status": received.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def start(self) -> Receiver:
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._server.capture_signals = contextlib.nullcontext  # the test runner keeps its own handlers
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def acknowledged(self, path: str | None = None) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300 and (path is None or r.path == path)]
