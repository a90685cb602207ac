"""Web load test: concurrent users on the overview (signed in) and the public review form.

It rebuilds the demo workspace (``run_demo`` with few rows), adds one viewer account per
signed-in virtual user, starts the app with uvicorn on loopback in a subprocess (the same
factory ``cxsteward serve`` uses), signs the users in through the real /login form, then for
``--seconds`` drives ``--users`` virtual users at once with httpx.AsyncClient:

- half of them (signed in) load the overview page ``/`` again and again;
- the other half, anonymous, load the public review form ``/review`` and POST it back with
  its CSRF token (``GET`` then ``POST``: each POST records a real review request).

Each user waits for its answer before the next request (closed loop, no think time), so the
rate is what the server sustains with that many clients in flight. Latency is measured from
sending to the whole body read. The report (p50, p95, p99, requests per second, errors) is
written as Markdown with the machine, its load average, the command and the date.

Two settings differ from a production install, on purpose: cookies are not marked Secure
(the benchmark talks plain HTTP to 127.0.0.1) and the public POST limit is raised (every
virtual user shares the address 127.0.0.1, which the limit counts by).

    .venv/bin/python benchmarks/web_load.py                       # 200 users, 60 s, 2 workers
    .venv/bin/python benchmarks/web_load.py --users 40 --seconds 10 --out /tmp/web_load.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from cxsteward import __version__
from cxsteward.config import Settings
from cxsteward.services.accounts.users import add_user
from cxsteward.services.demo.company import run_demo
from cxsteward.services.workspace import open_workspace

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "load-test-password-0123"
DEPLOYMENT = "support-chat"
RESULTS = Path(__file__).parent / "results" / "web_load.md"


@dataclass
class Tally:
    """Latencies (seconds) and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.errors[reason] = self.errors.get(reason, 0) + 1


