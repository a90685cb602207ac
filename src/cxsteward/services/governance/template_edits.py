"""Communication templates: their wording and versions, through plan and apply."""

from __future__ import annotations

import re

from cxsteward.domain.governance.spec import Governance, Template
from cxsteward.errors import TemplateNotFound
from cxsteward.services.governance.registry_edits import apply_edit, replace_at, taken
from cxsteward.services.workspace import Workspace

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders_of(message: str) -> list[str]:
    """The ``{placeholders}`` a template text uses, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER.findall(message)))


def save_template(
    ws: Workspace, template: Template, actor: str, key: str | None = None
) -> Template:
    """Add ``template`` or change the wording of template ``key``.

    The placeholders are read from the text. A changed text or incident type raises the
    version by one and clears the approval, because legal approved the old words only.

    Raises:
        Invalid: the key is taken (a problem on ``key``).
        TemplateNotFound: ``key`` names no template.
        GovernanceInvalid: the registry refused it (problems inside the template).
    """
    wording = template.model_copy(
        update={"key": key or template.key, "placeholders": placeholders_of(template.text)}
    )
    saved: list[Template] = []

    def change(gov: Governance) -> tuple[Governance, str]:
        keys = [t.key for t in gov.templates]
        if key is None and wording.key in keys:
            raise taken("a template", wording.key)
        if key is not None and key not in keys:
            raise TemplateNotFound(f"No communication template {key!r}.")
        index = keys.index(key) if key is not None else None
        new = wording
        if index is not None:
            before = gov.templates[index]
            same = (before.incident_type, before.text, before.placeholders) == (
                wording.incident_type,
                wording.text,
                wording.placeholders,
            )
            new = before if same else wording.model_copy(update={"version": before.version + 1})
        saved.append(new)
        templates, at = replace_at(gov.templates, index, new)
        return gov.model_copy(update={"templates": templates}), f"templates[{at}]"

    apply_edit(ws, change, actor)
    return saved[0]
