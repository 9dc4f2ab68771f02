"""Annotation guidelines: the append-only versions, who has read which, and whether a person has
voted yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from storage.db.models import (
    Guideline,
    GuidelineRead,
    Release,
)

__all__ = [
    "GuidelineVersion",
    "add_guideline_read",
    "add_guideline_version",
    "guideline_reads",
    "guideline_versions",
    "has_voted",
]


@dataclass(frozen=True)
class GuidelineVersion:
    id: int
    release_id: int | None  # None: every release without its own version
    release_tag: str | None
    text_zh: str
    text_en: str
    note: str
    created_by: str
    created_at: datetime


def guideline_versions(*, session: Session) -> list[GuidelineVersion]:
    """Every stored version of the guidelines, oldest first (a small table: one row per edit)."""
    rows = session.exec(
        select(Guideline, Release.tag)
        .join(Release, col(Release.id) == col(Guideline.release_id), isouter=True)
        .order_by(col(Guideline.id))
    ).all()
    return [
        GuidelineVersion(
            int(g.id or 0), g.release_id, tag, g.text_zh, g.text_en, g.note, g.created_by, g.created_at
        )
        for g, tag in rows
    ]


def add_guideline_version(
    *, session: Session, release_id: int | None, text_zh: str, text_en: str, note: str, created_by: str
) -> int:
    """Store a new version of the guidelines; returns its id."""
    row = Guideline(release_id=release_id, text_zh=text_zh, text_en=text_en, note=note, created_by=created_by)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def add_guideline_read(*, session: Session, username: str, guideline_id: int | None) -> None:
    """Record that the person confirmed reading a version (None: the built-in text)."""
    session.add(GuidelineRead(username=username, guideline_id=guideline_id))


def guideline_reads(*, session: Session, username: str) -> set[int | None]:
    """The versions the person confirmed reading (None stands for the built-in text)."""
    rows = session.exec(select(GuidelineRead.guideline_id).where(GuidelineRead.username == username)).all()
    return {None if r is None else int(r) for r in rows}


def has_voted(*, session: Session, username: str) -> bool:
    """Whether the person ever cast a vote on the vote page (undone or not)."""
    row = session.execute(
        text("SELECT 1 FROM vote WHERE rater = :u AND source = 'human' LIMIT 1"), {"u": username}
    ).first()
    return row is not None