def seed(folder: Path, rows: int, accounts: int, role: str) -> Settings:
    """The demo workspace plus ``accounts`` users of ``role`` named load-0, load-1..."""
    settings = Settings(workspace=folder)
    run_demo(settings, rows=rows)
    ws = open_workspace(settings)
    try:
        for i in range(accounts):
            add_user(ws, f"load-{i}", PASSWORD, role, f"Load User {i}")
    finally:
        ws.close()
    return settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn serving the workspace, as ``cxsteward serve`` does, in its own process group."""
    env = dict(os.environ)
    env |= {
        "CXSTEWARD_WORKSPACE": str(folder.resolve()),
        "CXSTEWARD_SECURE_COOKIES": "false",
        "CXSTEWARD_PUBLIC_POSTS_PER_MINUTE": "100000000",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "cxsteward.web.app:app_from_environment",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-server-header",
    ]
    return subprocess.Popen(command, env=env, start_new_session=True)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz in time")


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = _csrf(page.text)
    form = {"csrf_token": token, "username": username, "password": PASSWORD, "next": "/"}
    answer = await client.post("/login", data=form)
    if answer.status_code != 303:
        raise SystemExit(f"signing in {username} failed: {answer.status_code}")


def _csrf(text: str) -> str:
    found = CSRF.search(text)
    if found is None:
        raise ValueError("no csrf_token in the page")
    return found.group(1)


async def timed(tally: Tally, request: Awaitable[httpx.Response]) -> httpx.Response | None:
    """Await one request, recording its latency (or the transport error it raised)."""
    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as exc:
        tally.fail(type(exc).__name__)
        return None
    tally.latencies.append(time.perf_counter() - started)
    return response


async def overview_user(client: httpx.AsyncClient, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        response = await timed(tally, client.get("/"))
        if response is not None and (
            response.status_code != 200 or "Overview" not in response.text
        ):
            tally.fail(f"status {response.status_code}")


async def review_user(
    client: httpx.AsyncClient, form_tally: Tally, post_tally: Tally, until: float, n: int
) -> None:
    count = 0
    while time.monotonic() < until:
        page = await timed(form_tally, client.get("/review"))
        if page is None or page.status_code != 200:
            if page is not None:
                form_tally.fail(f"status {page.status_code}")
            continue
        count += 1
        form = {
            "csrf_token": _csrf(page.text),
            "deployment": DEPLOYMENT,
            "reference": f"LOAD-{n}-{count}",
            "description": "The assistant refused my refund; I would like a person to look.",
            "contact": f"load{n}@example.com",
            "consent": "yes",
        }
        answer = await timed(post_tally, client.post("/review", data=form))
        if answer is not None and (answer.status_code != 200 or "RV-" not in answer.text):
            post_tally.fail(f"status {answer.status_code}")


async def drive(base: str, users: int, seconds: float) -> tuple[dict[str, Tally], float]:
    """Sign the first half in, then run every user until the deadline; the tallies and time."""
    signed_in = users // 2
    cookies = await asyncio.gather(*(_session_cookies(base, f"load-{i}") for i in range(signed_in)))
    # Fresh clients after signing in: a connection left idle while the other users sign in
    # would be closed by the server's keep-alive timeout and fail the first timed request.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=base,
            timeout=120,
            limits=limits,
            follow_redirects=False,
            cookies=cookies[i] if i < signed_in else None,
        )
        for i in range(users)
    ]
    try:
        tallies = {"GET / (overview)": Tally(), "GET /review": Tally(), "POST /review": Tally()}
        started = time.monotonic()
        until = started + seconds
        overview = tallies["GET / (overview)"]
        tasks = [overview_user(clients[i], overview, until) for i in range(signed_in)]
        tasks += [
            review_user(clients[i], tallies["GET /review"], tallies["POST /review"], until, i)
            for i in range(signed_in, users)
        ]
        await asyncio.gather(*tasks)
        return tallies, time.monotonic() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


async def _session_cookies(base: str, username: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await sign_in(client, username)
        return client.cookies


def report(
    args: argparse.Namespace, tallies: dict[str, Tally], elapsed: float, loads: list[str]
) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    rows = []
    total = 0
    for name, tally in tallies.items():
        ms = np.array(tally.latencies) * 1000
        errors = sum(tally.errors.values())
        total += len(ms)
        pct = [f"{np.percentile(ms, q):.0f}" if len(ms) else "-" for q in (50, 95, 99)]
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(tally.errors.items())) or "-"
        rate = len(ms) / elapsed
        rows.append(
            f"| {name} | {len(ms)} | {rate:.1f} | {' | '.join(pct)} | {errors} ({detail}) |"
        )
    command = (
        f".venv/bin/python benchmarks/web_load.py --users {args.users} --seconds {args.seconds:g} "
        f"--workers {args.workers} --rows {args.rows} --role {args.role}"
    )
    return "\n".join(
        [
            "# Web load test",
            "",
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. cxsteward {__version__}, Python "
            f"{platform.python_version()}, httpx {httpx.__version__}.",
            "",
            f"Command: `{command}`",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}), shared with other "
            f"work; load average before {loads[0]}, after {loads[1]}. The load generator runs on "
            "the same cores as the server.",
            "",
            f"Server: uvicorn, {args.workers} worker process(es), on 127.0.0.1; SQLite registry; "
            f"the demo workspace with {args.rows} contacts. {args.users} virtual users for "
            f"{elapsed:.1f} s: {args.users // 2} signed in ({args.role}) on the overview, "
            f"{args.users - args.users // 2} anonymous on the public review form (GET, then POST "
            "with its CSRF token). Each user sends its next request when the last one is answered.",
            "",
            "| request | count | per second | p50 ms | p95 ms | p99 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
            "",
            f"All requests: {total} in {elapsed:.1f} s, {total / elapsed:.1f} per second.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200, help="Concurrent virtual users.")
    parser.add_argument("--seconds", type=float, default=60, help="How long to drive them.")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    parser.add_argument("--rows", type=int, default=5000, help="Demo contacts to monitor.")
    parser.add_argument(
        "--role",
        default="viewer",
        help="Role of the signed-in users; the overview shows each role its own sections.",
    )
    parser.add_argument("--append", action="store_true", help="Add to --out, not replace it.")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/cxsteward-web-load"))
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where the report goes.")
    args = parser.parse_args()
    folder = args.scratch / "workspace"
    print(f"seeding {folder} ...", flush=True)  # noqa: T201
    seed(folder, args.rows, args.users // 2, args.role)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(folder, port, args.workers)
    try:
        wait_ready(base, server)
        loads = [" ".join(f"{x:.2f}" for x in os.getloadavg())]
        print(f"driving {args.users} users for {args.seconds:g} s on {base} ...", flush=True)  # noqa: T201
        tallies, elapsed = asyncio.run(drive(base, args.users, args.seconds))
        loads.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    text = report(args, tallies, elapsed, loads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.append and args.out.exists():
        text = (
            args.out.read_text(encoding="utf-8") + "\n" + text.replace("# Web load test", "## Run")
        )
    args.out.write_text(text, encoding="utf-8")
    print(text)  # noqa: T201


if __name__ == "__main__":
    main()
