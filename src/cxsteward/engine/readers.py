"""Reading exports into Arrow tables, every cell as text so that nothing is silently coerced.

CSV, TSV, spreadsheets and JSON Lines come back as string columns exactly as written (zip
codes keep their leading zeros, ids stay ids). Parquet keeps the types its schema declares,
since those are explicit and converting them to text would only cost time. Text columns whose
values repeat (a CSV column in its first MiB, a Parquet column stored with a small dictionary)
come back as dictionaries of text: the same values, held once each.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import mmap
import os
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from cxsteward.domain.mapping import SOURCE_FORMATS
from cxsteward.errors import Invalid, Problem

FORMATS = SOURCE_FORMATS
_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".ods": "ods",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_HEAD_BYTES = 1 << 20
_MIN_SAMPLE_ROWS = 100


class SourceUnreadable(Invalid):
    """The file cannot be read as a table at all; nothing was loaded."""


class LoadRefused(Invalid):
    """The file cannot be loaded with this mapping at all; nothing was loaded."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; every field is optional and defaults from the file itself."""

    format: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class RawTable:
    """A source table as read, before any mapping."""

    table: pa.Table
    source: str
    format: str
    columns: tuple[str, ...]  # every column of the file, in file order
    row_numbers: np.ndarray  # each record's row as the user finds it in the file
    notes: tuple[str, ...] = ()

    @property
    def num_rows(self) -> int:
        return int(self.table.num_rows)


def detect_format(path: Path, given: str | None = None) -> str:
    """The format named in the mapping, else the one the extension implies."""
    if given:
        if given not in FORMATS:
            raise SourceUnreadable(f"{path}: unknown format {given!r}; use one of {FORMATS}")
        return given
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise SourceUnreadable(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; "
            f"set source: {{format: ...}} in the mapping (one of {', '.join(FORMATS)})"
        )
    return found


def read_table(
    path: Path, options: ReadOptions | None = None, columns: Collection[str] | None = None
) -> RawTable:
    """Read a file; ``columns`` limits the columns read (absent ones are simply not returned).

    Raises:
        SourceUnreadable: the file is missing, empty, or not a table in the stated format.
    """
    options = options or ReadOptions()
    if not path.exists():
        raise SourceUnreadable(f"{path}: file not found")
    if path.is_dir():
        raise SourceUnreadable(f"{path}: is a folder, not a file")
    if path.stat().st_size == 0:
        raise SourceUnreadable(f"{path}: the file is empty; nothing was loaded")
    fmt = detect_format(path, options.format)
    if fmt in ("csv", "tsv"):
        return _read_csv(path, options, fmt, columns)
    if fmt == "parquet":
        return _read_parquet(path, columns)
    if fmt == "jsonl":
        return _read_jsonl(path, columns)
    return _read_spreadsheet(path, options, fmt, columns)


# --- CSV -------------------------------------------------------------------------------


def _read_csv(
    path: Path, options: ReadOptions, fmt: str, columns: Collection[str] | None
) -> RawTable:
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    encoding = _encoding(head, options.encoding)
    text = _decode_head(head, encoding, path)
    lines = text.splitlines()[:-1] if len(head) == _HEAD_BYTES else text.splitlines()
    first_line = lines[0] if lines else ""
    _refuse_wrapped_lines(path, lines)
    delimiter = options.delimiter or ("\t" if fmt == "tsv" else sniff_delimiter(first_line))
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    if not any(name.strip() for name in header):
        raise SourceUnreadable(f"{path}: the first line is empty; a header row is expected")
    names = header_names([name.strip() for name in header], path)
    wanted = [n for n in names if columns is None or n in columns]
    read_options = pcsv.ReadOptions(
        column_names=names, skip_rows=1, encoding=_arrow_encoding(encoding)
    )
    parse_options = pcsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=_may_quote(path, encoding)
    )
    sample = head if len(head) < _HEAD_BYTES else head[: head.rfind(b"\n") + 1]
    try:
        table = pcsv.read_csv(
            path,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=_text_columns(names, wanted),
        )
    except (pa.ArrowInvalid, UnicodeError) as exc:
        raise _diagnose_csv(path, encoding, delimiter, len(names), exc) from None
    table = _encode(table, _repeating(sample, read_options, parse_options, wanted))
    notes = [f"read as {DELIMITER_NAMES.get(delimiter, repr(delimiter))}-separated text"]
    if encoding.replace("-", "").lower() not in ("utf8", "utf8sig"):
        notes.append(f"decoded from {encoding}")
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    return RawTable(table, str(path), fmt, tuple(names), rows, tuple(notes))


