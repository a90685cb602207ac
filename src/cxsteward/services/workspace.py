"""The workspace: a folder with the registry and reports, opened once per command."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from importlib.resources import files
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cxsteward.config import Settings
from cxsteward.domain.bank import QuestionBank, extend_bank, parse_bank
from cxsteward.domain.maturity import MaturityModel, parse_maturity
from cxsteward.domain.scoring import ScoringRules
from cxsteward.errors import CxStewardError, Invalid, Problem, WorkspaceMissing
from cxsteward.registry.audit import install_audit, mark_anonymous
from cxsteward.registry.database import create_registry_engine, migrate, transaction
from cxsteward.services.clock import Clock, SystemClock

MARKER = ".cxsteward-workspace"


@dataclass
class Workspace:
    """Settings plus the open registry: what every service function receives."""

    settings: Settings
    engine: Engine = field(repr=False)
    # The one source of time; tests pass a FixedClock instead of patching modules.
    clock: Clock = field(default_factory=SystemClock, repr=False)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        # Every session records its changes in the audit log; no service can forget to.
        # Each also carries the clock, for code that holds a session and not the workspace.
        made = sessionmaker(self.engine, expire_on_commit=False, info={"clock": self.clock})
        return install_audit(made)

    def now(self) -> datetime:
        """The current time by the workspace's clock."""
        return self.clock.now()

    @contextmanager
    def transaction(self, actor: str | None = None, anonymous: bool = False) -> Iterator[Session]:
        """One unit of work; the audit log names ``actor`` (default: the settings' actor).

        ``anonymous``: the audit log names nobody and keeps only the day (see
        ``registry.audit.mark_anonymous``); only anonymous records may change.
        """
        with transaction(self.sessions) as session:
            session.info["actor"] = actor or self.settings.resolved_actor
            if anonymous:
                mark_anonymous(session)
            yield session

    @cached_property
    def reader(self) -> Engine:
        """The registry for one-statement reads: no transaction is opened around them.

        A read of one row needs no BEGIN and no ROLLBACK; on PostgreSQL each is a round
        trip to the server, and the pages that every request makes (the session, the
        versions of the read models) were spending three of their four on them.
        """
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @cached_property
    def bank(self) -> QuestionBank:
        return load_bank(self.settings)

    @cached_property
    def maturity(self) -> MaturityModel:
        return load_maturity(self.bank)

    @property
    def rules(self) -> ScoringRules:
        return ScoringRules(
            min_answers_per_question=self.settings.min_answers_per_question,
            min_group_size=self.settings.min_group_size,
            perception_gap=self.settings.perception_gap,
        )

    @property
    def reports_dir(self) -> Path:
        self.settings.reports_dir.mkdir(parents=True, exist_ok=True)
        return self.settings.reports_dir

    def close(self) -> None:
        self.engine.dispose()


def init_workspace(settings: Settings, clock: Clock | None = None) -> Workspace:
    """Create the workspace folder and an up-to-date registry; safe to run twice."""
    settings.workspace.mkdir(parents=True, exist_ok=True)
    (settings.workspace / MARKER).touch()
    settings.reports_dir.mkdir(exist_ok=True)
    return _open(settings, clock)


def open_workspace(settings: Settings, clock: Clock | None = None) -> Workspace:
    """Open an existing workspace, applying any pending registry migrations.

    Raises:
        WorkspaceMissing: when the folder was never initialised.
    """
    if not (settings.workspace / MARKER).exists():
        raise WorkspaceMissing(
            f"No cxsteward workspace at {settings.workspace}. "
            "Run `cxsteward init` first, or pass --workspace."
        )
    return _open(settings, clock)


def reset_workspace(settings: Settings) -> Workspace:
    """Delete and re-create a workspace; refuses a folder that is not a workspace."""
    folder = settings.workspace
    if folder.exists() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise Invalid(
            f"{folder} exists and is not a cxsteward workspace; refusing to delete it. "
            "Choose another folder with --workspace."
        )
    if folder.exists():
        shutil.rmtree(folder)
    if settings.registry_url:
        raise Invalid("the demo needs the embedded registry; unset CXSTEWARD_REGISTRY_URL")
    return init_workspace(settings)


def _open(settings: Settings, clock: Clock | None = None) -> Workspace:
    engine = create_registry_engine(settings.resolved_registry_url, settings.web_threads)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise CxStewardError(f"Cannot open the registry: {exc.orig}") from exc
    return Workspace(settings=settings, engine=engine, clock=clock or SystemClock())


def load_bank(settings: Settings) -> QuestionBank:
    """The built-in bank, or the custom one the settings name, plus any extra questions."""
    if settings.question_bank is not None:
        path = settings.question_bank
        bank = parse_bank(_read(path), str(path))
    else:
        text = files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8")
        bank = parse_bank(text, "question_bank.yaml (built in)")
    if settings.extra_questions is not None:
        bank = extend_bank(bank, _read(settings.extra_questions), str(settings.extra_questions))
    return bank


def load_maturity(bank: QuestionBank) -> MaturityModel:
    text = files("cxsteward").joinpath("data/maturity.yaml").read_text("utf-8")
    return parse_maturity(text, "maturity.yaml (built in)", bank)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise Invalid(f"{path}: file not found") from None
    except IsADirectoryError:
        raise Invalid(f"{path}: is a folder, not a file; name the YAML file itself") from None
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{path} is not UTF-8 text", [Problem("save it as UTF-8", str(path), value=repr(exc))]
        ) from None
