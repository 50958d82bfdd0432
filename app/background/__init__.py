"""Generic background work inside the service, coordinated through PostgreSQL only (design section 6).

Interface (stable; changes are additive):

- Clocks (`clock.py`): `Clock` (protocol: `now()` aware UTC, `today()` Europe/Amsterdam), `SystemClock`,
  `MovableClock` (tests: `set(date_or_datetime)`, `advance(days=1)`; a move wakes the workers).
- Workers (`workers.py`): `Job(name, run, interval=5.0, channel=None)` where `run(ctx: JobContext) -> bool` does
  one pass (True: more to do now); `Workers(jobs, sessionmaker=, clock=, settings=, listen_dsn=)` with
  `start()`, `stop(grace=15.0)` (a pass in flight may finish and commit first), `wake(name=None)`,
  `run_once(name)`, `passes(name)`. The service builds one `Workers` per process in its
  lifespan from the jobs registered with `register_job(app, job)`: `async with running(app): yield` in the
  lifespan, after the engine is made (`app/main.py`); it stops them first at shutdown.
  `SPOORWIJZER_BACKGROUND_WORKERS=false` turns them off (a process that only serves).
- Coordination (`claim.py`): `claim(session, select(...))` (FOR UPDATE SKIP LOCKED), `try_exclusive(session,
  name)` (one runner at a time), `claim_once(session, table, values)` (exactly once per unique key).

A periodic job that must run once per period however many workers (a daily pass): keep a table with a unique
key on (job, period) in your own package and start the pass with
`if not await claim_once(session, MyRuns, {"job": "retention", "period": ctx.clock.today()}): return False`,
doing the work in the same transaction (a crash rolls back the claim, so the next pass tries again).
A queue: rows with a `next_attempt_at`; each pass claims a batch with
`claim(session, select(Row).where(Row.next_attempt_at <= ctx.clock.now()).order_by(...).limit(n))`, works,
updates the rows and commits.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.background.claim import claim, claim_once, try_exclusive
from app.background.clock import AMSTERDAM, Clock, MovableClock, SystemClock
from app.background.workers import Job, JobContext, Workers

__all__ = [
    "AMSTERDAM",
    "Clock",
    "Job",
    "JobContext",
    "MovableClock",
    "SystemClock",
    "Workers",
    "claim",
    "claim_once",
    "register_job",
    "running",
    "try_exclusive",
]


def register_job(app: object, job: Job) -> None:
    """Add a job to the app's background jobs (before startup); the lifespan starts them in every process."""
    state = app.state  # type: ignore[attr-defined]
    jobs: list[Job] | None = getattr(state, "background_jobs", None)
    if jobs is None:
        jobs = state.background_jobs = []
    if any(existing.name == job.name for existing in jobs):
        raise ValueError(f"A background job named {job.name!r} is already registered.")
    jobs.append(job)


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[Workers | None]:
    """This process's workers for the app's registered jobs, from entry to exit (use in the lifespan, once
    `app.state.sessionmaker` exists). Uses `app.state.clock` (else the system clock) and `app.state.settings`
    (`background_workers=False` turns them off); they LISTEN on their channels on a connection of their own."""
    state = app.state
    settings = getattr(state, "settings", None)
    jobs: list[Job] = getattr(state, "background_jobs", None) or []
    if not jobs or not getattr(settings, "background_workers", True):
        state.workers = None
        yield None
        return
    engine = getattr(state, "engine", None)
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False) if engine else None
    workers = Workers(
        jobs,
        sessionmaker=state.sessionmaker,
        clock=getattr(state, "clock", None) or SystemClock(),
        settings=settings,
        listen_dsn=dsn,
    )
    await workers.start()
    state.workers = workers
    try:
        yield workers
    finally:
        await workers.stop()  # first: a pass in flight still needs the engine to commit or roll back
        state.workers = None
