"""Event-driven generation: events → generator LLM → duplicate filter → candidates for experts.

One request per (event, dimension) asks the generator for N Chinese questions with a reference
note; malformed replies are stored raw, duplicates against the bank and earlier candidates are
kept as ``duplicate`` with their match. Many events at once: ``pipeline.runs.generation_batch``."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

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
from judging.llm import ChatClient, ChatFailure, ChatRequest, ChatResult
from judging.questions import DEFAULT_THRESHOLD, find_duplicates
from judging.runs import RunKind
from pipeline.bank.events import CandidateStatus, get_event
from pipeline.runs.common import ProgressFn, RunLog, RunOptions, chat_client, open_run
from pipeline.runs.registry import get_endpoint
from storage.bank import candidates as candidate_store
from storage.bank.questions import bank_entries
from storage.db.session import write_session

__all__ = [
    "GenerationSummary",
    "generate_candidates",
    "run_generation",
]


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
                status=CandidateStatus.DUPLICATE if match is not None else CandidateStatus.PENDING,
                duplicate_of=duplicate_of,
                duplicate_similarity=None if match is None else match.similarity,
            )
    return pending, duplicates


def _requests(
    engine: Engine,
    *,
    event_id: int,
    generator: str,
    per_dimension: int,
    dimensions: Sequence[Dimension] | None,
) -> list[ChatRequest[Dimension]]:
    """One request per chosen dimension of the event, tagged with its dimension, in the event's order."""
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
    return [
        ChatRequest(endpoint, build_generation_messages(GenerationPrompt(brief, dim, per_dimension)), dim)
        for dim in chosen
    ]


class _Replies:
    """Records each reply of a generation run as it arrives: well-formed replies become
    proposals, malformed ones are stored raw, failed requests are recorded failures."""

    def __init__(
        self, engine: Engine, run: RunLog, *, event_id: int, generator: str, per_dimension: int
    ) -> None:
        self.engine, self.run = engine, run
        self.event_id, self.generator, self.per_dimension = event_id, generator, per_dimension
        self.proposals: list[_Proposal] = []

    async def gather(self, client: ChatClient, requests: Sequence[ChatRequest[Dimension]]) -> None:
        async for done in client.complete_many(requests):
            with write_session(self.engine) as session:
                self._record(session, done.item.tag, done.result)
                self.run.save(session)
            self.run.report()

    def _record(self, session: Session, dim: Dimension, result: ChatResult) -> None:
        if isinstance(result, ChatFailure):
            self.run.record_failure(session, result, endpoint=self.generator, context=f"{dim.value}: ")
            return
        try:
            parsed = parse_generation_reply(result.content, expected=self.per_dimension)
        except GenerationReplyError as error:
            self.run.counters.unparsed += 1
            candidate_store.record_generation_reply(
                session=session,
                run_id=self.run.id,
                event_id=self.event_id,
                dimension=dim.value,
                generator=self.generator,
                raw=result.content,
                problem=str(error),
            )
            return
        self.run.counters.done += 1
        self.proposals.extend(_Proposal(dim, c) for c in parsed)


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
    requests = _requests(
        engine, event_id=event_id, generator=generator, per_dimension=per_dimension, dimensions=dimensions
    )
    chosen = [r.tag for r in requests]
    params = {
        "event_id": event_id,
        "generator": generator,
        "per_dimension": per_dimension,
        "dimensions": [d.value for d in chosen],
    }
    async with open_run(
        engine,
        kind=RunKind.GENERATE,
        params=params,
        total=len(requests),
        actor=actor,
        on_progress=on_progress,
    ) as run:
        replies = _Replies(engine, run, event_id=event_id, generator=generator, per_dimension=per_dimension)
        await replies.gather(client, requests)
        # dimensions in the event's order, so the stored candidates do not depend on timing
        order = {d: k for k, d in enumerate(chosen)}
        proposals = sorted(replies.proposals, key=lambda p: order[p.dimension])
        pending, duplicates = _store_proposals(
            engine,
            event_id=event_id,
            generator=generator,
            run_id=run.id,
            proposals=proposals,
            threshold=threshold,
        )
    return GenerationSummary(
        run_id=run.id,
        event_id=event_id,
        requests=len(requests),
        proposed=len(proposals),
        pending=pending,
        duplicates=duplicates,
        malformed=run.counters.unparsed,
        failed=run.counters.failed,
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
