"""Event-driven generation: events → generator LLM → duplicate filter → candidates for experts.

One request per (event, dimension) asks the generator for N Chinese questions with a reference
note each, as strict JSON. A reply that is not that JSON is stored raw with the problem (counted
as unparsed), never half-used; a request that fails after the client's retries is recorded as a
call failure. Candidates that duplicate the bank — or a candidate experts have already seen —
are kept with status ``duplicate`` and what they matched, so the filter is visible.

``cli.py generate`` runs many events (``plan_generation`` → ``run_generation_batch``), one event
at a time, asking only for the dimensions of an event that have no candidates yet: an
interrupted batch, a malformed reply or a failed request is simply asked again by the next run,
as ``collect`` and ``judge`` do.

Verification lives in ``pipeline/verification.py``.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from judging.generation import (
    GENERATION_PROMPT_VERSION,
    MAX_PER_DIMENSION,
    EventBrief,
    GeneratedCandidate,
    GenerationPrompt,
    GenerationReplyError,
    build_generation_messages,
    parse_generation_reply,
)
from judging.llm import ChatClient, ChatFailure, ChatRequest, ChatSuccess
from judging.questions import DEFAULT_THRESHOLD, find_duplicates
from pipeline.registry import get_endpoint
from pipeline.runs_common import (
    Progress,
    ProgressFn,
    RunCounters,
    RunOptions,
    chat_client,
    finish,
    start_run,
)
from storage.bank import candidates as candidate_store
from storage.bank import events as event_store
from storage.bank.questions import bank_entries
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.runs.bookkeeping import record_failure, update_run

__all__ = [
    "MAX_SUMMARY_CHARS",
    "BatchProgress",
    "BatchSummary",
    "CandidateStatus",
    "EventInput",
    "GenerationSummary",
    "PlannedGeneration",
    "add_event",
    "event_candidates",
    "generate_batch",
    "generate_candidates",
    "generation_failures",
    "get_event",
    "list_events",
    "plan_generation",
    "run_generation",
    "run_generation_batch",
]

MAX_TITLE_CHARS = 300
MAX_SUMMARY_CHARS = 8_000
MAX_URL_CHARS = 1_000
_URL = re.compile(r"^https?://\S+$")


class CandidateStatus(StrEnum):
    PENDING = "pending"  # waiting for expert verification
    APPROVED = "approved"  # joined a draft release
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # filtered: duplicates the bank or an earlier candidate
    STALE = "stale"  # not verified in time: out of the queue, never joins a draft on its own


@dataclass(frozen=True)
class EventInput:
    """A news event as an admin or expert enters it; validated on construction."""

    title: str
    event_date: date
    summary: str
    dimensions: tuple[Dimension, ...]
    source_url: str = ""
    source: str = "manual"  # manual | file:<name> | feed:<url> (pipeline/events_import.py)
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


@dataclass(frozen=True)
class GenerationSummary:
    run_id: int
    event_id: int
    requests: int  # one per dimension
    proposed: int  # candidates in well-formed replies
    pending: int  # kept for verification
    duplicates: int  # filtered
    malformed: int  # replies that were not the requested JSON (stored, not used)
    failed: int  # requests that failed after the retry limit


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
            statuses=None if statuses is None else [s.value for s in statuses],
        )


def generation_failures(
    engine: Engine, *, event_id: int | None = None
) -> list[candidate_store.GenerationReplyInfo]:
    """Malformed generator replies, stored raw with the problem."""
    with read_session(engine) as session:
        return candidate_store.generation_replies(session=session, event_id=event_id)


@dataclass(frozen=True)
class _Proposal:
    dimension: Dimension
    candidate: GeneratedCandidate


def _store_proposals(
    engine: Engine,
    *,
    event_id: int,
    generator: str,
    run_id: int,
    proposals: Sequence[_Proposal],
    threshold: float,
) -> tuple[int, int]:
    """Filter duplicates against the bank and earlier candidates, store all; (pending, duplicates)."""
    with write_session(engine) as session:
        bank = [e.text for e in bank_entries(session=session)]
        seen = bank + candidate_store.candidate_texts(session=session)
        texts = [p.candidate.question for p in proposals]
        matches = {m.candidate: m for m in find_duplicates(texts, seen, threshold=threshold)}
        pending = duplicates = 0
        for index, proposal in enumerate(proposals):
            match = matches.get(index)
            duplicate_of: str | None = None
            if match is not None:
                duplicate_of = seen[match.other] if match.in_bank else texts[match.other]
                duplicates += 1
            else:
                pending += 1
            candidate_store.add_candidate(
                session=session,
                event_id=event_id,
                dimension=proposal.dimension.value,
                text=proposal.candidate.question,
                reference_note=proposal.candidate.reference_note,
                generator=generator,
                prompt_version=GENERATION_PROMPT_VERSION,
                run_id=run_id,
                status=CandidateStatus.DUPLICATE.value
                if match is not None
                else CandidateStatus.PENDING.value,
                duplicate_of=duplicate_of,
                duplicate_similarity=None if match is None else match.similarity,
            )
    return pending, duplicates


async def generate_candidates(
    engine: Engine,
    client: ChatClient,
    *,
    event_id: int,
    generator: str,
    per_dimension: int = 3,
    dimensions: Sequence[Dimension] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    actor: str = "system",
    on_progress: ProgressFn | None = None,
) -> GenerationSummary:
    """Ask ``generator`` (any registered endpoint) for ``per_dimension`` questions per dimension
    of the event (or the given subset of them) and store the candidates."""
    if not 1 <= per_dimension <= MAX_PER_DIMENSION:
        raise ValueError(
            f"generate_candidates: per_dimension must be 1-{MAX_PER_DIMENSION}, got {per_dimension!r}"
        )
    endpoint = get_endpoint(engine, generator)
    event = get_event(engine, event_id)
    chosen = tuple(Dimension(d) for d in (event.dimensions if dimensions is None else dimensions))
    if not chosen:
        raise ValueError(f"generate_candidates: event {event_id} has no dimensions to generate for")
    brief = EventBrief(event.title, event.event_date, event.summary, event.source_url)
    requests = [
        ChatRequest(endpoint, build_generation_messages(GenerationPrompt(brief, dim, per_dimension)), dim)
        for dim in chosen
    ]
    run_id = start_run(
        engine,
        kind="generate",
        params={
            "event_id": event_id,
            "generator": generator,
            "per_dimension": per_dimension,
            "dimensions": [d.value for d in chosen],
        },
        total=len(requests),
        actor=actor,
    )
    counters = RunCounters()
    proposals: list[_Proposal] = []
    try:
        async for done in client.complete_many(requests):
            dim = done.item.tag
            result = done.result
            with write_session(engine) as session:
                if isinstance(result, ChatSuccess):
                    try:
                        parsed = parse_generation_reply(result.content, expected=per_dimension)
                    except GenerationReplyError as error:
                        counters.unparsed += 1
                        candidate_store.record_generation_reply(
                            session=session,
                            run_id=run_id,
                            event_id=event_id,
                            dimension=dim.value,
                            generator=generator,
                            raw=result.content,
                            problem=str(error),
                        )
                    else:
                        counters.done += 1
                        proposals.extend(_Proposal(dim, c) for c in parsed)
                else:
                    assert isinstance(result, ChatFailure)
                    counters.failed += 1
                    record_failure(
                        session=session,
                        run_id=run_id,
                        endpoint=generator,
                        kind=str(result.kind),
                        message=f"{dim.value}: {result.message}",
                        status=result.status,
                        attempts=result.attempts,
                    )
                update_run(
                    session=session,
                    run_id=run_id,
                    done=counters.done,
                    failed=counters.failed,
                    unparsed=counters.unparsed,
                )
            if on_progress is not None:
                on_progress(
                    Progress(run_id, len(requests), counters.done, counters.failed, counters.unparsed)
                )
        # dimensions in the event's order, so the stored candidates do not depend on timing
        order = {d: k for k, d in enumerate(chosen)}
        proposals.sort(key=lambda p: order[p.dimension])
        pending, duplicates = _store_proposals(
            engine,
            event_id=event_id,
            generator=generator,
            run_id=run_id,
            proposals=proposals,
            threshold=threshold,
        )
    except BaseException as exc:
        finish(engine, run_id, counters, status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    finish(engine, run_id, counters, status="finished")
    return GenerationSummary(
        run_id=run_id,
        event_id=event_id,
        requests=len(requests),
        proposed=len(proposals),
        pending=pending,
        duplicates=duplicates,
        malformed=counters.unparsed,
        failed=counters.failed,
    )


def run_generation(
    engine: Engine,
    *,
    event_id: int,
    generator: str,
    per_dimension: int = 3,
    dimensions: Sequence[Dimension] | None = None,
    options: RunOptions | None = None,
    actor: str = "system",
    environ: Mapping[str, str] | None = None,
    seed: int | None = None,
) -> GenerationSummary:
    """``generate_candidates`` with its own client, for the Events page and the command line."""

    async def main() -> GenerationSummary:
        rng = None if seed is None else random.Random(seed)
        async with chat_client(options or RunOptions(concurrency=4), rng=rng, environ=environ) as client:
            return await generate_candidates(
                engine,
                client,
                event_id=event_id,
                generator=generator,
                per_dimension=per_dimension,
                dimensions=dimensions,
                actor=actor,
            )

    return asyncio.run(main())


# --- many events: cli.py generate ---------------------------------------------------------------


@dataclass(frozen=True)
class PlannedGeneration:
    """One event of a batch: the dimensions to ask for now and those that already have candidates."""

    event_id: int
    title: str
    dimensions: tuple[Dimension, ...]
    done: tuple[Dimension, ...]


def plan_generation(
    engine: Engine, events: str | Sequence[int], *, again: bool = False
) -> list[PlannedGeneration]:
    """What ``cli.py generate`` asks for. ``events`` is ``"new"`` (every event with a dimension that
    has no candidates yet) or event ids. Only dimensions without candidates are asked for, unless
    ``again`` (ask for every dimension of the named events once more)."""
    with read_session(engine) as session:
        infos = {e.id: e for e in event_store.list_events(session=session)}
        generated = event_store.generated_dimensions(session=session)
    if isinstance(events, str):
        if events.strip() != "new":
            raise ValueError(f"plan_generation: events must be 'new' or event ids, got {events!r}")
        if again:
            raise ValueError("plan_generation: --again needs event ids, not 'new'")
        chosen = sorted(infos)
    else:
        unknown = sorted(set(events) - set(infos))
        if unknown:
            raise LookupError(
                f"plan_generation: no events with ids {unknown} (cli.py events list shows them)"
            )
        chosen = list(dict.fromkeys(events))
    plan = []
    for event_id in chosen:
        info = infos[event_id]
        dims = tuple(Dimension(d) for d in info.dimensions)
        done = tuple(d for d in dims if d.value in generated.get(event_id, set()))
        todo = dims if again else tuple(d for d in dims if d not in done)
        if todo or not isinstance(events, str):
            plan.append(PlannedGeneration(event_id, info.title, todo, done))
    return plan


@dataclass(frozen=True)
class BatchProgress:
    """Requests answered so far over the whole batch, and where it is."""

    requests: int  # planned requests (one per event and dimension)
    answered: int  # stored, malformed or failed
    events: int
    events_done: int
    pending: int  # candidates that entered the verification queue so far
    failed: int
    malformed: int


@dataclass(frozen=True)
class BatchSummary:
    runs: tuple[GenerationSummary, ...]  # one per event asked
    skipped: tuple[PlannedGeneration, ...]  # named events with nothing left to ask (no --again)

    @property
    def pending(self) -> int:
        return sum(r.pending for r in self.runs)

    @property
    def duplicates(self) -> int:
        return sum(r.duplicates for r in self.runs)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.runs)

    @property
    def malformed(self) -> int:
        return sum(r.malformed for r in self.runs)


async def generate_batch(
    engine: Engine,
    client: ChatClient,
    plan: Sequence[PlannedGeneration],
    *,
    generator: str,
    per_dimension: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
    actor: str = "cli",
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """Generate for each planned event in turn (one run each); an event's candidates are stored
    when its replies are in, so an interruption loses at most the event being asked."""
    get_endpoint(engine, generator)  # an unknown generator fails before anything is asked
    todo = [p for p in plan if p.dimensions]
    total = sum(len(p.dimensions) for p in todo)
    runs: list[GenerationSummary] = []

    def report(current: Progress | None) -> None:
        if on_progress is None:
            return
        answered = sum(r.requests for r in runs)
        if current is not None:
            answered += current.done + current.failed + current.unparsed
        on_progress(
            BatchProgress(
                requests=total,
                answered=answered,
                events=len(todo),
                events_done=len(runs),
                pending=sum(r.pending for r in runs),
                failed=sum(r.failed for r in runs) + (current.failed if current else 0),
                malformed=sum(r.malformed for r in runs) + (current.unparsed if current else 0),
            )
        )

    report(None)
    for item in todo:
        summary = await generate_candidates(
            engine,
            client,
            event_id=item.event_id,
            generator=generator,
            per_dimension=per_dimension,
            dimensions=item.dimensions,
            threshold=threshold,
            actor=actor,
            on_progress=report,
        )
        runs.append(summary)
        report(None)
    return BatchSummary(tuple(runs), tuple(p for p in plan if not p.dimensions))


def run_generation_batch(
    engine: Engine,
    plan: Sequence[PlannedGeneration],
    *,
    generator: str,
    per_dimension: int = 3,
    options: RunOptions | None = None,
    actor: str = "cli",
    environ: Mapping[str, str] | None = None,
    on_progress: Callable[[BatchProgress], None] | None = None,
) -> BatchSummary:
    """``generate_batch`` with its own client, for the command line."""

    async def main() -> BatchSummary:
        async with chat_client(options or RunOptions(concurrency=4), environ=environ) as client:
            return await generate_batch(
                engine,
                client,
                plan,
                generator=generator,
                per_dimension=per_dimension,
                actor=actor,
                on_progress=on_progress,
            )

    return asyncio.run(main())