def _may_quote(path: Path, encoding: str) -> bool:
    """False when the file holds no quote character, so that no value can span lines and Arrow
    may split the file into blocks at any line break (reading it about twice as fast)."""
    if b'"' not in '"'.encode(encoding):
        return True
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b'"') >= 0


def _text_columns(names: Sequence[str], wanted: Sequence[str]) -> pcsv.ConvertOptions:
    """Every cell as text, exactly as written."""
    return pcsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        include_columns=list(wanted),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _encode(table: pa.Table, names: Collection[str]) -> pa.Table:
    """The table with these columns dictionary-encoded, several columns at a time (Arrow
    builds each dictionary without the GIL; building them while reading is slower)."""
    chosen = [n for n in table.column_names if n in names]
    if not chosen:
        return table
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        coded = pool.map(lambda n: pc.dictionary_encode(table[n]), chosen)
        encoded = dict(zip(chosen, coded, strict=True))
    return pa.table({n: encoded.get(n, table[n]) for n in table.column_names})


def _repeating(
    sample: bytes,
    read_options: pcsv.ReadOptions,
    parse_options: pcsv.ParseOptions,
    wanted: Sequence[str],
) -> list[str]:
    """The columns whose values repeat (each at least 4 times on average) in the file's first
    MiB: they are dictionary-encoded, so that later steps work on their distinct values."""
    try:
        table = pcsv.read_csv(
            io.BytesIO(sample),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=_text_columns(read_options.column_names, wanted),
        )
    except (pa.ArrowInvalid, UnicodeError):  # e.g. the first MiB ends inside a quoted value
        return []
    if table.num_rows < _MIN_SAMPLE_ROWS:
        return []
    return [
        name
        for name in table.column_names
        if 4 * pc.count_distinct(table.column(name), mode="all").as_py() <= table.num_rows
    ]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most cells (comma on a tie)."""
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITER_NAMES}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def header_names(
    names: Sequence[str],
    path: Path,
    positions: Sequence[int] | None = None,
    sheet: bool = False,
    row: int = 1,
) -> list[str]:
    """Header names, never empty ('column 3'); two columns of one name are refused.

    Guessing which of two 'Date' columns a mapping means would load the wrong one without a
    word, so the file is refused with both positions (1-based, and the letter in a sheet).

    Raises:
        SourceUnreadable: two columns share a name.
    """
    places = list(positions) if positions is not None else list(range(1, len(names) + 1))
    first: dict[str, int] = {}
    out: list[str] = []
    problems: list[Problem] = []
    for place, raw in zip(places, names, strict=True):
        name = raw or f"column {place}"
        if name in first:
            problems.append(
                Problem(
                    f"columns {_place(first[name], sheet)} and {_place(place, sheet)} are both "
                    "named this; rename one in the file (or drop it) and load again",
                    str(path),
                    row=row,
                    column=name,
                )
            )
        first.setdefault(name, place)
        out.append(name)
    if problems:
        raise SourceUnreadable(
            f"{path}: the header names a column twice, so a mapping cannot tell them apart; "
            "nothing was loaded",
            problems,
        )
    return out


def _place(position: int, sheet: bool) -> str:
    if not sheet:
        return str(position)
    letters, number = "", position
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{position} ({letters})"


def _encoding(head: bytes, given: str | None) -> str:
    if given:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise SourceUnreadable(f"unknown encoding {given!r} in the mapping") from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def _arrow_encoding(encoding: str) -> str:
    # Arrow reads UTF-8 natively (and skips a BOM); other encodings are transcoded.
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


def _decode_head(head: bytes, encoding: str, path: Path) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise _not_encoding(path, head, encoding, exc) from None


def _not_encoding(path: Path, data: bytes, encoding: str, exc: UnicodeDecodeError) -> Invalid:
    line = data.count(b"\n", 0, exc.start) + 1
    near = data[max(0, exc.start - 20) : exc.start + 20].decode("utf-8", "replace")
    return SourceUnreadable(
        f"{path}: the file is not {encoding} text; nothing was loaded",
        [
            Problem(
                f"byte 0x{data[exc.start : exc.start + 1].hex()} is not valid {encoding}; save "
                "the file as UTF-8, or name its encoding in the mapping "
                "(source: {encoding: cp1252})",
                str(path),
                row=line,
                value=near,
            )
        ],
    )


def _diagnose_csv(
    path: Path, encoding: str, delimiter: str, width: int, exc: Exception
) -> SourceUnreadable:
    """Explain why Arrow refused a CSV: decode it in Python and find the first bad record."""
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as decode_error:
        return SourceUnreadable(_not_encoding(path, data, encoding, decode_error).message)
    name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    record, line = 0, 1
    try:
        for record, cells in enumerate(reader):
            if cells and len(cells) != width:
                return SourceUnreadable(
                    f"{path}: cannot be read as a {name}-separated table; nothing was loaded",
                    [
                        Problem(
                            f"has {len(cells)} fields where the header has {width}; check the "
                            "delimiter (source: {delimiter: ...}) and the quoting",
                            str(path),
                            row=record + 1,
                            value=delimiter.join(cells)[:120],
                        )
                    ],
                )
            line = reader.line_num
    except csv.Error as csv_error:
        return SourceUnreadable(
            f"{path}: broken CSV near line {line + 1}: {csv_error}; nothing was loaded"
        )
    return SourceUnreadable(f"{path}: cannot be read as CSV: {exc}; nothing was loaded")


def _refuse_wrapped_lines(path: Path, lines: Sequence[str]) -> None:
    wrapped = wrapped_line_delimiter(lines)
    if wrapped is None:
        return
    ending = wrapped * 2
    count = sum(1 for line in lines if line.endswith(ending))
    raise SourceUnreadable(
        f"{path}: is not a table: every line is one cell of a "
        f"{DELIMITER_NAMES[wrapped]}-separated file; nothing was loaded. "
        f"{count / len(lines):.0%} of its lines, the header among them, end in {ending!r}, and "
        "lines holding a comma or quote are wrapped in quotes with their quotes doubled: a "
        "spreadsheet has saved each physical line of the original file (including the pieces "
        "of multi-line text fields) as a single cell, so records are split across rows and "
        "no column can be read. Export the original file again rather than re-saving it "
        "from a spreadsheet.",
        [Problem("the whole header is one cell", str(path), 1, value=lines[0][:120])],
    )


def wrapped_line_delimiter(lines: Sequence[str]) -> str | None:
    """The delimiter of a file whose every line was saved as one cell (``a,b,c;;``), if any."""
    body = [line for line in lines if line]
    if len(body) < 2:
        return None
    for delimiter in DELIMITER_NAMES:
        cells = body[0].split(delimiter)
        holds_a_table = any(d in cells[0] for d in DELIMITER_NAMES if d != delimiter)
        if (
            body[0].endswith(delimiter * 2)
            and holds_a_table
            and not any(cell.strip() for cell in cells[1:])
            and sum(line.endswith(delimiter * 2) for line in body) > 0.9 * len(body)
        ):
            return delimiter
    return None


# --- Parquet and JSON Lines ---------------------------------------------------------------


def _read_parquet(path: Path, columns: Collection[str] | None) -> RawTable:
    try:
        metadata = pq.read_metadata(path)
        names = tuple(header_names(metadata.schema.to_arrow_schema().names, path))
        wanted = [n for n in names if columns is None or n in columns]
        coded = _dictionary_columns(metadata, wanted)
        # ParquetFile reads directly; read_table would first import the dataset machinery.
        file = pq.ParquetFile(path, metadata=metadata, read_dictionary=coded)
        table = file.read(columns=wanted, use_threads=True)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceUnreadable(f"{path}: not a readable Parquet file ({exc})") from None
    table = pa.table(
        {
            name: plain_column(col.combine_chunks() if col.num_chunks != 1 else col.chunk(0))
            for name, col in zip(table.column_names, table.columns, strict=True)
        }
    )
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return RawTable(table, str(path), "parquet", names, rows)


def _dictionary_columns(metadata: pq.FileMetaData, wanted: Sequence[str]) -> list[str]:
    """Text columns stored with few distinct values, read as dictionaries.

    Reading them so skips building millions of equal strings, and every later step then
    works on the distinct values only. A chunk whose data pages hold dictionary indices
    (at most 4 bytes a value) rather than the text itself (4 bytes of length plus the
    characters) was written from a small dictionary.
    """
    if not metadata.num_row_groups:
        return []
    schema = metadata.schema
    text = {
        schema.column(i).path: i
        for i in range(len(schema))
        if schema.column(i).physical_type == "BYTE_ARRAY"
        and schema.column(i).logical_type.type == "STRING"
    }
    coded = []
    for name in wanted:
        index = text.get(name)
        if index is None:
            continue
        chunks = [metadata.row_group(g).column(index) for g in range(metadata.num_row_groups)]
        if all(
            chunk.has_dictionary_page
            and chunk.total_uncompressed_size <= 4 * max(chunk.num_values, 1)
            for chunk in chunks
        ):
            coded.append(name)
    return coded


def plain_column(array: pa.Array) -> pa.Array:
    """Text as ``string`` (or a dictionary of ``string``); other dictionaries decoded."""
    if pa.types.is_dictionary(array.type):
        value_type = array.type.value_type
        if not (
            pa.types.is_string(value_type)
            or pa.types.is_large_string(value_type)
            or pa.types.is_string_view(value_type)
        ):
            return plain_column(array.dictionary_decode())
        return pa.DictionaryArray.from_arrays(
            array.indices.cast(pa.int32()), array.dictionary.cast(pa.string())
        )
    if pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type):
        return array.cast(pa.string())
    return array


def _read_jsonl(path: Path, columns: Collection[str] | None) -> RawTable:
    names: list[str] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number > 1000:
                break
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise SourceUnreadable(f"{path}, line {number}: not valid JSON ({exc})") from None
            if not isinstance(item, dict):
                raise SourceUnreadable(f"{path}, line {number}: each line must be a JSON object")
            names.extend(k for k in item if k not in names)
    con = duckdb.connect()
    try:
        source = "read_json_objects($1, format='newline_delimited')"
        keys = con.sql(
            f"SELECT DISTINCT unnest(json_keys(json)) FROM {source}", params=[str(path)]
        ).fetchall()
        names.extend(sorted(k for (k,) in keys if k not in names))
        wanted = [n for n in names if columns is None or n in columns]
        select = ", ".join(
            f"json_extract_string(json, '$.' || to_json(${i + 2})::VARCHAR) AS c{i}"
            for i in range(len(wanted))
        )
        relation = con.sql(
            f"SELECT {select or 'NULL AS c0'} FROM {source}", params=[str(path), *wanted]
        )
        fetched = relation.to_arrow_table()
        assert fetched is not None  # a SELECT always has a result
    except duckdb.Error as exc:
        raise SourceUnreadable(f"{path}: not valid JSON Lines: {exc}") from None
    finally:
        con.close()
    table = pa.table(
        {name: fetched.column(i).cast(pa.string()) for i, name in enumerate(wanted)}
        if wanted
        else {"_": pa.nulls(fetched.num_rows, pa.string())}
    )
    if not wanted:
        table = table.drop_columns(["_"])
    rows = np.arange(1, fetched.num_rows + 1, dtype=np.int64)
    return RawTable(table, str(path), "jsonl", tuple(names), rows)


# --- Spreadsheets -------------------------------------------------------------------------


def _read_spreadsheet(
    path: Path, options: ReadOptions, fmt: str, columns: Collection[str] | None
) -> RawTable:
    sheet_names, chosen, rows = _sheet_rows(path, fmt, options.sheet)
    header_at = next((i for i, row in enumerate(rows) if any(_filled(c) for c in row)), None)
    if header_at is None:
        raise SourceUnreadable(f"{path}: sheet {chosen!r} is empty; nothing was loaded")
    width = max(len(row) for row in rows)
    header = [cell_text(c) or "" for c in _pad(rows[header_at], width)]
    data = [(i, _pad(row, width)) for i, row in enumerate(rows) if i > header_at]
    data = [(i, row) for i, row in data if any(_filled(c) for c in row)]
    used = [j for j in range(width) if header[j].strip() or any(_filled(r[j]) for _, r in data)]
    names = header_names(
        [header[j].strip() for j in used], path, [j + 1 for j in used], True, header_at + 1
    )
    arrays: dict[str, pa.Array] = {}
    for name, j in zip(names, used, strict=True):
        if columns is None or name in columns:
            arrays[name] = column_text([row[j] for _, row in data])
    table = pa.table(arrays) if arrays else pa.table({}).append_column("_", pa.nulls(len(data)))
    if not arrays:
        table = table.drop_columns(["_"])
    notes = [f"read sheet {chosen!r}" + (f" of {sheet_names}" if len(sheet_names) > 1 else "")]
    skipped = len(rows) - header_at - 1 - len(data)
    if skipped:
        notes.append(f"skipped {skipped} empty rows")
    numbers = np.array([i + 1 for i, _ in data], dtype=np.int64)
    return RawTable(table, str(path), fmt, tuple(names), numbers, tuple(notes))


def _choose_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    if sheet.isdigit() and int(sheet) < len(names):
        return names[int(sheet)]
    raise SourceUnreadable(
        f"{path}: no sheet {sheet!r}; the workbook has {', '.join(repr(n) for n in names)}"
    )


def _sheet_rows(
    path: Path, fmt: str, sheet: str | None
) -> tuple[list[str], str, list[tuple[object, ...]]]:
    """Every row of the chosen sheet, from its first row and column, cells as typed values.

    calamine (Rust) reads XLSX and ODS alike: a 2.5 MB ODS of 42,078 rows takes about 3 s
    and 290 MB into text columns, where odfpy took 133-147 s and 2.0 GB
    (benchmarks/results/load.md).
    """
    import python_calamine  # only spreadsheet loads pay for importing it

    kind = "XLSX workbook" if fmt == "xlsx" else "ODS spreadsheet"
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several kinds on a file that is not a workbook
        raise SourceUnreadable(f"{path}: not a readable {kind} ({exc})") from None
    names = [str(n) for n in book.sheet_names]
    if not names:
        raise SourceUnreadable(f"{path}: the workbook has no sheets; nothing was loaded")
    chosen = _choose_sheet(path, names, sheet)
    try:
        # skip_empty_area=False keeps row 1 as row 1, so quarantine lines match the sheet.
        cells = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:
        raise SourceUnreadable(f"{path}: sheet {chosen!r} cannot be read ({exc})") from None
    rows: list[tuple[object, ...]] = [tuple(None if c == "" else c for c in row) for row in cells]
    return names, chosen, rows


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


def _pad(row: tuple[object, ...], width: int) -> tuple[object, ...]:
    return row + (None,) * (width - len(row)) if len(row) < width else row


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def column_text(cells: list[object]) -> pa.Array:
    """A sheet column as text, like ``cell_text`` on each cell, with fast paths for the usual
    columns: all text, or all whole numbers (ids, counts, YYMMDD dates)."""
    kinds = {type(c) for c in cells}
    if kinds <= {str, type(None)}:
        return pa.array(cells, pa.string())
    if kinds <= {float, int, type(None)}:
        numbers = np.array([np.nan if c is None else c for c in cells], dtype=np.float64)
        empty = np.isnan(numbers)
        present = numbers[~empty]
        if np.all((present == np.floor(present)) & (np.abs(present) < 1e15)):
            whole = np.where(empty, 0, numbers).astype(np.int64)
            return pa.array(whole, mask=empty).cast(pa.string())
    return pa.array([cell_text(c) for c in cells], pa.string())


def cell_text(cell: object) -> str | None:
    """A spreadsheet cell as text: dates in ISO 8601, times as HH:MM:SS, numbers as written."""
    if cell is None or _is_nan(cell):
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    if isinstance(cell, dt.timedelta):
        seconds = int(cell.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if isinstance(cell, float):
        # Spreadsheets store every number as a double: 3 and 3.0 are the same cell.
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
    return str(cell)
