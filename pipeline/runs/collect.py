"""Collect answers: every missing (question of a release, model) pair, asked once and stored.

Idempotent and resumable: the work list is computed from what is stored (one answer per release
× question × model, enforced by a unique constraint), answers are committed in small batches as
they arrive, so after ``kill -9`` a rerun asks only for what is still missing. A failure is
recorded with its class and message and never stops the run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.engine import Engine

from judging.llm import ChatClient, ChatMessage, ChatRequest, ChatResult, ChatSuccess, Role
from judging.runs import RunKind, RunStatus
from pipeline.runs.common import ProgressFn, RunLog, open_run, release_id
from pipeline.runs.registry import endpoint_configs
from storage.db.session import write_session
from storage.runs.answers import MissingAnswer, NewResponse, add_responses, missing_answers
from storage.runs.endpoints import EndpointRow, ensure_arena_model

__all__ = ["CollectSummary", "collect", "plan_collection", "resolve_models"]


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
    with write_session(engine) as session:
        for key in models:
            c = configs[key]
            ensure_arena_model(
                session=session,
                row=EndpointRow(
                    c.key,
                    c.display_name,
                    c.base_url,
                    c.model,
                    c.api_key_env,
                    c.organisation,
                    c.open_source,
                    c.reasoning,
                    dict(c.extra_params),
                ),
            )
        return missing_answers(session=session, release_id=release_key, model_keys=list(models))


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


class _Writer:
    """Answers stored behind the requests: one batch at a time in a worker thread, while the
    requests keep flowing; the run's counters move only when a batch is committed."""

    def __init__(self, engine: Engine, run: RunLog, commit_every: int) -> None:
        self.engine, self.run, self.commit_every = engine, run, commit_every
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


async def collect(
    engine: Engine,
    client: ChatClient,
    *,
    release: str,
    models: Sequence[str],
    actor: str = "cli",
    on_progress: ProgressFn | None = None,
    commit_every: int = 16,
) -> CollectSummary:
    """Ask for every missing answer and store each as it arrives (writes happen off the event
    loop, see ``_Writer``); ``stored`` counts the rows actually written."""
    todo = plan_collection(engine, release=release, models=models)
    configs = endpoint_configs(engine, role="model")
    requests = (
        ChatRequest(configs[item.model_key], (ChatMessage(Role.USER, item.question_text),), item)
        for item in todo
    )
    params = {"release": release, "models": list(models)}
    async with open_run(
        engine, kind=RunKind.COLLECT, params=params, total=len(todo), actor=actor, on_progress=on_progress
    ) as run:
        writer = _Writer(engine, run, commit_every)
        try:
            async for done in client.complete_many(requests):
                await writer.add(done.item.tag, done.result)
            await writer.close()
        except BaseException:
            await asyncio.shield(writer.settle())
            raise
        if todo and run.counters.done == 0 and run.counters.failed:
            run.conclude(RunStatus.FAILED, "every request failed; see the recorded failures")
    return CollectSummary(run.id, len(todo), run.counters.done, run.counters.failed)
