"""Settings: one pydantic-settings class, built at start-up and passed down."""

from __future__ import annotations

import getpass
import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_WORKSPACE = Path("cxsteward-workspace")


class Settings(BaseSettings):
    """Every setting can come from a ``CXSTEWARD_*`` environment variable or an argument."""

    model_config = SettingsConfigDict(env_prefix="CXSTEWARD_", extra="forbid", frozen=True)

    workspace: Path = Field(
        default=DEFAULT_WORKSPACE,
        description="Folder holding the registry, the interaction store and reports.",
    )
    registry_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the registry; default is SQLite inside the workspace.",
    )
    data_url: str | None = Field(
        default=None,
        description=(
            "Ibis backend that computes metrics; default is embedded DuckDB over the workspace "
            "store. pyspark://local[2] runs the same metric code on Spark."
        ),
    )
    engine_memory_limit: str = Field(
        default="2GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description=(
            "Memory the embedded DuckDB engine may use (e.g. 2GB, 512MiB); beyond it, it "
            "spills to the workspace's .spill folder instead of growing."
        ),
    )
    repeat_contact_days: int = Field(
        default=7, ge=1, le=90, description="Days within which a further contact is a repeat."
    )
    # Data-quality rules of monitoring runs (docs/monitoring.md); the governance file's
    # data_quality: section overrides them.
    stale_feed_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        description="Days the newest contact may be older than today before the feed is stale.",
    )
    volume_trailing_days: int = Field(
        default=28,
        ge=7,
        le=366,
        description="Days before the newest ones that set the expected daily contact volume.",
    )
    volume_recent_days: int = Field(
        default=1,
        ge=1,
        le=31,
        description="Newest days whose contact volume is judged against the trailing days.",
    )
    volume_alpha: float = Field(
        default=0.001,
        gt=0,
        lt=0.5,
        description="False-alarm rate of the volume drop/spike rule, per deployment and handler.",
    )
    volume_min_change: float = Field(
        default=0.3,
        ge=0,
        le=10,
        description="Smallest relative volume change reported as a drop or spike (0.3 = 30%).",
    )
    null_rate_jump: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="Rise of a mapped column's null rate between loads (0.1 = 10 points).",
    )
    quarantine_rate_jump: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Rise of a load's quarantined share against the load before (0.05 = 5 points).",
    )
    duplicate_rate_jump: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Rise of a load's duplicate-id share against the one before (0.05 = 5 points).",
    )
    empty_window_min_contacts: int = Field(
        default=1,
        ge=1,
        description="Contacts a monitoring run needs; fewer is an empty window, a failed gate.",
    )
    question_bank: Path | None = Field(
        default=None,
        description="A custom question bank (YAML) that replaces the built-in one.",
    )
    extra_questions: Path | None = Field(
        default=None,
        description="A YAML file of the organization's own questions, added to the bank.",
    )
    min_answers_per_question: int = Field(
        default=3, ge=1, description="Valid (non don't-know) answers a question needs to be scored."
    )
    min_group_size: int = Field(
        default=3,
        ge=2,
        description=(
            "Respondents a role group needs before its figures are shown or compared; below "
            "it, each respondent of the group could work out the others' answers."
        ),
    )
    perception_gap: float = Field(
        default=1.5, gt=0, le=4, description="Difference between role-group means that is a gap."
    )

    actor: str | None = Field(
        default=None,
        description=(
            "Who the audit log records as making changes from this process; default is the "
            "operating-system user."
        ),
    )
    webhook_url: str | None = Field(
        default=None,
        description="Slack-compatible incoming webhook that receives incident notifications.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for incident e-mail; e-mail is off without it."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_sender: str = Field(
        default="cxsteward@localhost", description="From address of incident e-mail."
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, when needed.")
    smtp_password: str | None = Field(default=None, description="SMTP password, when needed.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection to TLS.")
    notify_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries per notification before it is marked failed."
    )
    review_sla_hours: int = Field(
        default=72,
        ge=1,
        le=2160,
        description="Hours within which a customer's request for a human review must be resolved.",
    )
    review_incident_severity: Literal["sev1", "sev2", "sev3", "sev4"] = Field(
        default="sev4",
        description="Severity of the incident that gathers a deployment's review requests.",
    )
    session_hours: int = Field(
        default=12, ge=1, le=720, description="Hours a web sign-in lasts before it must be renewed."
    )
    secure_cookies: bool = Field(
        default=True,
        description=(
            "Mark web cookies Secure (sent over HTTPS and to 127.0.0.1/localhost only); turn "
            "off only to serve plain HTTP on a trusted internal host."
        ),
    )
    web_threads: int = Field(
        default=8,
        ge=1,
        le=1000,
        description=(
            "Requests one web worker process handles at once; the rest wait their turn. "
            "Python runs one thread at a time, so more threads than this make every request "
            "slower (see docs/web.md)."
        ),
    )
    public_posts_per_minute: int = Field(
        default=30,
        ge=1,
        description=(
            "Public form submissions (review requests, assessment answers) one client address "
            "may make a minute; sign-in and the status lookup count separately."
        ),
    )
    sign_ins_per_minute: int = Field(
        default=20,
        ge=1,
        description="Sign-in (and sign-out) attempts one client address may make a minute.",
    )
    sign_ins_per_account_per_minute: int = Field(
        default=5,
        ge=1,
        description="Sign-in attempts on one username a minute, from all addresses together.",
    )
    status_lookups_per_minute: int = Field(
        default=10,
        ge=1,
        description=(
            "Review-request status lookups (web page and API) one client address may make a minute."
        ),
    )
    forwarded_allow_ips: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For "
            "header is believed (e.g. 127.0.0.1,10.0.0.0/8; * trusts every peer); rate "
            "limits and logs then use the client's address. Empty: the TCP peer is the client."
        ),
    )
    tls: bool = Field(
        default=False,
        description=(
            "The app is reached over HTTPS (directly or through a TLS proxy): send "
            "Strict-Transport-Security on every response."
        ),
    )

    @field_validator("registry_url")
    @classmethod
    def _normalise_postgres(cls, value: str | None) -> str | None:
        # Users paste libpq URLs; SQLAlchemy needs the driver named.
        if value and value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for part in (p.strip() for p in value.split(",")):
            if part and part != "*":
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError:
                    raise ValueError(
                        f"forwarded_allow_ips: {part!r} is not an IP address or network "
                        "(write e.g. 127.0.0.1,10.0.0.0/8, or * for every peer)"
                    ) from None
        return value

    @property
    def resolved_actor(self) -> str:
        """The actor named in the audit log for changes made by this process."""
        if self.actor:
            return self.actor
        return _os_user(tuple(os.environ.get(name) for name in _USER_VARIABLES))

    @property
    def reports_dir(self) -> Path:
        return self.workspace / "reports"

    @property
    def resolved_registry_url(self) -> str:
        return self.registry_url or _sqlite_url(self.workspace, os.getcwd())


# Both are asked on every request of the web app (each transaction names its actor; the
# read models key on the registry), and each asks the system: they are kept per input.
# The variables getpass reads, in its order; the account database when none is set.
_USER_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")


@lru_cache(maxsize=16)
def _os_user(_variables: tuple[str | None, ...]) -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@lru_cache(maxsize=64)
def _sqlite_url(workspace: Path, cwd: str) -> str:
    """The registry beside a workspace; ``cwd`` is part of the key, as it is of a relative path."""
    return f"sqlite:///{(Path(cwd) / workspace / 'registry.sqlite').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit values (CLI options) on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
