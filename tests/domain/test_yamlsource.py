"""The one YAML reader refuses alias bombs, alias loops and runaway nesting, and only those."""

from __future__ import annotations

import time

import pytest
import yaml

from cxsteward.domain.yamlsource import ALIAS_BUDGET, YamlRefused, parse_yaml, read_yaml
from cxsteward.errors import Invalid


def laughs(levels: int, width: int = 9) -> str:
    """The classic "billion laughs": each level lists the one before ``width`` times."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def expanded(levels: int, width: int = 9) -> int:
    """Nodes of the expanded document, by hand: the root, then per level its key and its
    list, which holds ``width`` copies of the level before (a0 is a list of one scalar)."""
    size = 2
    total = 1 + 1 + size
    for _ in range(levels):
        size = 1 + width * size
        total += 1 + size
    return total


def test_a_billion_laughs_is_refused_at_once() -> None:
    text = laughs(9)
    assert len(text.encode()) < 1024
    began = time.perf_counter()
    with pytest.raises(YamlRefused, match="alias bomb") as caught:
        parse_yaml(text)
    assert time.perf_counter() - began < 1.0
    assert caught.value.problem_mark is not None  # the line of the block that exploded


@pytest.mark.parametrize("loader", [yaml.SafeLoader, yaml.BaseLoader], ids=["safe", "base"])
def test_shared_blocks_within_the_budget_are_read(loader: type[yaml.SafeLoader]) -> None:
    # Level 4 of width 9 expands to ~8,000 nodes: far below the budget, and read whole.
    node, data = parse_yaml(laughs(4), loader)
    assert node is not None
    assert len(data["a4"]) == 9 and data["a4"][0][0][0] == [["lol"]] * 9
    assert expanded(4) < ALIAS_BUDGET < expanded(6)
    with pytest.raises(YamlRefused):
        parse_yaml(laughs(6), loader)


def test_merge_keys_sharing_defaults_still_work() -> None:
    text = "defaults: &d {owner: ana, review_days: 30}\nitems:\n" + "".join(
        f"  - {{<<: *d, key: item-{i}}}\n" for i in range(200)
    )
    _, data = parse_yaml(text)
    assert len(data["items"]) == 200
    assert data["items"][199] == {"owner": "ana", "review_days": 30, "key": "item-199"}


def test_an_alias_inside_its_own_block_is_refused() -> None:
    with pytest.raises(YamlRefused, match="loop"):
        parse_yaml("a: &a [1, *a]\n")


def test_runaway_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(YamlRefused, match="nested too deeply"):
        parse_yaml("[" * 20_000 + "]" * 20_000)


def test_read_yaml_names_the_file_and_says_refused() -> None:
    with pytest.raises(Invalid) as caught:
        read_yaml(laughs(9), "bomb.yaml")
    assert caught.value.summary == "bomb.yaml: refused; nothing was written"
    problem = caught.value.problems[0]
    assert problem.file == "bomb.yaml" and problem.message.startswith("refused: its aliases")


def test_broken_yaml_is_still_reported_as_not_valid() -> None:
    with pytest.raises(Invalid) as caught:
        read_yaml("a: [1, 2\n", "broken.yaml")
    assert caught.value.summary == "broken.yaml: not valid YAML; nothing was written"
