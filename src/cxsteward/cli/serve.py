"""``cxsteward serve``: the web app on the workspace."""

from __future__ import annotations

import os

import typer
import uvicorn

from cxsteward.cli.common import console, state, workspace
from cxsteward.config import Settings
from cxsteward.services.accounts import users

# Worker processes build the app from the environment (cxsteward.web.app), so the root
# options travel there as the variables they stand for.
PASSED_ON = ("workspace", "registry_url", "data_url", "forwarded_allow_ips", "tls")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Worker processes; they share the registry."
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
        "is believed, so rate limits and logs use the client's address.",
    ),
    tls: bool | None = typer.Option(
        None,
        "--tls/--no-tls",
        help="The app is reached over HTTPS (e.g. through a TLS proxy): send HSTS.",
        show_default=False,
    ),
) -> None:
    """Serve the web app on the workspace until Ctrl+C.

    It listens on 127.0.0.1 by default, so only this machine can reach it; put a TLS
    reverse proxy in front of it for other people, and name that proxy with
    --forwarded-allow-ips (docs/security.md). Sign in with a user made by
    `cxsteward users add`.

    Example: cxsteward serve --port 8080 --forwarded-allow-ips 127.0.0.1 --tls
    """
    settings = state(ctx).settings
    chosen = {"forwarded_allow_ips": forwarded_allow_ips, "tls": tls}
    given = {key: value for key, value in chosen.items() if value is not None}
    # Validated like every setting: a bad proxy address stops here with its message.
    settings = Settings(**{**settings.model_dump(), **given})
    with workspace(ctx) as ws:  # a missing workspace fails here, with its one-line message
        people = users.list_users(ws)
    out = console()
    if not any(p.active for p in people):
        out.print("No one can sign in yet: add the first admin with")
        out.print("  cxsteward users add NAME --role admin")
    out.print(f"cxsteward is serving {settings.workspace.resolve()} at http://{host}:{port}/")
    for name in PASSED_ON:
        value = getattr(settings, name)
        if value is not None:
            os.environ[f"CXSTEWARD_{name.upper()}"] = str(value)
    os.environ["CXSTEWARD_WORKSPACE"] = str(settings.workspace.resolve())
    uvicorn.run(
        "cxsteward.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The app reads X-Forwarded-For itself (from --forwarded-allow-ips only), for every
        # ASGI server alike, and writes the client into the scope the access log reads.
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )
