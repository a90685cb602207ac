"""Reading a governance file: YAML to the spec, with every problem and its line at once."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cxsteward.domain.governance.spec import Governance, reference_problems
from cxsteward.domain.yamlsource import YamlSource, read_yaml
from cxsteward.errors import GovernanceInvalid, Problem

# A located problem before it has a line: (path such as ``deployments[1].vendor``, message, value).
Found = tuple[str, str, str | None]
_SHOWN = 80  # characters of a bad value quoted back; hostile input must not flood the terminal


@dataclass(frozen=True)
class GovernanceSource:
    """A parsed governance file: the spec plus where each of its parts is written."""

    governance: Governance
    file: str
    lines: YamlSource

    def problem(self, path: str, message: str, value: object = None) -> Problem:
        """A problem at ``path``, with the line of that node (or its nearest written ancestor)."""
        return Problem(
            message, self.file, row=self.lines.path_line(path), column=path, value=_shown(value)
        )


def read_governance_file(path: Path) -> Governance:
    """Read and check a governance YAML file.

    Raises:
        GovernanceInvalid: listing every problem, each with its line.
    """
    return read_governance_source(path).governance


def read_governance_source(path: Path) -> GovernanceSource:
    """Like :func:`read_governance_file`, keeping line numbers for later problems."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise GovernanceInvalid(f"{path}: file not found") from None
    except IsADirectoryError:
        raise GovernanceInvalid(
            f"{path}: is a folder, not a file; name the governance YAML file itself"
        ) from None
    except UnicodeDecodeError:
        raise GovernanceInvalid(f"{path}: not UTF-8 text; save it as UTF-8") from None
    return parse_governance(text, str(path))


def parse_governance(text: str, source: str) -> GovernanceSource:
    """Parse governance YAML text; ``source`` names it in messages."""
    lines = read_yaml(text, source, GovernanceInvalid)
    if not isinstance(lines.data, dict):
        raise GovernanceInvalid(
            f"{source}: expected a mapping with 'organization:', 'people:', 'deployments:' ..."
        )
    found: list[Found] = []
    gov: Governance | None
    lines = YamlSource(_on_keys(lines.data), lines.item_lines, lines.key_lines, lines.path_lines)
    try:
        gov = Governance.model_validate(lines.data)
    except ValidationError as exc:
        found.extend(_pydantic_problems(exc))
        # Check references on what did parse, so one run reports everything.
        salvaged, index_map, dropped_keys = _salvage(lines.data, exc)
        if salvaged is not None:
            for path, message, value in consistency_problems(salvaged):
                if value not in dropped_keys:
                    found.append((_original_path(path, index_map), message, value))
        gov = None
    else:
        found.extend(consistency_problems(gov))
    if found or gov is None:
        holder = GovernanceSource(Governance(organization="-"), source, lines)
        problems = [holder.problem(path, message, value) for path, message, value in found]
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise GovernanceInvalid(
            f"{source}: {len(problems)} problem(s); nothing was changed", problems
        )
    return GovernanceSource(gov, source, lines)


def _on_keys(node: Any) -> Any:
    """YAML 1.1 reads an unquoted ``on:`` key as True; history entries mean the date."""
    if isinstance(node, dict):
        return {("on" if key is True else key): _on_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_on_keys(item) for item in node]
    return node


def consistency_problems(gov: Governance) -> list[Found]:
    """Dangling and duplicated keys, plus the identities the registry needs to be unique."""
    found: list[Found] = list(reference_problems(gov))

    def twice(path: str, values: list[str], what: str) -> None:
        counts: Counter[str] = Counter()
        for index, value in enumerate(values):
            counts[value] += 1
            if counts[value] == 2:
                found.append((path.format(index), f"{what} appears twice", value))

    if gov.committee is not None:
        members = [m.person for m in gov.committee.members]
        twice("committee.members[{}].person", members, "this committee member")
    for v_index, vendor in enumerate(gov.vendors):
        kinds = [c.kind.value for c in vendor.clauses]
        twice(f"vendors[{v_index}].clauses[{{}}].kind", kinds, "this clause kind")
    scopes = [f"{a.metric} @ {a.deployment or 'all'}" for a in gov.accountability]
    twice("accountability[{}]", scopes, "the same metric and deployment")
    titles = [item.title for item in gov.roadmap.items]
    twice("roadmap.items[{}].title", titles, "this roadmap item title")
    found.extend(_nul_problems(gov.model_dump(mode="json"), ""))
    for index, template in enumerate(gov.templates):
        if (template.approved_by is None) != (template.approved_at is None):
            found.append(
                (
                    f"templates[{index}].approved_by",
                    "approved_by and approved_at go together: give both, or neither",
                    template.key,
                )
            )
    return found


