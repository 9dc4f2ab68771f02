"""The endpoint registry in the database, and the arena model each endpoint answers as."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from storage.db.models import (
    ArenaModel,
    CallFailure,
    CandidateQuestion,
    Endpoint,
    GenerationReply,
    JudgeReply,
    Response,
    Run,
    Vote,
    utcnow,
)

__all__ = [
    "EndpointRow",
    "delete_endpoint",
    "endpoint_in_use",
    "ensure_arena_model",
    "list_endpoints",
    "set_endpoint_enabled",
    "upsert_endpoint",
]


@dataclass(frozen=True)
class EndpointRow:
    key: str
    display_name: str
    base_url: str
    model: str
    api_key_env: str | None
    organisation: str
    open_source: bool
    reasoning: bool
    params: dict[str, Any]
    role: str = "model"
    enabled: bool = True  # read back from the table; an upsert keeps the stored switch


def upsert_endpoint(*, session: Session, row: EndpointRow) -> None:
    found = session.exec(select(Endpoint).where(Endpoint.key == row.key)).first()
    target = found or Endpoint(key=row.key, base_url=row.base_url, model=row.model)
    target.display_name = row.display_name
    target.base_url = row.base_url
    target.model = row.model
    target.api_key_env = row.api_key_env
    target.organisation = row.organisation
    target.open_source = row.open_source
    target.reasoning = row.reasoning
    target.params_json = json.dumps(row.params, ensure_ascii=False, sort_keys=True)
    target.role = row.role
    target.updated_at = utcnow()
    session.add(target)


def list_endpoints(*, session: Session) -> list[EndpointRow]:
    return [
        EndpointRow(
            e.key,
            e.display_name,
            e.base_url,
            e.model,
            e.api_key_env,
            e.organisation,
            e.open_source,
            e.reasoning,
            json.loads(e.params_json),
            e.role,
            e.enabled,
        )
        for e in session.exec(select(Endpoint).order_by(col(Endpoint.key))).all()
    ]


def set_endpoint_enabled(*, session: Session, key: str, enabled: bool) -> bool:
    """Switch an endpoint on or off; False when no endpoint has that key."""
    found = session.exec(select(Endpoint).where(Endpoint.key == key)).first()
    if found is None:
        return False
    found.enabled = enabled
    found.updated_at = utcnow()
    session.add(found)
    return True


def endpoint_in_use(*, session: Session, key: str) -> bool:
    """Whether anything stored refers to the endpoint: answers of its arena model, its judge votes
    or unparsed replies, failed calls, generated candidates or replies, or a run's parameters."""
    model = session.exec(select(ArenaModel.id).where(ArenaModel.key == key)).first()
    references = [
        select(CallFailure.id).where(CallFailure.endpoint == key),
        select(JudgeReply.id).where(JudgeReply.judge == key),
        select(Vote.id).where(Vote.source == "judge", Vote.rater == key),
        select(CandidateQuestion.id).where(CandidateQuestion.generator == key),
        select(GenerationReply.id).where(GenerationReply.generator == key),
        select(Run.id).where(col(Run.params_json).contains(json.dumps(key, ensure_ascii=False))),
    ]
    if model is not None:
        references.append(select(Response.id).where(Response.model_id == model))
    return any(session.exec(stmt.limit(1)).first() is not None for stmt in references)


def delete_endpoint(*, session: Session, key: str) -> bool:
    """Delete the endpoint row (the caller checked ``endpoint_in_use``); False when unknown."""
    found = session.exec(select(Endpoint).where(Endpoint.key == key)).first()
    if found is None:
        return False
    session.delete(found)
    return True


def ensure_arena_model(*, session: Session, row: EndpointRow) -> int:
    """The rated-model row for an endpoint, created on first collection."""
    model = session.exec(select(ArenaModel).where(ArenaModel.key == row.key)).first()
    if model is None:
        model = ArenaModel(key=row.key, display_name=row.display_name or row.key)
    model.organisation = row.organisation or model.organisation
    model.base_url = row.base_url
    model.model_name = row.model
    model.api_key_env = row.api_key_env
    model.open_source = row.open_source
    model.reasoning = row.reasoning
    model.params_json = json.dumps(row.params, ensure_ascii=False, sort_keys=True)
    session.add(model)
    session.flush()
    assert model.id is not None
    return model.id
