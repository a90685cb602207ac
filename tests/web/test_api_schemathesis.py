"""Schemathesis against the API's own OpenAPI document: the server keeps the published contract.

It runs in-process (ASGI) on a copy of the demo world (the example governance, a small
monitored dataset, incidents, a review request, a flag) with an admin token, with every
check schemathesis has (``--checks all``: no 5xx; status, content type and body as
declared; schema-valid data accepted and invalid data refused; missing auth and headers
refused; an unsupported method answered 405 with ``Allow``; a deleted resource gone...),
per operation and then in the stateful phase, which follows the document's links from one
answer to the next request. Each operation is its own test, so a failure names its path.
Examples are few and the seed is fixed, so the run is quick and repeatable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from api_fixtures import ApiWorld, api_template_fixture, copy_world  # noqa: F401 (fixtures)
from fastapi import FastAPI
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cxsteward.config import Settings
from cxsteward.web.app import create_app

SEED = 20261127
MAX_EXAMPLES = 12
# The stateful phase: a few scenarios of a few linked calls each, derandomized (a fixed seed).
STATEFUL = hypothesis.settings(
    max_examples=8,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
# Starting a monitoring run computes everything over the data (seconds each): it gets a
# handful of generated bodies in its own test.
SLOW = "/api/v1/monitoring/runs"
BASE = f"http://{asgi.HOST}"


class WorldApp:
    """The app serving the fuzz world, bound once the world exists (a fixture).

    The schema needs its app at import, when schemathesis parametrizes: the checks that
    probe without credentials (``ignored_auth``) send to the schema's app, not the session.
    """

    app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "the asgi_client fixture binds the app"
        await self.app(scope, receive, send)


APP = WorldApp()


@pytest.fixture(scope="module")
def fuzz_world(api_template: ApiWorld, tmp_path_factory: pytest.TempPathFactory) -> ApiWorld:
    """A copy of the demo world the generated requests may change as they like."""
    return copy_world(api_template, tmp_path_factory.mktemp("schemathesis") / "ws")


@pytest.fixture(scope="module")
def admin_headers(fuzz_world: ApiWorld) -> dict[str, str]:
    return fuzz_world.headers("admin")


@pytest.fixture(scope="module")
def asgi_client(fuzz_world: ApiWorld) -> Iterator[Any]:
    """A schemathesis ASGI session on the app serving the copied world (lifespan running)."""
    # A high public limit: a 429 would hide what the generated posts really do.
    settings = Settings(
        workspace=fuzz_world.settings.workspace,
        public_posts_per_minute=100_000,
        status_lookups_per_minute=100_000,
    )
    APP.app = create_app(settings)
    with asgi.get_client(APP) as client:
        yield client


def _load_schema(max_examples: int = MAX_EXAMPLES, phases: list[str] | None = None) -> Any:
    # The document is the app's own (``app.openapi()``, what /openapi.json serves); it is
    # built at import because schemathesis parametrizes at collection. Its lazy fixture
    # loader does not work with this pytest version (it reads a private node attribute).
    document = create_app(Settings(workspace=Path("unused-workspace"))).openapi()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = APP
    loaded.config.seed = SEED
    loaded.config.generation.update(
        max_examples=max_examples,
        deterministic=True,
        database="none",
        with_security_parameters=False,
    )
    if phases is not None:
        loaded.config.phases.update(phases=phases)
    return loaded


schema = _load_schema()
# Only a few generated bodies for the slow operation: the coverage phase would send dozens.
slow_schema = _load_schema(max_examples=3, phases=["examples", "fuzzing"])


# An export's rows cannot be described by a schema: a file whose cells break the import's
# rules is a 400 listing each located problem, though the body was schema-valid.
CONTENT_CHECKED = {"/api/v1/training/imports": [positive_data_acceptance]}


# No ``checks=``: schemathesis then runs every check it has.
@schema.exclude(method="POST", path=SLOW).parametrize()
def test_the_api_keeps_its_contract(
    case: Any, asgi_client: Any, admin_headers: dict[str, str]
) -> None:
    excluded = CONTENT_CHECKED.get(case.operation.path)
    # The contract is checked, not the speed: a pack preview on a busy CI machine can pass
    # schemathesis's default read timeout of 10 s.
    case.call_and_validate(
        base_url=BASE,
        session=asgi_client,
        headers=admin_headers,
        excluded_checks=excluded,
        timeout=120,
    )


@slow_schema.include(method="POST", path=SLOW).parametrize()
def test_starting_runs_keeps_the_contract(
    case: Any, asgi_client: Any, admin_headers: dict[str, str]
) -> None:
    case.call_and_validate(base_url=BASE, session=asgi_client, headers=admin_headers, timeout=300)


def test_linked_calls_keep_the_contract(asgi_client: Any, admin_headers: dict[str, str]) -> None:
    """The stateful phase: ids from one answer (by the document's links) feed the next call."""
    machine = schema.exclude(method="POST", path=SLOW).as_state_machine()

    class Linked(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": BASE, "session": asgi_client, "headers": admin_headers}

    Linked.run(settings=STATEFUL)