def _nul_problems(node: Any, path: str) -> list[Found]:
    # PostgreSQL cannot store a NUL character, and no one types one on purpose.
    if isinstance(node, str):
        return (
            [(path, "contains a NUL character (\\x00); remove it", None)] if "\x00" in node else []
        )
    if isinstance(node, dict):
        return [f for k, v in node.items() for f in _nul_problems(v, _join(path, k))]
    if isinstance(node, list):
        return [f for i, v in enumerate(node) for f in _nul_problems(v, f"{path}[{i}]")]
    return []


def _pydantic_problems(exc: ValidationError) -> list[Found]:
    found: list[Found] = []
    for error in exc.errors():
        found.append((_path(error["loc"]), error["msg"], error.get("input")))
    return found


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shown(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, date | datetime):
        value = value.isoformat()
    text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _salvage(
    data: dict[str, Any],  # the governance file's YAML, as read
    exc: ValidationError,
) -> tuple[Governance | None, dict[str, list[int]], set[str]]:
    """The file without its broken parts, the index map back, and keys of dropped items.

    First each bad field is left out (its default then applies); what is still broken
    after that (a missing required field, a bad key) drops the innermost list item it sits
    in, or its top-level section. References between the parts that did parse can then be
    checked, so one run reports everything.
    """
    pruned = copy.deepcopy(data)
    for error in exc.errors():
        loc = error["loc"]
        last = max((i for i, part in enumerate(loc) if isinstance(part, str)), default=-1)
        holder = _at(pruned, loc[:last]) if last > 0 else None
        if isinstance(holder, dict):
            holder.pop(loc[last], None)
    try:
        return Governance.model_validate(pruned), {}, set()
    except ValidationError as again:
        remaining = again.errors()
    drop: dict[str, set[int]] = {}
    dropped_keys: set[str] = set()
    for error in remaining:
        loc = error["loc"]
        cut = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=-1)
        if cut < 0:
            if loc and loc[0] == "organization":
                pruned["organization"] = "-"
            elif loc:
                pruned.pop(str(loc[0]), None)
            continue
        drop.setdefault(_path(loc[:cut]), set()).add(int(loc[cut]))
        item = _at(data, loc[: cut + 1])
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            dropped_keys.add(item["key"])
    index_map: dict[str, list[int]] = {}
    pruned = _prune(pruned, "", "", drop, index_map)
    try:
        return Governance.model_validate(pruned), index_map, dropped_keys
    except ValidationError:
        return None, index_map, dropped_keys


def _at(data: Any, loc: tuple[int | str, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _prune(
    node: Any, old: str, new: str, drop: dict[str, set[int]], index_map: dict[str, list[int]]
) -> Any:
    # ``old`` is the path in the user's file (what errors name), ``new`` the path after pruning.
    if isinstance(node, list):
        kept = [i for i in range(len(node)) if i not in drop.get(old, set())]
        index_map[new] = kept
        return [
            _prune(node[i], f"{old}[{i}]", f"{new}[{n}]", drop, index_map)
            for n, i in enumerate(kept)
        ]
    if isinstance(node, dict):
        return {
            k: _prune(v, _join(old, k), _join(new, k), drop, index_map) for k, v in node.items()
        }
    return node


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _original_path(path: str, index_map: dict[str, list[int]]) -> str:
    """Translate a path in the pruned data back to the path in the user's file."""
    new_prefix, old_prefix, i = "", "", 0
    while i < len(path):
        if path[i] == "[":
            end = path.index("]", i)
            new_index = int(path[i + 1 : end])
            kept = index_map.get(new_prefix)
            old_index = kept[new_index] if kept is not None and new_index < len(kept) else new_index
            new_prefix += f"[{new_index}]"
            old_prefix += f"[{old_index}]"
            i = end + 1
        else:
            marks = (path.find(".", i + 1), path.find("[", i + 1))
            end = min((j for j in marks if j > 0), default=len(path))
            new_prefix += path[i:end]
            old_prefix += path[i:end]
            i = end
    return old_prefix
