"""Reading a source table through an Ibis backend URL (a database, a DuckDB file, Spark).

``postgres://user:secret@host/crm`` with table ``contacts`` is read whole (only the columns a
mapping names), then loaded exactly like a file. Credentials never leave this module: every
label and message carries the URL with its password and secret-looking parameters masked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from urllib.parse import parse_qsl, urlsplit

import ibis
import numpy as np
import pyarrow as pa

from cxsteward.engine.backend import fetch_arrow, quiet_backend
from cxsteward.engine.readers import RawTable, SourceUnreadable, plain_column

TABLE_FORMAT = "table"
_MASK = "***"
_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token", "key")


def is_url(source: str) -> bool:
    """True for ``scheme://...``: a backend URL rather than a file path."""
    return "://" in source and not source.startswith("file://")


def masked_url(url: str) -> str:
    """``url`` with its password and secret-looking query values replaced by ``***``.

    Only those parts change: the rest is kept as written (``duckdb:///file`` keeps its
    three slashes).
    """
    parts = urlsplit(url)
    out = url
    if parts.password is not None:
        user = parts.netloc.rpartition("@")[0].split(":", 1)[0]
        host = parts.netloc.rpartition("@")[2]
        out = out.replace(f"//{parts.netloc}", f"//{user}:{_MASK}@{host}", 1)
    if parts.query:
        pieces = []
        for piece in parts.query.split("&"):
            key, sep, _value = piece.partition("=")
            secret = sep and _is_secret(key)
            pieces.append(f"{key}={_MASK}" if secret else piece)
        out = out.replace(f"?{parts.query}", "?" + "&".join(pieces), 1)
    return out


def source_label(url: str, table: str) -> str:
    """How the load log names the source: the masked URL and the table."""
    return f"{masked_url(url)} table {table}"


def read_backend_table(url: str, table: str, columns: Collection[str] | None = None) -> RawTable:
    """Read ``table`` through the Ibis backend at ``url``; ``columns`` limits what is read.

    Row numbers are positions in the result as read (a database table has no row order of
    its own; interaction ids name the rows in every message that matters).

    Raises:
        SourceUnreadable: no such backend, no connection, no such table, or an empty table.
    """
    label = source_label(url, table)
    secrets = _secrets(url)
    if not table.strip():
        raise SourceUnreadable(f"{masked_url(url)}: name the table to read (--table)")
    try:
        with quiet_backend():
            con = ibis.connect(url)
    except Exception as exc:  # noqa: BLE001 - each driver raises its own; all mean "cannot connect"
        raise SourceUnreadable(
            f"{masked_url(url)}: cannot connect ({_reason(exc, secrets)})"
        ) from None
    try:
        try:
            with quiet_backend():
                source = con.table(table)
        except Exception as exc:  # noqa: BLE001 - TableNotFound or the driver's own error
            raise SourceUnreadable(
                f"{masked_url(url)}: no table {table!r} ({_reason(exc, secrets)})"
            ) from None
        names = tuple(source.columns)
        wanted = [n for n in names if columns is None or n in columns]
        if not wanted:
            raise SourceUnreadable(
                f"{label}: none of the mapped columns is in the table; its columns are "
                f"{', '.join(names)}"
            )
        try:
            arrow = fetch_arrow(source.select(*wanted))
        except Exception as exc:  # noqa: BLE001 - a driver error while reading rows
            reason = _reason(exc, secrets)
            raise SourceUnreadable(f"{label}: could not be read ({reason})") from None
    finally:
        con.disconnect()
    if arrow.num_rows == 0:
        raise SourceUnreadable(f"{label}: the table is empty; nothing was loaded")
    arrow = pa.table(
        {
            name: plain_column(col.combine_chunks() if col.num_chunks != 1 else col.chunk(0))
            for name, col in zip(arrow.column_names, arrow.columns, strict=True)
        }
    )
    rows = np.arange(1, arrow.num_rows + 1, dtype=np.int64)
    return RawTable(arrow, label, TABLE_FORMAT, names, rows)


def table_checksum(table: pa.Table) -> tuple[str, int]:
    """SHA-256 and size of the table's Arrow IPC stream: the same rows in the same order
    give the same digest, so loading an unchanged table again is recognised."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    data = sink.getvalue()
    return hashlib.sha256(memoryview(data)).hexdigest(), int(data.size)


def masked_reason(exc: Exception, url: str) -> str:
    """The first line of a driver's message about ``url``, with the URL's secrets masked."""
    return _reason(exc, _secrets(url))


def _secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    found += [value for key, value in parse_qsl(parts.query) if value and _is_secret(key)]
    return found


def _is_secret(key: str) -> bool:
    """A query parameter named like a password, secret, token or key."""
    return any(word in key.lower() for word in _SECRET_WORDS)


def _reason(exc: Exception, secrets: list[str]) -> str:
    """The first line of a driver's message, with any secret of the URL masked."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    for secret in secrets:
        text = text.replace(secret, _MASK)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
