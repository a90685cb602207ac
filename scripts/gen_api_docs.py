"""Refresh docs/openapi.json, the API's contract as the server publishes it at /openapi.json.

Run it after changing a route, a result or a command, then review the diff: every change in
the file is a change users of the API see.

    .venv/bin/python scripts/gen_api_docs.py          # rewrite docs/openapi.json
    .venv/bin/python scripts/gen_api_docs.py --check  # exit 1 if docs/openapi.json is stale

tests/test_docs_api.py fails until this has been run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cxsteward.config import Settings
from cxsteward.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "openapi.json"


def openapi_text() -> str:
    """The OpenAPI document of the app, as committed: indented, keys in the app's order."""
    # Building the document needs no workspace: the app opens one only when it starts.
    document = create_app(Settings(workspace=Path("unused-workspace"))).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = openapi_text()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text("utf-8") != text:
            print(f"{DOC} is out of date; run scripts/gen_api_docs.py")
            return 1
        return 0
    DOC.write_text(text, "utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
