"""A 405 names, in ``Allow``, every method the path answers: all routes at it, not the first."""

from __future__ import annotations

import re

from web_helpers import TestClient

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def declared(client: TestClient) -> dict[str, set[str]]:
    """Each API path of the OpenAPI document, with the methods the document gives it."""
    paths = client.get("/openapi.json").json()["paths"]
    return {path: {method.upper() for method in item} for path, item in paths.items()}


def concrete(path: str) -> str:
    """The path with each parameter filled by a value every parameter type accepts."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_api_path_lists_all_its_methods_on_a_405(anon_client: TestClient) -> None:
    wrong = []
    paths = declared(anon_client)
    assert len(paths) > 20
    for path, methods in paths.items():
        for method in sorted(set(METHODS) - methods):
            response = anon_client.request(method, concrete(path))
            allow = {m.strip() for m in response.headers.get("allow", "").split(",")}
            if response.status_code != 405 or allow - {"HEAD"} != methods:
                wrong.append(f"{method} {path}: {response.status_code} Allow={sorted(allow)}")
    assert wrong == []


def test_a_path_served_by_two_routes_names_both(anon_client: TestClient) -> None:
    # GET and POST /api/v1/feedback are two routes; the router alone named only the first.
    response = anon_client.request("OPTIONS", "/api/v1/feedback")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"]["status"] == 405


def test_an_error_without_problems_has_no_problems_key(anon_client: TestClient) -> None:
    refused = anon_client.request("DELETE", "/api/v1/feedback").json()
    assert refused == {
        "error": {
            "status": 405,
            "title": "Method not allowed",
            "message": "This address does not accept that kind of request.",
        }
    }
    assert set(anon_client.get("/api/v1/incidents").json()["error"]) == {
        "status",
        "title",
        "message",
    }
