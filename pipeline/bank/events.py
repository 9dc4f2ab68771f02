"""Events, the starting point of generated questions: adding one (validated), listing them, their
candidates and the generator's malformed replies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from judging.generation import CandidateStatus
from storage.bank import candidates as candidate_store
from storage.bank import events as event_store
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "MAX_SUMMARY_CHARS",
    "CandidateStatus",
    "EventInput",
    "add_event",
    "event_candidates",
    "generation_failures",
    "get_event",
    "list_events",
]

MAX_TITLE_CHARS = 300

MAX_SUMMARY_CHARS = 8_000

MAX_URL_CHARS = 1_000

_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class EventInput:
    """A news event as an admin or expert enters it; validated on construction."""

    title: str
    event_date: date
    summary: str
    dimensions: tuple[Dimension, ...]
    source_url: str = ""
    source: str = "manual"  # manual | file:<name> | feed:<url> (pipeline/bank/events_import.py)
    fetched_at: datetime | None = None  # when that file or feed was read

    def __post_init__(self) -> None:
        title, summary, url = self.title.strip(), self.summary.strip(), self.source_url.strip()
        if not self.source or len(self.source) > MAX_URL_CHARS:
            raise ValueError(
                f"EventInput: source must be 1-{MAX_URL_CHARS} characters, got {self.source!r:.80}"
            )
        if not title or "\n" in title or len(title) > MAX_TITLE_CHARS:
            raise ValueError(
                f"EventInput: title must be one line of 1-{MAX_TITLE_CHARS} characters, got {self.title!r:.80}"
            )
        if not summary or len(summary) > MAX_SUMMARY_CHARS:
            raise ValueError(
                f"EventInput: summary must be 1-{MAX_SUMMARY_CHARS} characters, got {len(summary)}"
            )
        if url and (len(url) > MAX_URL_CHARS or not _URL.match(url)):
            raise ValueError(f"EventInput: source_url must be an http(s) URL, got {self.source_url!r:.120}")
        dims = tuple(Dimension(d) for d in self.dimensions)
        if not dims:
            raise ValueError("EventInput: dimensions must name at least one dimension")
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "source_url", url)
        object.__setattr__(self, "dimensions", tuple(dict.fromkeys(dims)))


def add_event(engine: Engine, event: EventInput, *, actor: str) -> int:
    with write_session(engine) as session:
        event_id = event_store.add_event(
            session=session,
            title=event.title,
            event_date=event.event_date,
            summary=event.summary,
            source_url=event.source_url,
            dimensions=[d.value for d in event.dimensions],
            created_by=actor,
            source=event.source,
            fetched_at=event.fetched_at,
        )
        audit(
            session=session,
            actor=actor,
            action="event.add",
            detail={"event_id": event_id, "title": event.title},
        )
    return event_id


def list_events(engine: Engine) -> list[event_store.EventInfo]:
    with read_session(engine) as session:
        return event_store.list_events(session=session)


def get_event(engine: Engine, event_id: int) -> event_store.EventInfo:
    with read_session(engine) as session:
        return event_store.event_info(session=session, event_id=event_id)


def event_candidates(
    engine: Engine, *, event_id: int | None = None, statuses: Sequence[CandidateStatus] | None = None
) -> list[candidate_store.CandidateInfo]:
    with read_session(engine) as session:
        return candidate_store.list_candidates(
            session=session,
            event_id=event_id,
            statuses=statuses,
        )


def generation_failures(
    engine: Engine, *, event_id: int | None = None
) -> list[candidate_store.GenerationReplyInfo]:
    """Malformed generator replies, stored raw with the problem."""
    with read_session(engine) as session:
        return candidate_store.generation_replies(session=session, event_id=event_id)
