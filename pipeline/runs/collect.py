"""Collect answers: every missing (question of a release, model) pair, asked once and stored.

Idempotent and resumable: the work list is computed from what is stored (one answer per release
× question × model, enforced by a unique constraint), answers are committed in small batches as
they arrive, so after ``kill -9`` a rerun asks only for what is still missing. A failure is
recorded with its class and message and never stops the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from judging.llm import ChatClient, ChatMessage, ChatRequest, ChatSuccess, Role
from pipeline.runs.common import Progress, ProgressFn, RunCounters, finish, start_run
from pipeline.runs.registry import endpoint_configs
from storage.bank.releases import release_by_tag
from storage.db.session import read_session, write_session
from storage.runs.answers import MissingAnswer, NewResponse, add_responses, missing_answers
from storage.runs.bookkeeping import record_failure, update_run
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


def _release_id(engine: Engine, tag: str) -> int:
    """The release's id; an unknown tag or the gold items raise ``ReleaseError`` with a message."""
    with read_session(engine) as session:
        release = release_by_tag(session=session, tag=tag)
    assert release.id is not None
    return release.id


def plan_collection(engine: Engine, *, release: str, models: Sequence[str]) -> list[MissingAnswer]:
    """Register the models as rated models and list what is still missing."""
    release_id = _release_id(engine, release)
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
        return missing_answers(session=session, release_id=release_id, model_keys=list(models))


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
    """Ask for every missing answer and store each as it arrives.

    Writes happen off the event loop, one batch at a time in a worker thread, while the requests
    keep flowing; ``stored`` counts the rows actually written (an answer another run stored first
    is not counted twice)."""
    todo = plan_collection(engine, release=release, models=models)
    configs = endpoint_configs(engine, role="model")
    run_id = start_run(
        engine,
        kind="collect",
        params={"release": release, "models": list(models)},
        total=len(todo),
        actor=actor,
    )
    counters = RunCounters()
    pending: list[tuple[MissingAnswer, object]] = []
    writing: asyncio.Task[tuple[int, int]] | None = None

    def write(batch: list[tuple[MissingAnswer, object]]) -> tuple[int, int]:
        answers = [
            NewResponse(
                item.question_id,
                item.model_key,
                result.content,
                result.reasoning_content,
                result.usage.prompt_tokens if result.usage else None,
                result.usage.completion_tokens if result.usage else None,
                1000 * result.latency_s,
                result.finish_reason,
            )
            for item, result in batch
            if isinstance(result, ChatSuccess)
        ]
        with write_session(engine) as session:
            stored = add_responses(session=session, responses=answers)
            failed = 0
            for item, result in batch:
                if not isinstance(result, ChatSuccess):
                    failed += 1
                    record_failure(
                        session=session,
                        run_id=run_id,
                        endpoint=item.model_key,
                        question_id=item.question_id,
                        kind=str(result.kind),  # type: ignore[attr-defined]
                        message=result.message,  # type: ignore[attr-defined]
                        status=result.status,  # type: ignore[attr-defined]
                        attempts=result.attempts,  # type: ignore[attr-defined]
                    )
            update_run(
                session=session, run_id=run_id, done=counters.done + stored, failed=counters.failed + failed
            )
        return stored, failed

    async def drain() -> None:
        nonlocal writing
        if writing is not None:
            stored, failed = await writing
            writing = None
            counters.done += stored
            counters.failed += failed
            if on_progress:
                on_progress(Progress(run_id, len(todo), counters.done, counters.failed))

    async def flush(force: bool = False) -> None:
        nonlocal writing, pending
        if writing is not None and (force or writing.done()):
            await drain()
        if pending and writing is None:
            batch, pending = pending, []
            writing = asyncio.create_task(asyncio.to_thread(write, batch))
        if force:
            await drain()

    requests = (
        ChatRequest(configs[item.model_key], (ChatMessage(Role.USER, item.question_text),), item)
        for item in todo
    )
    try:
        async for done in client.complete_many(requests):
            pending.append((done.item.tag, done.result))
            if len(pending) >= commit_every:
                await flush()
        await flush(force=True)
        await flush(force=True)  # what arrived while the last batch was being written
    except BaseException as exc:
        await asyncio.shield(_settle(flush))
        finish(engine, run_id, counters, status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    status = "failed" if todo and counters.done == 0 and counters.failed else "finished"
    message = "every request failed; see the recorded failures" if status == "failed" else ""
    finish(engine, run_id, counters, status=status, message=message)
    return CollectSummary(run_id, len(todo), counters.done, counters.failed)


async def _settle(flush) -> None:  # type: ignore[no-untyped-def]
    """Write what already arrived before a run ends on an error (never lose a paid answer)."""
    try:
        await flush(force=True)
        await flush(force=True)
    except Exception:  # pragma: no cover - the original error is what the caller reports
        pass
