"""Events, the starting point of generated questions: adding them, listing them with their
candidates' counts, and which dimensions were already generated. Every function takes ``*, session``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.db.models import (
    CandidateQuestion,
    Event,
)

__all__ = [
    "EventInfo",
    "EventKey",
    "add_event",
    "event_info",
    "event_keys",
    "generated_dimensions",
    "list_events",
]


@dataclass(frozen=True)
class EventInfo:
    id: int
    title: str
    event_date: date
    summary: str
    source_url: str
    dimensions: tuple[str, ...]
    created_by: str
    created_at: datetime
    candidates: Mapping[str, int] = field(default_factory=dict)  # status -> count
    source: str = "manual"  # manual | file:<name> | feed:<name>
    fetched_at: datetime | None = None  # when that file or feed was read


@dataclass(frozen=True, slots=True)
class EventKey:
    """What an event is recognised by when events are imported: its title and its link."""

    id: int
    title: str
    source_url: str


def _event_info(row: Event, counts: Mapping[str, int]) -> EventInfo:
    assert row.id is not None
    return EventInfo(
        id=row.id,
        title=row.title,
        event_date=row.event_date,
        summary=row.summary,
        source_url=row.source_url,
        dimensions=tuple(json.loads(row.dimensions)),
        created_by=row.created_by,
        created_at=row.created_at,
        candidates=dict(counts),
        source=row.source,
        fetched_at=row.fetched_at,
    )


def add_event(
    *,
    session: Session,
    title: str,
    event_date: date,
    summary: str,
    source_url: str,
    dimensions: Sequence[str],
    created_by: str,
    source: str = "manual",
    fetched_at: datetime | None = None,
) -> int:
    row = Event(
        title=title,
        event_date=event_date,
        summary=summary,
        source_url=source_url,
        dimensions=json.dumps(list(dimensions)),
        created_by=created_by,
        source=source,
        fetched_at=fetched_at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _status_counts(session: Session) -> dict[int, Counter[str]]:
    per: dict[int, Counter[str]] = {}
    for event_id, status in session.exec(select(CandidateQuestion.event_id, CandidateQuestion.status)).all():
        per.setdefault(event_id, Counter())[status] += 1
    return per


def list_events(*, session: Session) -> list[EventInfo]:
    """Every event, newest event date first, with its candidates counted by status."""
    counts = _status_counts(session)
    rows = session.exec(select(Event).order_by(col(Event.event_date).desc(), col(Event.id).desc())).all()
    return [_event_info(r, counts.get(r.id or 0, Counter())) for r in rows]


def event_keys(*, session: Session) -> list[EventKey]:
    """Title and link of every event, in id order (for duplicate checks on import)."""
    rows = session.exec(select(Event.id, Event.title, Event.source_url).order_by(col(Event.id))).all()
    return [EventKey(int(i or 0), t, u) for i, t, u in rows]


def generated_dimensions(*, session: Session) -> dict[int, set[str]]:
    """Per event, the dimensions that already have candidates (any status, duplicates too)."""
    found: dict[int, set[str]] = {}
    rows = session.exec(select(CandidateQuestion.event_id, CandidateQuestion.dimension).distinct()).all()
    for event_id, dimension in rows:
        found.setdefault(event_id, set()).add(dimension)
    return found


def event_info(*, session: Session, event_id: int) -> EventInfo:
    row = session.get(Event, event_id)
    if row is None:
        raise LookupError(f"event_info: no event with id {event_id!r}")
    return _event_info(row, _status_counts(session).get(event_id, Counter()))
