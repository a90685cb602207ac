"""Custom and extended question banks, as the settings name them."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from cxsteward.config import Settings
from cxsteward.errors import BankInvalid, Invalid, WorkspaceMissing
from cxsteward.services.workspace import init_workspace, load_bank, open_workspace

BUILTIN = files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8")


def test_custom_bank_replaces_the_builtin_one(tmp_path: Path) -> None:
    data = yaml.safe_load(BUILTIN)
    data["bank"], data["version"] = "acme", "7"
    data["questions"][0]["text"] = "Our leaders signed our own risk statement."
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    ws = init_workspace(Settings(workspace=tmp_path / "ws", question_bank=path))
    try:
        assert (ws.bank.id, ws.bank.version) == ("acme", "7")
        assert ws.bank.questions[0].text == "Our leaders signed our own risk statement."
        assert ws.maturity.stage(3).criteria  # the maturity model still fits this bank
    finally:
        ws.close()


def test_custom_bank_without_the_stage_questions_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(BUILTIN)
    data["questions"] = [q for q in data["questions"] if q["id"] != "GOV-01"]
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    ws = init_workspace(Settings(workspace=tmp_path / "ws", question_bank=path))
    try:
        with pytest.raises(Invalid, match="GOV-01"):
            _ = ws.maturity
    finally:
        ws.close()


def test_broken_custom_bank_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text("bank: x\nversion: '1'\nquestions:\n  - id: X-1\n", "utf-8")
    with pytest.raises(BankInvalid) as caught:
        load_bank(Settings(workspace=tmp_path, question_bank=path))
    assert str(path) in str(caught.value) and "row 4" in str(caught.value)


def test_missing_or_non_utf8_bank_file(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="file not found"):
        load_bank(Settings(workspace=tmp_path, question_bank=tmp_path / "nope.yaml"))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("questions: [café]".encode("latin-1"))
    with pytest.raises(Invalid, match="not UTF-8"):
        load_bank(Settings(workspace=tmp_path, extra_questions=latin))


def test_open_needs_an_initialised_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceMissing, match="cxsteward init"):
        open_workspace(Settings(workspace=tmp_path / "never"))
    assert not (tmp_path / "never").exists()
