"""The OpenAPI document's explicit links, and what a link-following client makes of them.

Schemathesis guesses further links from field names; for a list it reads ``/*/field``, any
item's, a null one included (a feedback without an incident once sent
``/api/v1/incidents/None``). The explicit links read one value, which a client skips when
null, and take the guessed link's place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis

from cxsteward.config import Settings
from cxsteward.web.app import create_app
from cxsteward.web.openapi_links import add_links, collection_of


def document() -> dict[str, Any]:
    return create_app(Settings(workspace=Path("unused-workspace"))).openapi()


def links_of(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (f"{method.upper()} {path}", status, name): link
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        for name, link in response.get("links", {}).items()
    }


def nullable(doc: dict[str, Any], producer: str, status: str, expression: str) -> bool:
    """Whether the value ``expression`` reads from the producer's answer may be null."""
    method, path = producer.split(" ", 1)
    response = doc["paths"][path][method.lower()]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    for segment in expression.partition("#/")[2].split("/"):
        schema = resolve(doc, schema)
        schema = schema["items"] if segment == "*" else schema["properties"][segment]
    schema = resolve(doc, schema)
    return any(option.get("type") == "null" for option in schema.get("anyOf", ()))


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return doc["components"]["schemas"][schema["$ref"].rpartition("/")[2]]  # type: ignore[no-any-return]
    return schema


def test_feedback_links_to_its_incident_by_one_value() -> None:
    links = links_of(document())
    key = ("GET /api/v1/feedback", "200", "get_incident_api_v1_incidents__incident_id__get")
    assert links[key]["parameters"] == {"path.incident_id": "$response.body#/0/incident_id"}
    key = (
        "GET /api/v1/incidents",
        "200",
        "set_incident_status_api_v1_incidents__incident_id__status_post",
    )
    assert links[key]["parameters"] == {"path.incident_id": "$response.body#/0/id"}


def test_no_link_reads_any_item_of_a_nullable_field() -> None:
    # The links schemathesis adds by its own analysis, on top of the explicit ones.
    schema = schemathesis.openapi.from_dict(document())
    schema.analysis.inject_links()
    doc = schema.raw_schema
    wildcard = []
    for (producer, status, name), link in links_of(doc).items():
        for expression in link.get("parameters", {}).values():
            if "/*/" in expression:
                if nullable(doc, producer, status, expression):
                    wildcard.append(f"{producer} {status} {name}: {expression}")
    assert wildcard == []


def test_links_name_a_field_of_the_same_name_or_the_collection_id() -> None:
    doc = {
        "paths": {
            "/things": {
                "get": {
                    "operationId": "list",
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Thing"},
                                    }
                                }
                            }
                        }
                    },
                }
            },
            "/things/{thing_id}": {"get": {"operationId": "one", "responses": {}}},
            "/owners/{owner_id}": {"get": {"operationId": "owner", "responses": {}}},
        },
        "components": {"schemas": {"Thing": {"properties": {"id": {}, "owner_id": {}}}}},
    }
    links = add_links(doc)["paths"]["/things"]["get"]["responses"]["200"]["links"]
    assert links == {
        "one": {"operationId": "one", "parameters": {"path.thing_id": "$response.body#/0/id"}},
        "owner": {
            "operationId": "owner",
            "parameters": {"path.owner_id": "$response.body#/0/owner_id"},
        },
    }
    assert collection_of("/things/{thing_id}/close") == "/things"
