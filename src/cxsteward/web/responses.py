"""The API's JSON response: the bytes of ``services.contract.render_json``, as ``--json`` prints."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from cxsteward.services.contract import render_json


class ContractJSONResponse(JSONResponse):
    """JSON written exactly as the CLI writes it, so a result reads the same on both."""

    def render(self, content: Any) -> bytes:
        return render_json(content)
