"""Schemathesis against the API's own OpenAPI document: no generated request gets a 5xx.

It runs in-process (ASGI) on a copy of the demo world (the example governance, a small
monitored dataset, incidents, a review request, a flag) with an admin token, and also
checks that each answer's status, content type and body match what the document declares.
Examples per operation are few and the seed is fixed, so the run is quick and repeatable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_fixtures import ApiWorld, api_template_fixture, copy_world  # noqa: F401 (fixtures)
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cxsteward.config import Settings
from cxsteward.web.app import create_app

SEED = 20261127
MAX_EXAMPLES = 12
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Starting a monitoring run computes everything over the data (seconds each): it gets a
# handful of generated bodies in its own test.
SLOW = "/api/v1/monitoring/runs"
BASE = f"http://{asgi.HOST}"


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
    with asgi.get_client(create_app(settings)) as client:
        yield client


def _load_schema(max_examples: int = MAX_EXAMPLES, phases: list[str] | None = None) -> Any:
    # The document is the app's own (``app.openapi()``, what /openapi.json serves); it is
    # built at import because schemathesis parametrizes at collection. Its lazy fixture
    # loader does not work with this pytest version (it reads a private node attribute).
    document = create_app(Settings(workspace=Path("unused-workspace"))).openapi()
    loaded = schemathesis.openapi.from_dict(document)
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


@schema.exclude(method="POST", path=SLOW).parametrize()
def test_no_server_error(case: Any, asgi_client: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(base_url=BASE, session=asgi_client, headers=admin_headers, checks=CHECKS)


@slow_schema.include(method="POST", path=SLOW).parametrize()
def test_no_server_error_starting_runs(
    case: Any, asgi_client: Any, admin_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=BASE, session=asgi_client, headers=admin_headers, checks=CHECKS, timeout=300
    )
