"""Static files under names that carry their content's hash, cached by browsers for a year.

``static_url('css/app.css')`` gives ``/static/css/app.3f2a9c1b0d4e.css``: a new release with
a changed file gives a new name, so the old one may be cached forever (``immutable``).
The plain name still works, cached briefly, for pages and bookmarks made before; so does a
hashed name from an older release (its file is served as it is now, cached briefly).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"
HASH_LENGTH = 12
# ``name.<hash>.ext``: the hash sits before the last suffix.
HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)$")


class StaticAssets:
    """The hashed name of every file under ``directory``, read once (the files ship with
    the package and do not change while the server runs)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hashed: dict[str, str] = {}
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            plain = file.relative_to(directory).as_posix()
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:HASH_LENGTH]
            self.hashed[plain] = (
                Path(plain).with_name(f"{file.stem}.{digest}{file.suffix}").as_posix()
            )
        self.plain = {hashed: plain for plain, hashed in self.hashed.items()}

    def url(self, path: str) -> str:
        """The address of a static file under its hashed name.

        Raises:
            KeyError: no such file, so a template naming a missing file fails in tests.
        """
        try:
            return f"/static/{self.hashed[path]}"
        except KeyError:
            raise KeyError(f"No static file {path!r} in {self.directory}.") from None

    def resolve(self, path: str) -> tuple[str, bool]:
        """The file behind a requested path, and whether it may be cached for good."""
        if path in self.plain:
            return self.plain[path], True
        found = HASHED.match(path)
        if found is not None and path not in self.hashed:
            older = f"{found['stem']}{found['suffix']}"
            if older in self.hashed:
                return older, False
        return path, False


class FingerprintedStatic(StaticFiles):
    """StaticFiles that serves hashed names with a year's cache and plain names briefly."""

    def __init__(self, assets: StaticAssets) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets

    async def get_response(self, path: str, scope: Scope) -> Response:
        plain, immutable = self.assets.resolve(Path(path).as_posix())
        response = await super().get_response(plain, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = LONG_CACHE if immutable else SHORT_CACHE
        return response
