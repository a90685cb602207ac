"""Every registry table, gathered: importing this module puts each one in ``Base.metadata``.

Alembic (migrations/env.py) and the migration test compare the database against that
metadata, so a new table module is added to the imports below. Table modules themselves
import ``Base`` from ``registry/base.py`` and never this module, so nothing here is a loop.
Classes are ORM records (ending in ``Record``) so domain names stay free of SQLAlchemy.
"""

from __future__ import annotations

from cxsteward.registry import (
    tables_assessment,
    tables_audit,
    tables_consent,
    tables_data,
    tables_governance,
    tables_incidents,
    tables_invitations,
    tables_monitor,
    tables_training,
    tables_trust,
    tables_web,
)
from cxsteward.registry.base import NAMING, Base, UTCDateTime
from cxsteward.registry.tables_assessment import (
    AnswerImportRecord,
    AnswerRecord,
    CycleRecord,
    RespondentRecord,
)

# Every module that defines tables; what is imported here is in Base.metadata.
TABLE_MODULES = (
    tables_assessment,
    tables_audit,
    tables_consent,
    tables_data,
    tables_governance,
    tables_incidents,
    tables_invitations,
    tables_monitor,
    tables_training,
    tables_trust,
    tables_web,
)

# Re-exported: the assessment services and the old migration files (which name
# ``cxsteward.registry.tables.UTCDateTime``) import them from here.
__all__ = [
    "NAMING",
    "AnswerImportRecord",
    "AnswerRecord",
    "Base",
    "CycleRecord",
    "RespondentRecord",
    "UTCDateTime",
]
