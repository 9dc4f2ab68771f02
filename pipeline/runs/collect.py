"""Collect answers: every missing (question of a release, model) pair, asked once and stored.

Idempotent and resumable: the work list is computed from what is stored (one answer per release
× question × model, enforced by a unique constraint), answers are committed in small batches as
they arrive, so after ``kill -9`` a rerun asks only for what is still missing. A failure is
recorded with its class and message and never stops the run.

Shared (``docs/scale-out.md``): a collect joins the running collect of the same release and
models (``open_run(join=True)``), and every item (``<question id>:<model key>``, scope
``collect:<release id>``) is leased before it is asked (``storage.runs.leases``), a chunk ahead
in a worker thread; its lease is completed in the transaction that stores its answer (or its
failure). So two ``collect`` processes, or ``cli.py worker`` processes on several machines, split
the missing items with no call made twice. A process ends when every item of its list is done in
the run: items leased by another live worker are waited for, and taken over once their lease
expires (a killed worker's; at once when that worker was on this host).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import cast

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from judging.llm import ChatClient, ChatMessage, ChatRequest, ChatResult, ChatSuccess, EndpointConfig, Role
from judging.runs import RunKind, RunStatus
from pipeline.runs.common import ProgressFn, RunLog, open_run, release_dead_here, release_id
from pipeline.runs.registry import endpoint_configs
from storage.db.session import read_session, write_session
from storage.runs.answers import MissingAnswer, NewResponse, add_responses, answered, missing_answers
from storage.runs.endpoints import EndpointRow, ensure_arena_model
from storage.runs.leases import DEFAULT_LEASE_TTL_S, claim, complete, unfinished

__all__ = ["CollectSummary", "collect", "collect_params", "item_key", "plan_collection", "resolve_models"]


@dataclass(frozen=True)
class CollectSummary:
    run_id: int
    requested: int
    stored: int
    failed: int


def resolve_models(engine: Engine, spec: str | Sequence[str]) -> list[str]:
    """``all`` (every registered non-judge endpoint) or a comma-separated list of keys."""
    configs = endpoint_configs(engine, role="model")
    if isinstance(spec, str):
        keys = list(configs) if spec.strip() == "all" else [k.strip() for k in spec.split(",") if k.strip()]
    else:
        keys = list(spec)
    unknown = [k for k in keys if k not in configs]
    if unknown:
        raise LookupError(
            f"collect: models {unknown} are not registered endpoints (registered: {sorted(configs)})"
        )
    if not keys:
        raise ValueError("collect: no models selected")
    return keys


def plan_collection(engine: Engine, *, release: str, models: Sequence[str]) -> list[MissingAnswer]:
    """Register the models as rated models and list what is still missing."""
    release_key = release_id(engine, release)
    configs = endpoint_configs(engine, role="model")
    rows = [
        EndpointRow(
            c.key,
            c.display_name,
            c.base_url,
            c.model,
            c.api_key_env,
            c.organisation,
            c.open_source,
            c.reasoning,
            dict(c.extra_params),
        )
        for c in (configs[key] for key in models)
    ]
    for attempt in (1, 2):
        try:
            with write_session(engine) as session:
                for row in rows:
                    ensure_arena_model(session=session, row=row)
                return missing_answers(session=session, release_id=release_key, model_keys=list(models))
        except IntegrityError:
            # PostgreSQL: another process starting the same collect created a model row between
            # our look and our insert (measured: two collects 0.5 s apart); it exists now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _new_response(item: MissingAnswer, result: ChatSuccess) -> NewResponse:
    usage = result.usage
    return NewResponse(
        item.question_id,
        item.model_key,
        result.content,
        result.reasoning_content,
        usage.prompt_tokens if usage else None,
        usage.completion_tokens if usage else None,
        1000 * result.latency_s,
        result.finish_reason,
    )


def item_key(item: MissingAnswer) -> str:
    """The item's name on its lease: ``<question id>:<model key>``."""
    return f"{item.question_id}:{item.model_key}"


def collect_params(release: str, models: Sequence[str]) -> dict[str, object]:
    """What a collect run is, as stored on its row and compared when a start joins a run."""
    return {"release": release, "models": sorted(models)}


class _Feed:
    """The requests of one pass over a list of items: claimed a chunk ahead in a worker thread,
    handed to the client one at a time; items another run stored meanwhile are completed, not
    asked."""

    def __init__(
        self, engine: Engine, run: RunLog, scope: str, configs: dict[str, EndpointConfig], chunk: int
    ) -> None:
        self.engine, self.run, self.scope, self.configs, self.chunk = engine, run, scope, configs, chunk
        self.asked = 0

    def _claim(self, items: list[MissingAnswer]) -> list[MissingAnswer]:
        by_key = {item_key(i): i for i in items}
        run = self.run
        with write_session(self.engine) as session:
            mine = [
                by_key[k]
                for k in claim(
                    session,
                    scope=self.scope,
                    items=list(by_key),
                    holder=run.holder,
                    ttl_s=run.lease_ttl_s,
                    run_id=run.id,
                )
            ]
            stored = answered(session=session, pairs=[(i.question_id, i.model_key) for i in mine])
            gone = [i for i in mine if (i.question_id, i.model_key) in stored]
            complete(session, scope=self.scope, items=[item_key(i) for i in gone], holder=run.holder)
        return [i for i in mine if (i.question_id, i.model_key) not in stored]

    def requests(self, items: list[MissingAnswer]) -> Iterator[ChatRequest[MissingAnswer]]:
        pending: deque[MissingAnswer] = deque()
        cursor, fetching = 0, cast("Future[list[MissingAnswer]] | None", None)
        with ThreadPoolExecutor(1, thread_name_prefix="collect-claims") as pool:
            while True:
                if fetching is None and cursor < len(items) and len(pending) <= self.chunk // 2:
                    fetching = pool.submit(self._claim, items[cursor : cursor + self.chunk])
                    cursor += self.chunk
                if pending:
                    item = pending.popleft()
                    self.asked += 1
                    yield ChatRequest(
                        self.configs[item.model_key], (ChatMessage(Role.USER, item.question_text),), item
                    )
                    continue
                if fetching is None:
                    return
                pending.extend(fetching.result())  # waits only when the claims fall behind the calls
                fetching = None


