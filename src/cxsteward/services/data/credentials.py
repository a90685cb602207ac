"""Where the full URL of an attached source lives when it carries a credential.

A URL with a password or a secret-looking parameter is written to one file per source in
``<workspace>/.secrets/`` (folder 0700, file 0600, written aside and renamed into place)
and nowhere else: the registry, the audit log, run records and messages hold the masked
URL. A URL without a secret needs no file; drivers that read their password from the
environment (``PGPASSWORD`` for PostgreSQL) then keep it out of the workspace entirely.
"""

from __future__ import annotations

import os
from pathlib import Path

from cxsteward.engine.table_source import masked_url
from cxsteward.services.workspace import Workspace

SECRETS = ".secrets"


def has_secret(url: str) -> bool:
    """True when masking changes ``url``: it holds a password or a secret parameter."""
    return masked_url(url) != url


def secret_file(ws: Workspace, name: str) -> Path:
    return ws.settings.workspace / SECRETS / f"source-{name}.url"


def write_secret(ws: Workspace, name: str, url: str) -> Path:
    """Keep ``url`` for source ``name``, readable by the workspace's owner only."""
    folder = ws.settings.workspace / SECRETS
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    target = secret_file(ws, name)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(url)
    os.replace(partial, target)
    return target


def read_secret(ws: Workspace, name: str) -> str | None:
    """The full URL kept for ``name``; None when there is no file."""
    try:
        return secret_file(ws, name).read_text("utf-8").strip()
    except FileNotFoundError:
        return None


def drop_secret(ws: Workspace, name: str) -> None:
    secret_file(ws, name).unlink(missing_ok=True)
