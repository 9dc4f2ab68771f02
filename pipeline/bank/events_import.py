"""Importing events from feeds and event lists into the event table, all or nothing.

``cli.py events import SOURCE`` (and the Events page) come here. SOURCE is a file, or a feed
configured in the app setting ``events.feeds`` (by name or by its exact URL); any other URL is
refused, so the arena fetches only what an admin configured. Each entry becomes an event with
the dimensions its list names, else those ``pipeline.bank.event_dimensions`` proposes; an entry whose
link, or whose title (the question bank's near-duplicate machinery, character 3-gram Jaccard),
matches a stored event or an earlier entry of the same import is skipped and reported, never
stored twice. Every event keeps its source (``file:<name>`` or ``feed:<url>``) and the time it
was read.

Bad input writes nothing: a file that is not a feed or an event list, a download that fails
(offline, timeout, too large), or any entry that cannot become an event (no date, no title...)
refuses the whole import with a message naming the entry and the field — unless the caller
asks to skip bad entries, and then they are listed as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.dimensions import Dimension
from judging.questions import DEFAULT_THRESHOLD, find_duplicates
from pipeline.bank.event_dimensions import propose_dimensions
from pipeline.bank.event_sources import EventImportError, read_source
from pipeline.bank.events import MAX_SUMMARY_CHARS, EventInput
from pipeline.bank.feed_fetch import DEFAULT_LIMITS, FetchLimits, feed_client
from pipeline.bank.feeds import EntryProblem, FeedEntry, FeedError, FeedRead, parse_feed
from storage.bank import events as event_store
from storage.db.models import utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "DuplicateReason",
    "EventImportReport",
    "ImportedEvent",
    "SkippedEvent",
    "import_events",
    "import_source",
    "import_upload",
    "normalise_url",
]

_TRACKING = re.compile(r"^(utm_\w+|spm|from|share_token|fbclid|gclid)$", re.IGNORECASE)


class DuplicateReason(StrEnum):
    URL = "url"  # the same link as a stored event or an earlier entry
    TITLE = "title"  # a near-duplicate title


@dataclass(frozen=True)
class ImportedEvent:
    where: str
    title: str
    event_date: date
    url: str
    dimensions: tuple[str, ...]
    proposed: bool  # the lexicon proposed the dimensions (the list named none)
    matched: tuple[str, ...]  # lexicon words that proposed them ("category:keyword" or "keyword")
    event_id: int | None  # None in a dry run


@dataclass(frozen=True)
class SkippedEvent:
    where: str
    title: str
    reason: DuplicateReason
    duplicate_of: str  # "event 12: <title>" or "<where> of this import"
    similarity: float


@dataclass(frozen=True)
class EventImportReport:
    source: str  # file:<name> | feed:<url>
    fetched_at: datetime
    dry_run: bool
    read: int  # entries in the file or feed
    imported: tuple[ImportedEvent, ...]
    duplicates: tuple[SkippedEvent, ...]
    invalid: tuple[str, ...] = field(default=())  # entries skipped as bad (only when asked to)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["fetched_at"] = self.fetched_at.isoformat()
        for item in data["imported"]:
            item["event_date"] = item["event_date"].isoformat()
        return data


# --- importing ---------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """A link as compared for duplicates: scheme and host lower-cased, no fragment, no tracking
    parameters (``utm_*``, ``spm``, ``from``...), no trailing slash on the path."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


@dataclass(frozen=True)
class _Planned:
    entry: FeedEntry
    event: EventInput
    proposed: bool
    matched: tuple[str, ...]


def _to_event(entry: FeedEntry, source: str, fetched_at: datetime) -> _Planned:
    proposal = propose_dimensions(entry.title, entry.summary, entry.tags)
    dims = entry.dimensions or proposal.dimensions
    matched = tuple(reason for d in Dimension for reason in proposal.reasons(d))
    summary = entry.summary or entry.title  # a feed item without a description: its title
    if len(summary) > MAX_SUMMARY_CHARS:
        summary = summary[: MAX_SUMMARY_CHARS - 1] + "…"
    event = EventInput(
        title=entry.title,
        event_date=entry.event_date,
        summary=summary,
        dimensions=dims,
        source_url=entry.url,
        source=source,
        fetched_at=fetched_at,
    )
    return _Planned(entry, event, not entry.dimensions, matched)


