"""What every command shares: settings from the root options, errors, the workspace."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import IntegrityError
from typer._click.globals import get_current_context
from typer.exceptions import TyperException

from cxsteward.config import Settings, load_settings
from cxsteward.errors import CxStewardError, Invalid
from cxsteward.services.contract import dump_json
from cxsteward.services.workspace import Workspace, open_workspace

EXIT_CHECK_FAILED = 2


@dataclass
class CliState:
    """The root options; settings are built on first use so that --help never needs them."""

    overrides: dict[str, object]
    debug: bool
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(**self.overrides)
        return self._settings


F = TypeVar("F", bound=Callable[..., Any])


def _handle_errors(func: F) -> F:
    """Turn every exception into one ``Error: ...`` line and exit 1 (a traceback with --debug).

    The project's exceptions carry their own message; a registry integrity error becomes a
    conflict message, a file-system error names the path; anything else is a bug, reported
    as what failed and how to see the traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _TYPER_FLOW:  # typer's own exits, aborts and usage errors
            raise
        except Exception as exc:
            if _debugging(kwargs.get("ctx")):
                raise
            err_console().print(f"Error: {error_message(exc)}")
            raise typer.Exit(1) from exc

    return cast(F, wrapper)


_TYPER_FLOW = (typer.Exit, typer.Abort, TyperException)
_DETAILS = "Run it again with --debug to see the traceback."


def error_message(exc: Exception) -> str:
    """What the user reads when a command fails with ``exc``."""
    if isinstance(exc, CxStewardError):
        return exc.message
    if isinstance(exc, ValidationError):
        return _settings_error(exc)
    if isinstance(exc, IntegrityError):
        return (
            "conflict: the change clashes with a record already in the registry "
            f"({_first_line(exc.orig)}); nothing was saved. {_DETAILS}"
        )
    if isinstance(exc, IsADirectoryError):
        # A rename onto a folder names the folder second.
        folder = exc.filename2 if exc.filename2 is not None else exc.filename
        return f"{folder}: is a folder, not a file; name a file (inside it, for example)."
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or _first_line(exc)}. {_DETAILS}"
    command = _command_path()
    what = f"`{command}` failed" if command else "the command failed"
    return f"{what} unexpectedly: {type(exc).__name__}: {_first_line(exc)}. {_DETAILS}"


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0] if lines else "no message"


def _command_path() -> str | None:
    ctx = get_current_context(silent=True)
    return None if ctx is None else str(ctx.command_path)


class StewardTyper(typer.Typer):
    """A Typer app whose commands report the project's errors in one line."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            register(_handle_errors(func))
            return func

        return decorator

    def callback(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().callback(*args, **kwargs)

        def decorator(func: F) -> F:
            register(_handle_errors(func))
            return func

        return decorator


def _debugging(ctx: Any) -> bool:
    # Duck-typed: Typer hands over its own Context class, which is not always typer.Context.
    # A command that takes no ctx still runs inside one: the current context.
    ctx = ctx if hasattr(ctx, "find_root") else get_current_context(silent=True)
    root = ctx.find_root() if hasattr(ctx, "find_root") else None
    return bool(root is not None and root.params.get("debug"))


def _settings_error(exc: ValidationError) -> str:
    parts = [f"CXSTEWARD_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()]
    return "Invalid setting: " + "; ".join(parts)


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    if found is None:  # the root callback always sets it
        raise RuntimeError("cxsteward: the root callback did not run")
    return found


@contextmanager
def workspace(ctx: typer.Context) -> Iterator[Workspace]:
    ws = open_workspace(state(ctx).settings)
    try:
        yield ws
    finally:
        ws.close()


def console() -> Console:
    # markup off: names, paths and comments typed by users must print as typed.
    # soft_wrap on: a path or a message is never folded at 80 columns when piped.
    return Console(highlight=False, markup=False, soft_wrap=True)


def err_console() -> Console:
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def print_json(value: object) -> None:
    """``--json``: a service's result written exactly as the API writes it."""
    sys.stdout.write(dump_json(value).decode("utf-8"))


def parse_day(value: str, option: str) -> date:
    """The day an option names, as YYYY-MM-DD; Invalid naming the option otherwise."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise Invalid(f"{option} {value!r}: use YYYY-MM-DD, e.g. 2026-01-31.") from None
