"""Reading a small import file a person hands in (answers, customer choices): whole, as UTF-8.

Shared by the importers so that every one refuses a missing, empty, oversized, UTF-16 or
non-UTF-8 file with the same located message, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from cxsteward.errors import ImportInvalid, Invalid, Problem

MAX_BYTES = 20 * 1024 * 1024  # an import file larger than this is refused before reading on


def read_import_file(path: Path) -> bytes:
    """The file's bytes; refused when missing, a folder, over MAX_BYTES or empty."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Invalid(f"{path}: file not found.") from None
    except IsADirectoryError:
        raise Invalid(f"{path}: is a folder, not a file.") from None
    if len(data) > MAX_BYTES:
        raise Invalid(f"{path}: {len(data)} bytes is over the {MAX_BYTES} byte limit.")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportInvalid(f"{path}: the file is empty; nothing was written.")
    return data


def decode_utf8(data: bytes, source: str) -> str:
    """The text of an import file; UTF-16 and non-UTF-8 bytes are refused with their row."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportInvalid(
            f"{source}: the file is UTF-16 encoded; save it as UTF-8 (CSV UTF-8 in Excel)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1]
        raise ImportInvalid(
            f"{source}: the file is not UTF-8; nothing was written",
            [
                Problem(
                    f"byte 0x{bad.hex()} cannot be read as UTF-8; save the file as UTF-8 "
                    "(it looks like Latin-1 or Windows-1252)",
                    source,
                    row=row,
                    value=data[max(0, exc.start - 12) : exc.start + 12].decode("utf-8", "replace"),
                )
            ],
        ) from None
