"""Collect answers: every missing (question of a release, model) pair, asked once and stored.

Idempotent and resumable: the work list is computed from what is stored (one answer per release
× question × model, enforced by a unique constraint), answers are committed in small batches as
they arrive, so after ``kill -9`` a rerun asks only for what is still missing. A failure is
recorded with its class and message and never stops the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from judging.llm import ChatClient, ChatMessage, ChatRequest, ChatSuccess, Role
from pipeline.registry import endpoint_configs
from pipeline.runs_common import Progress, ProgressFn, RunCounters, finish, start_run
from storage.models import Release
from storage.runs import (
    EndpointRow,
    MissingAnswer,
    add_response,
    ensure_arena_model,
    missing_answers,
    record_failure,
    update_run,
)
from storage.session import read_session, write_session

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
    with read_session(engine) as session:
        release = session.exec(select(Release).where(Release.tag == tag)).first()
    if release is None or release.id is None:
        raise LookupError(f"collect: no release {tag!r}")
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

    def flush() -> None:
        if not pending:
            return
        with write_session(engine) as session:
            for item, result in pending:
                if isinstance(result, ChatSuccess):
                    usage = result.usage
                    add_response(
                        session=session,
                        question_id=item.question_id,
                        model_key=item.model_key,
                        text_=result.content,
                        reasoning_content=result.reasoning_content,
                        prompt_tokens=usage.prompt_tokens if usage else None,
                        completion_tokens=usage.completion_tokens if usage else None,
                        latency_ms=1000 * result.latency_s,
                        finish_reason=result.finish_reason,
                    )
                else:
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
            update_run(session=session, run_id=run_id, done=counters.done, failed=counters.failed)
        pending.clear()
        if on_progress:
            on_progress(Progress(run_id, len(todo), counters.done, counters.failed))

    requests = (
        ChatRequest(configs[item.model_key], (ChatMessage(Role.USER, item.question_text),), item)
        for item in todo
    )
    try:
        async for done in client.complete_many(requests):
            if isinstance(done.result, ChatSuccess):
                counters.done += 1
            else:
                counters.failed += 1
            pending.append((done.item.tag, done.result))
            if len(pending) >= commit_every:
                flush()
        flush()
    except BaseException as exc:
        flush()
        finish(engine, run_id, counters, status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    finish(engine, run_id, counters, status="finished")
    return CollectSummary(run_id, len(todo), counters.done, counters.failed)
