"""Load generators for the benchmarks: wrk when the machine has it, else a small asyncio HTTP/1.1 client.

Both keep `connections` keep-alive connections busy for `seconds`, each request picked at random from a list
(so reads spread over many cases and callers), and answer requests per second, latency percentiles and the
count of non-2xx answers. wrk is C and costs the machine far less per request; the Python client needs about
as much CPU as the server it loads, so its figures are lower bounds (the ratios stay comparable, both servers
pay the same).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def ensure_wrk() -> str | None:
    """The path of wrk; installs it from Debian's packages when we are root and apt is there, else None."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get"):
        return found
    import os

    if os.geteuid() != 0:
        return None
    print("wrk not found: installing it with apt-get (Debian package `wrk`)")
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    return shutil.which("wrk")


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for ASCII text


_LUA = """
math.randomseed(%(seed)d)
local requests = {}
local specs = {%(specs)s}
function init(args)
  for i, s in ipairs(specs) do
    requests[i] = wrk.format(s[1], s[2], s[3], s[4])
  end
end
function request()
  return requests[math.random(#requests)]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCHJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, "
    .. "\\"p50_us\\": %%d, \\"p99_us\\": %%d}\\n",
    summary.requests, summary.duration, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(wrk: str, base: str, requests: list[Request], *, connections: int, seconds: float) -> Result:
    specs = []
    for r in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.headers.items())
        body = _lua_string(r.body) if r.body is not None else "nil"
        specs.append(f"{{{_lua_string(r.method)}, {_lua_string(r.path)}, {{{headers}}}, {body}}}")
    script = _LUA % {"seed": random.randrange(1 << 30), "specs": ",\n".join(specs)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [wrk, "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", f.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(f.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("BENCHJSON "))
    data = json.loads(line.removeprefix("BENCHJSON "))
    return Result(
        data["requests"], data["duration_us"] / 1e6, data["errors"], data["p50_us"] / 1000, data["p99_us"] / 1000
    )


async def _python_load(base: str, requests: list[Request], connections: int, seconds: float) -> Result:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    raw = []
    for r in requests:
        body = (r.body or "").encode()
        head = f"{r.method} {r.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in r.headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n" if r.body is not None else "\r\n"
        raw.append(head.encode() + body)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(random.choice(raw))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                errors += not 200 <= status < 300
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return Result(
        len(latencies),
        elapsed,
        errors,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    )


def run_python(base: str, requests: list[Request], *, connections: int, seconds: float) -> Result:
    try:
        import uvloop

        return uvloop.run(_python_load(base, requests, connections, seconds))
    except ImportError:
        return asyncio.run(_python_load(base, requests, connections, seconds))


def load(wrk: str | None, base: str, requests: list[Request], *, connections: int, seconds: float) -> Result:
    if wrk:
        return run_wrk(wrk, base, requests, connections=connections, seconds=seconds)
    return run_python(base, requests, connections=connections, seconds=seconds)
