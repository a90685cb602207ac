"""Schemathesis on the review, feedback and public endpoints, with the contract checks.

Beyond "no server error", every body the published schema allows must be taken (or meet a
404/409 of state), and every body it forbids must be refused: the services' rules are
declared in the schema (services/trust/fields.py), so the two cannot disagree.
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
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from cxsteward.config import Settings
from cxsteward.web.app import create_app

SEED = 1
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
PATHS = r"^/api/v1/(reviews|feedback|public)"
BASE = f"http://{asgi.HOST}"


@pytest.fixture(scope="module")
def trust_world(api_template: ApiWorld, tmp_path_factory: pytest.TempPathFactory) -> ApiWorld:
    return copy_world(api_template, tmp_path_factory.mktemp("trust-fuzz") / "ws")


@pytest.fixture(scope="module")
def trust_client(trust_world: ApiWorld) -> Iterator[Any]:
    # A high public limit: a 429 would hide what the generated posts really do.
    settings = Settings(
        workspace=trust_world.settings.workspace,
        public_posts_per_minute=100_000,
        status_lookups_per_minute=100_000,
    )
    with asgi.get_client(create_app(settings)) as client:
        yield client


def _load_schema() -> Any:
    document = create_app(Settings(workspace=Path("unused-workspace"))).openapi()
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.seed = SEED
    loaded.config.generation.update(
        max_examples=25, deterministic=True, database="none", with_security_parameters=False
    )
    loaded.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return loaded.include(path_regex=PATHS)


schema = _load_schema()


@schema.parametrize()
def test_the_schema_and_the_server_agree(
    case: Any, trust_client: Any, trust_world: ApiWorld
) -> None:
    case.call_and_validate(
        base_url=BASE, session=trust_client, headers=trust_world.headers("admin"), checks=CHECKS
    )
