"""One version everywhere: the package, its metadata and the changelog."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cxsteward import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_package_metadata_and_changelog_agree() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert declared == __version__
    headings = [
        line
        for line in (ROOT / "CHANGELOG.md").read_text("utf-8").splitlines()
        if line.startswith("## [")
    ]
    assert headings[0].startswith(f"## [{__version__}] - ")
