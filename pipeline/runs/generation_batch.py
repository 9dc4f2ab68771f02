"""Generation for many events at once (``cli.py generate``): plan which (event, dimension)
pairs still need questions, then run them with bounded concurrency and one progress line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from judging.llm import ChatClient
from judging.questions import DEFAULT_THRESHOLD
from pipeline.runs.common import Progress, RunOptions, chat_client
from pipeline.runs.generation import GenerationSummary, generate_candidates
from pipeline.runs.registry import get_endpoint
from storage.bank import events as event_store
from storage.db.session import read_session

__all__ = [
    "BatchProgress",
    "BatchSummary",
    "PlannedGeneration",
    "generate_batch",
    "plan_generation",
    "run_generation_batch",
]

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
