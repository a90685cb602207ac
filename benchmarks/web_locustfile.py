"""The virtual users of benchmarks/web_load.py, for locust (headless, FastHttpUser).

``web_load.py`` seeds the workspace, starts uvicorn and runs this file with locust; it can
also be run by hand against a server of one's own (accounts load-0, load-1... with
``web_load.PASSWORD``)::

    .venv/bin/python -m locust -f benchmarks/web_locustfile.py --headless \\
        --users 20 --spawn-rate 20 --host http://127.0.0.1:8000 --measure-seconds 15 \\
        OverviewUser PublicUser

Two kinds of users, in equal numbers:

- ``OverviewUser`` signs in through the real /login form (account ``load-<n>``), then loads
  the overview ``/`` again and again;
- ``PublicUser``, anonymous, goes round the public pages: ``/ai``, the review form
  ``/review``, its POST with the form's CSRF token (each one records a review request),
  then the status page ``/review/status``.

``SingleUser`` (chosen by naming it after the options, as locust picks user classes) signs
in and alternates the overview and ``/healthz``.

Between two requests each user waits ``--think`` seconds (0: the next request goes as soon
as the answer is in, a closed loop). Nothing is measured until every user has signed in;
with a think time, each user then starts at a random moment within the first think time
(not all in the same instant), and the window opens one think time later. Every request
sent in the next ``--measure-seconds`` counts (answers still in flight
are awaited: start locust with a ``--stop-timeout``), and its latency, from sending to the
whole body read, is written unrounded to ``--latencies`` as JSON for the report.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "load-test-password-0123"
DEPLOYMENT = "support-chat"
SIGN_IN = "POST /login (sign-in)"

_accounts = itertools.count()
_ready = itertools.count(1)
_started = Event()
_window: dict[str, float] = {}
_latencies: dict[str, list[float]] = {}
_errors: dict[str, dict[str, int]] = {}


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--think", type=float, default=0.0, help="Seconds between requests.")
    parser.add_argument("--measure-seconds", type=float, default=60.0)
    parser.add_argument("--latencies", default="", help="JSON file for the raw latencies.")


@events.init.add_listener
def _think(environment: Environment, **_: Any) -> None:
    think = constant(environment.parsed_options.think)
    for user in (OverviewUser, PublicUser, SingleUser):
        user.wait_time = think


@events.request.add_listener
def _record(
    request_type: str, name: str, response_time: float, exception: BaseException | None, **_: Any
) -> None:
    # A request counts when it was sent inside the window; the users stop after it (the
    # runner waits for the requests in flight), so slow answers count too.
    sent = time.monotonic() - response_time / 1000
    if name == SIGN_IN and exception is None:
        return  # sign-ins are not measured, but a failed one shows in the report
    if name != SIGN_IN and not (_started.is_set() and _window["start"] <= sent < _window["until"]):
        return
    if exception is None:
        _latencies.setdefault(name, []).append(response_time)
    else:
        reason = str(exception)[:80]
        errors = _errors.setdefault(name, {})
        errors[reason] = errors.get(reason, 0) + 1


@events.quitting.add_listener
def _write(environment: Environment, **_: Any) -> None:
    path = environment.parsed_options.latencies
    if not path:
        return
    elapsed = _window.get("until", 0.0) - _window.get("start", 0.0)
    document = {"seconds": elapsed, "latencies": _latencies, "errors": _errors}
    Path(path).write_text(json.dumps(document), encoding="utf-8")


def _wait_for_everyone(user: FastHttpUser) -> None:
    """Wait until every user is ready, then (the first time) start the measured window.

    With a think time, each user then waits a random part of one think time before its
    first request, so that the users do not all send at the same instant, and then again
    in step every second, which people do not do; the window opens once every user has
    started.
    """
    runner = user.environment.runner
    assert runner is not None
    options = user.environment.parsed_options
    if next(_ready) >= runner.target_user_count and not _started.is_set():
        opens = time.monotonic() + options.think
        _window.update(start=opens, until=opens + options.measure_seconds)
        _started.set()
        gevent.spawn_later(options.think + options.measure_seconds, runner.quit)
    _started.wait()
    if options.think:
        gevent.sleep(random.uniform(0, options.think))


def _csrf(text: str | None) -> str | None:
    found = CSRF.search(text or "")
    return found.group(1) if found else None


def _sign_in(user: FastHttpUser) -> None:
    name = f"load-{next(_accounts)}"
    with user.client.get("/login", name=SIGN_IN, catch_response=True) as page:
        token = _csrf(page.text)
    form = {"csrf_token": token or "", "username": name, "password": PASSWORD, "next": "/"}
    with user.client.post(
        "/login", data=form, name=SIGN_IN, allow_redirects=False, catch_response=True
    ) as answer:
        if answer.status_code != 303:
            answer.failure(f"status {answer.status_code} signing in {name}")


def _expect(response: Any, status: int, text: str) -> None:
    """Fail the request (it counts as an error) unless it has ``status`` and ``text``."""
    if response.status_code != status:
        response.failure(f"status {response.status_code}")
    elif text not in (response.text or ""):
        response.failure(f"no {text!r} in the page")


class OverviewUser(FastHttpUser):
    """A signed-in user who loads the overview."""

    weight = 1

    def on_start(self) -> None:
        _sign_in(self)
        _wait_for_everyone(self)

    @task
    def overview(self) -> None:
        with self.client.get("/", name="GET / (overview)", catch_response=True) as page:
            _expect(page, 200, "Overview")


class PublicUser(FastHttpUser):
    """An anonymous customer on the public pages, asking for a review now and then."""

    weight = 1

    def on_start(self) -> None:
        self.step = 0
        self.sent = 0
        self.token: str | None = None
        _wait_for_everyone(self)

    @task
    def next_page(self) -> None:
        # One request per task, so the think time falls between every two requests.
        step, self.step = self.step, (self.step + 1) % 4
        if step == 0:
            with self.client.get("/ai", name="GET /ai", catch_response=True) as page:
                _expect(page, 200, "AI")
        elif step == 1:
            with self.client.get("/review", name="GET /review", catch_response=True) as page:
                _expect(page, 200, "csrf_token")
                self.token = _csrf(page.text)
        elif step == 2:
            self._submit()
        else:
            with self.client.get(
                "/review/status", name="GET /review/status", catch_response=True
            ) as page:
                _expect(page, 200, "csrf_token")

    def _submit(self) -> None:
        self.sent += 1
        form = {
            "csrf_token": self.token or "",
            "deployment": DEPLOYMENT,
            "reference": f"LOAD-{id(self)}-{self.sent}",
            "description": "The assistant refused my refund; I would like a person to look.",
            "contact": f"load{id(self)}@example.com",
            "consent": "yes",
        }
        with self.client.post(
            "/review", data=form, name="POST /review", catch_response=True
        ) as answer:
            _expect(answer, 200, "RV-")


class SingleUser(FastHttpUser):
    """One signed-in user, alternating the overview and the health check."""

    weight = 1

    def on_start(self) -> None:
        self.turn = 0
        _sign_in(self)
        _wait_for_everyone(self)

    @task
    def alternate(self) -> None:
        self.turn += 1
        if self.turn % 2:
            with self.client.get("/", name="GET / (overview)", catch_response=True) as page:
                _expect(page, 200, "Overview")
        else:
            with self.client.get("/healthz", name="GET /healthz", catch_response=True) as page:
                _expect(page, 200, "ok")