class _Writer:
    """Answers stored behind the requests: one batch at a time in a worker thread, while the
    requests keep flowing; the run's counters move only when a batch is committed, in the same
    transaction that completes the items' leases."""

    def __init__(self, engine: Engine, run: RunLog, commit_every: int, scope: str) -> None:
        self.engine, self.run, self.commit_every, self.scope = engine, run, commit_every, scope
        self.pending: list[tuple[MissingAnswer, ChatResult]] = []
        self.writing: asyncio.Task[None] | None = None

    def _write(self, batch: list[tuple[MissingAnswer, ChatResult]]) -> None:
        answers = [_new_response(item, result) for item, result in batch if isinstance(result, ChatSuccess)]
        before = replace(self.run.counters)
        try:
            with write_session(self.engine) as session:
                # ``stored`` counts rows actually written: an answer another run stored first is not counted twice
                self.run.counters.done += add_responses(session=session, responses=answers)
                for item, result in batch:
                    if not isinstance(result, ChatSuccess):
                        self.run.record_failure(
                            session, result, endpoint=item.model_key, question_id=item.question_id
                        )
                # done in this run: stored, or given up on (a later run asks again)
                complete(
                    session, scope=self.scope, items=[item_key(i) for i, _ in batch], holder=self.run.holder
                )
                self.run.save(session)
        except BaseException:
            self.run.counters = before  # the batch was not committed
            raise

    async def _drain(self) -> None:
        if self.writing is not None:
            await self.writing
            self.writing = None
            self.run.report()

    async def flush(self, force: bool = False) -> None:
        if self.writing is not None and (force or self.writing.done()):
            await self._drain()
        if self.pending and self.writing is None:
            batch, self.pending = self.pending, []
            self.writing = asyncio.create_task(asyncio.to_thread(self._write, batch))
        if force:
            await self._drain()

    async def add(self, item: MissingAnswer, result: ChatResult) -> None:
        self.pending.append((item, result))
        if len(self.pending) >= self.commit_every:
            await self.flush()

    async def close(self) -> None:
        await self.flush(force=True)
        await self.flush(force=True)  # what arrived while the last batch was being written

    async def settle(self) -> None:
        """Write what already arrived before a run ends on an error (never lose a paid answer)."""
        with contextlib.suppress(Exception):  # the original error is what the caller reports
            await self.close()


async def _work(
    engine: Engine, client: ChatClient, run: RunLog, todo: list[MissingAnswer], scope: str, commit_every: int
) -> int:
    """Pass over the items until every one is done in the run; how many this process asked."""
    configs = endpoint_configs(engine, role="model")
    feed = _Feed(engine, run, scope, configs, chunk=max(16, 2 * client.settings.max_concurrency))
    writer = _Writer(engine, run, commit_every, scope)
    remaining = todo
    try:
        while remaining:
            async for done in client.complete_many(feed.requests(remaining)):
                await writer.add(done.item.tag, done.result)
            await writer.close()
            left = set(
                await asyncio.to_thread(_unfinished, engine, run, scope, [item_key(i) for i in remaining])
            )
            remaining = [i for i in remaining if item_key(i) in left]
            if remaining:  # leased by other live workers: wait for them, or for their leases to expire
                await asyncio.to_thread(release_dead_here, engine, scope=scope)
                await asyncio.sleep(min(2.0, run.lease_ttl_s / 4))
    except BaseException:
        await asyncio.shield(writer.settle())
        raise
    return feed.asked


def _unfinished(engine: Engine, run: RunLog, scope: str, keys: list[str]) -> list[str]:
    with read_session(engine) as session:
        return unfinished(session, scope=scope, items=keys, run_id=run.id)


async def collect(
    engine: Engine,
    client: ChatClient,
    *,
    release: str,
    models: Sequence[str],
    actor: str = "cli",
    on_progress: ProgressFn | None = None,
    commit_every: int = 16,
    lease_ttl_s: float = DEFAULT_LEASE_TTL_S,
) -> CollectSummary:
    """Ask for every missing answer and store each as it arrives (writes happen off the event
    loop, see ``_Writer``), joining the running collect of the same release and models; items are
    leased, so processes sharing the run never ask for one answer twice. ``requested`` counts the
    calls this process made, ``stored`` the rows it actually wrote."""
    todo = plan_collection(engine, release=release, models=models)
    scope = f"collect:{release_id(engine, release)}"
    async with open_run(
        engine,
        kind=RunKind.COLLECT,
        params=collect_params(release, models),
        total=len(todo),
        actor=actor,
        on_progress=on_progress,
        join=True,
        lease_ttl_s=lease_ttl_s,
    ) as run:
        asked = await _work(engine, client, run, todo, scope, commit_every)
        if asked and run.counters.done == 0 and run.counters.failed:
            run.conclude(RunStatus.FAILED, "every request failed; see the recorded failures")
    return CollectSummary(run.id, asked, run.counters.done, run.counters.failed)