def import_events(
    engine: Engine,
    read: FeedRead,
    *,
    source: str,
    fetched_at: datetime,
    actor: str = "cli",
    threshold: float = DEFAULT_THRESHOLD,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> EventImportReport:
    """Store the entries of ``read`` as events (see the module docstring), in one transaction."""
    problems, planned = _plan(read, source, fetched_at)
    if problems and not skip_invalid:
        raise EventImportError(
            f"{read.name}: {len(problems)} of {read.read} entries cannot become events; nothing was imported "
            "(fix them, or import the others with --skip-invalid)",
            problems,
        )
    with (read_session if dry_run else write_session)(engine) as session:
        known = event_store.event_keys(session=session)
        kept, skipped = _drop_known_links(planned, known)
        same_title = _title_duplicates(kept, known, threshold)
        skipped.extend(same_title.values())
        imported: list[ImportedEvent] = []
        for index, item in enumerate(kept):
            if index in same_title:
                continue
            event_id = None
            if not dry_run:
                event_id = _store(session, item.event, actor=actor, source=source, fetched_at=fetched_at)
            imported.append(
                ImportedEvent(
                    item.entry.where,
                    item.event.title,
                    item.event.event_date,
                    item.event.source_url,
                    tuple(d.value for d in item.event.dimensions),
                    item.proposed,
                    item.matched,
                    event_id,
                )
            )
        if not dry_run:
            audit(
                session=session,
                actor=actor,
                action="events.import",
                detail={"source": source, "imported": len(imported), "duplicates": len(skipped)},
            )
    order = {e.where: k for k, e in enumerate(read.entries)}
    return EventImportReport(
        source=source,
        fetched_at=fetched_at,
        dry_run=dry_run,
        read=read.read,
        imported=tuple(imported),
        duplicates=tuple(sorted(skipped, key=lambda s: order.get(s.where, 0))),
        invalid=tuple(problems),
    )


def _plan(read: FeedRead, source: str, fetched_at: datetime) -> tuple[list[str], list[_Planned]]:
    """The problems of the read (the feed's and each entry's that cannot become an event), and the
    events planned from the other entries."""
    problems = [p.describe(read.name) for p in read.problems]
    planned: list[_Planned] = []
    for entry in read.entries:
        try:
            planned.append(_to_event(entry, source, fetched_at))
        except ValueError as exc:
            problems.append(EntryProblem(entry.where, "-", str(exc), entry.title).describe(read.name))
    return problems, planned


def _drop_known_links(
    planned: list[_Planned], known: list[event_store.EventKey]
) -> tuple[list[_Planned], list[SkippedEvent]]:
    """The planned events whose link is new (to the bank and to earlier entries), and the others
    as skipped duplicates."""
    seen_urls = {normalise_url(k.source_url): f"event {k.id}: {k.title}" for k in known if k.source_url}
    kept: list[_Planned] = []
    skipped: list[SkippedEvent] = []
    for item in planned:
        url = normalise_url(item.event.source_url)
        if url and url in seen_urls:
            skipped.append(
                SkippedEvent(item.entry.where, item.event.title, DuplicateReason.URL, seen_urls[url], 1.0)
            )
            continue
        if url:
            seen_urls[url] = f"{item.entry.where} of this import"
        kept.append(item)
    return kept, skipped


def _title_duplicates(
    kept: list[_Planned], known: list[event_store.EventKey], threshold: float
) -> dict[int, SkippedEvent]:
    """Per index into ``kept``: the entry skipped because its title repeats an event's (in the bank
    or earlier in this import)."""
    titles = [k.title for k in known]
    matches = {
        m.candidate: m for m in find_duplicates([p.event.title for p in kept], titles, threshold=threshold)
    }
    out: dict[int, SkippedEvent] = {}
    for index, match in sorted(matches.items()):
        item = kept[index]
        other = (
            f"event {known[match.other].id}: {known[match.other].title}"
            if match.in_bank
            else f"{kept[match.other].entry.where} of this import"
        )
        out[index] = SkippedEvent(
            item.entry.where, item.event.title, DuplicateReason.TITLE, other, match.similarity
        )
    return out


def _store(session: Session, event: EventInput, *, actor: str, source: str, fetched_at: datetime) -> int:
    return event_store.add_event(
        session=session,
        title=event.title,
        event_date=event.event_date,
        summary=event.summary,
        source_url=event.source_url,
        dimensions=[d.value for d in event.dimensions],
        created_by=actor,
        source=source,
        fetched_at=fetched_at,
    )


def import_upload(
    engine: Engine,
    data: bytes,
    name: str,
    *,
    actor: str,
    threshold: float = DEFAULT_THRESHOLD,
    skip_invalid: bool = False,
    limits: FetchLimits = DEFAULT_LIMITS,
) -> EventImportReport:
    """Import a file's content (the Events page's upload) as ``import_source`` imports a file."""
    if len(data) > limits.max_bytes:
        raise EventImportError(f"{name}: {len(data):,} bytes, over the limit of {limits.max_bytes:,}")
    try:
        read = parse_feed(data, name=name)
    except FeedError as exc:
        raise EventImportError(str(exc)) from None
    return import_events(
        engine,
        read,
        source=f"file:{name}",
        fetched_at=utcnow(),
        actor=actor,
        threshold=threshold,
        skip_invalid=skip_invalid,
    )


def import_source(
    engine: Engine,
    source: str,
    *,
    actor: str = "cli",
    threshold: float = DEFAULT_THRESHOLD,
    skip_invalid: bool = False,
    dry_run: bool = False,
    limits: FetchLimits = DEFAULT_LIMITS,
    client_factory: Callable[[FetchLimits], httpx.Client] = feed_client,
) -> EventImportReport:
    """``read_source`` then ``import_events``; a feed or file that cannot be read raises
    ``EventImportError`` with the reason, and nothing is written."""
    try:
        read, label, fetched_at = read_source(engine, source, limits=limits, client_factory=client_factory)
    except FeedError as exc:
        raise EventImportError(f"{exc}") from None
    return import_events(
        engine,
        read,
        source=label,
        fetched_at=fetched_at,
        actor=actor,
        threshold=threshold,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
    )
