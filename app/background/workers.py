"""In-process background workers: every service process (each uvicorn worker) runs every registered job.

A job is a function that does one pass and answers whether there may be more to do right away (a full batch):
then it runs again at once, else after its interval, or earlier when woken (`Workers.wake`, a move of a
`MovableClock`, or a PostgreSQL NOTIFY on the job's channel). Jobs coordinate through the database only
(`app/background/claim.py`), so two processes running the same job share its work instead of doubling it.
A pass that raises is logged and retried after the interval (with the error's backoff); it never stops the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.background.clock import Clock

log = logging.getLogger("spoorwijzer.background")


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a pass gets: sessions on the service's engine (commit them yourself: one transaction per unit of
    work), the clock, and the service settings."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: Any


@dataclass(frozen=True, slots=True)
class Job:
    """A background job. `run(ctx)` does one pass and answers True when it should run again at once."""

    name: str
    run: Callable[[JobContext], Awaitable[bool]]
    interval: float = 5.0  # seconds between passes when idle
    channel: str | None = None  # a PostgreSQL NOTIFY channel that wakes the job (e.g. sent at an outbox commit)


@dataclass
class _Running:
    job: Job
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    passes: int = 0


class Workers:
    """The background jobs of one process. `start()` in the service's lifespan, `stop()` at its end."""

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Any = None,
        listen_dsn: str | None = None,
    ) -> None:
        self.context = JobContext(sessionmaker, clock, settings)
        self._running = {job.name: _Running(job) for job in jobs}
        self._listen_dsn = listen_dsn
        self._listener: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._stopping = False

    @property
    def started(self) -> bool:
        return self._loop is not None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        on_move = getattr(self.context.clock, "on_move", None)
        if on_move is not None:  # a MovableClock: a move wakes every job
            self._unsubscribe = on_move(self.wake_threadsafe)
        await self._listen()
        for running in self._running.values():
            running.task = asyncio.create_task(self._loop_job(running), name=f"background:{running.job.name}")

    async def stop(self, grace: float = 15.0) -> None:
        """Stop the jobs: a pass in flight may finish (and commit) for `grace` seconds, then it is cancelled (its
        transaction rolls back, its claims come free). Idle jobs stop at once."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopping = True
        self.wake()
        tasks = [r.task for r in self._running.values() if r.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for running in self._running.values():
            running.task = None
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
        self._loop = None

    def wake(self, name: str | None = None) -> None:
        """Run a job (or every job) now instead of at its next interval. From the event loop's thread."""
        for running in self._running.values():
            if name is None or running.job.name == name:
                running.wakeup.set()

    def wake_threadsafe(self, name: str | None = None) -> None:
        """`wake` from any thread (a clock moved by a test that runs the server in another thread)."""
        loop = self._loop
        if loop is None:
            return
        try:
            running_loop = asyncio.get_running_loop()
        except RuntimeError:
            running_loop = None
        if running_loop is loop:
            self.wake(name)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self.wake, name)

    async def run_once(self, name: str) -> bool:
        """One pass of a job in the caller's task (tests, the CLI); answers the job's own answer."""
        return await self._running[name].job.run(self.context)

    def passes(self, name: str) -> int:
        """How many passes of the job this process has finished (for tests and metrics)."""
        return self._running[name].passes

    async def _loop_job(self, running: _Running) -> None:
        job = running.job
        while not self._stopping:
            running.wakeup.clear()
            try:
                more = await job.run(self.context)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job %s failed; retrying in %.1f s", job.name, job.interval)
                more = False
            running.passes += 1
            if self._stopping:
                return
            if more:
                await asyncio.sleep(0)  # let requests run between full batches
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(job.interval):
                    await running.wakeup.wait()

    async def _listen(self) -> None:
        channels = {r.job.channel for r in self._running.values() if r.job.channel}
        if not channels or not self._listen_dsn:
            return
        import asyncpg  # type: ignore[import-untyped]

        try:
            self._listener = await asyncpg.connect(self._listen_dsn, timeout=5)
            for channel in sorted(channels):
                await self._listener.add_listener(channel, self._notified)
        except Exception:  # polling still works; NOTIFY only makes it prompt
            log.warning("background: could not LISTEN; jobs fall back to polling", exc_info=True)
            self._listener = None

    def _notified(self, _connection: Any, _pid: int, channel: str, _payload: str) -> None:
        for running in self._running.values():
            if running.job.channel == channel:
                running.wakeup.set()
