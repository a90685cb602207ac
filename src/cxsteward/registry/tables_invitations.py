"""Personal invitation links to answer an assessment cycle, without an account.

The link's token is stored only as its sha256: a copy of the registry lets nobody answer
in someone else's name. No column ties an invitation to its respondent: the respondent's
code is derived from the token itself, which only the invitee holds, so the label a leader
gave a link ("Jo, billing team") can never be joined to anonymous answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cxsteward.registry.base import Base, UTCDateTime


class InvitationRecord(Base):
    """One person's link to one cycle, for one role group."""

    __tablename__ = "assessment_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_cycles.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role_group: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        CheckConstraint(
            "submitted_at IS NULL OR started_at IS NOT NULL", name="submitted_was_started"
        ),
    )
