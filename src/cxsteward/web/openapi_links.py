"""Explicit OpenAPI links: which response field names the id another operation's path takes.

Link-following clients (schemathesis's stateful phase among them) otherwise guess the links
from field names, and for a list they pick any item's field, a null one included: a
feedback without an incident fed ``/api/v1/incidents/None``. The links written here read a
single value (the object's field, or the first item's), so a null is left out and never
sent; a guessed link that only repeats one of them is dropped by such clients.

A field links to a path parameter when it has the parameter's name (``incident_id`` to
``/incidents/{incident_id}``), or is the key (``id``, else ``name``) of the same collection
(an incident's ``id`` to ``/incidents/{incident_id}/status``, a cycle's ``name`` to
``/assessments/cycles/{cycle}/report``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The OpenAPI document is a wire format (JSON): it stays a plain mapping here.
Document = dict[str, Any]
PARAMETER = re.compile(r"/\{([^}/]+)\}")


@dataclass(frozen=True)
class Consumer:
    """An operation whose path takes one id: where a link can lead."""

    path: str
    method: str
    operation_id: str
    parameter: str
    collection: str


def add_links(document: Document) -> Document:
    """Write the links into each 2xx JSON response of ``document`` (in place), and return it."""
    consumers = _consumers(document)
    schemas = document.get("components", {}).get("schemas", {})
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                links = _links_for(path, method, response, consumers, schemas)
                if links:
                    response["links"] = {**response.get("links", {}), **links}
    return document


def collection_of(path: str) -> str:
    """The collection an operation's path is about: the part before its first parameter."""
    found = PARAMETER.search(path)
    return path[: found.start()] if found else path


def _consumers(document: Document) -> list[Consumer]:
    found = []
    for path, item in document.get("paths", {}).items():
        parameters = PARAMETER.findall(path)
        if len(parameters) != 1:
            continue
        for method, operation in item.items():
            found.append(
                Consumer(path, method, operation["operationId"], parameters[0], collection_of(path))
            )
    return found


def _links_for(
    path: str,
    method: str,
    response: Document,
    consumers: list[Consumer],
    schemas: Document,
) -> Document:
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if not isinstance(schema, dict):
        return {}
    prefix = "#"
    if schema.get("type") == "array":
        schema, prefix = schema.get("items", {}), "#/0"
    properties = _resolve(schema, schemas).get("properties", {})
    links = {}
    for consumer in consumers:
        if (consumer.path, consumer.method) == (path, method):
            continue
        if consumer.parameter in properties:
            field = consumer.parameter
        elif consumer.collection == collection_of(path) and (key := _key(properties)):
            field = key
        else:
            continue
        links[consumer.operation_id] = {
            "operationId": consumer.operation_id,
            "parameters": {f"path.{consumer.parameter}": f"$response.body{prefix}/{field}"},
        }
    return links


def _key(properties: Document) -> str | None:
    """The field that names a member of its collection: ``id``, else ``name`` (a cycle's)."""
    return next((field for field in ("id", "name") if field in properties), None)


def _resolve(schema: Document, schemas: Document) -> Document:
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
        resolved = schemas.get(reference.rpartition("/")[2], {})
        return resolved if isinstance(resolved, dict) else {}
    return schema
