"""The endpoint registry in the database, and the arena model each endpoint answers as."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from judging.model_metadata import ModelMetadata
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
    "ModelFacts",
    "delete_endpoint",
    "endpoint_in_use",
    "ensure_arena_model",
    "list_endpoints",
    "model_facts",
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
    # provider, release date, parameters, URL, location (and ``enabled`` when the file says);
    # None: an upsert keeps what is stored (the admin form does not edit them)
    metadata: ModelMetadata | None = None


_METADATA_COLUMNS = ("provider", "release_date", "parameters", "url", "location")


def _copy_metadata(target: Endpoint, metadata: ModelMetadata) -> None:
    for name in _METADATA_COLUMNS:
        setattr(target, name, getattr(metadata, name))


def _metadata_of(row: Endpoint) -> ModelMetadata:
    return ModelMetadata(
        provider=row.provider,
        release_date=row.release_date,
        parameters=row.parameters,
        url=row.url,
        location=row.location,
        enabled=row.enabled,
    )


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
    if row.metadata is not None:
        _copy_metadata(target, row.metadata)
        if row.metadata.enabled is not None:
            target.enabled = row.metadata.enabled
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
            _metadata_of(e),
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
    """The rated-model row for an endpoint, created on first collection; the endpoint's metadata
    (the row's, else the stored endpoint's) is copied onto it."""
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
    metadata = row.metadata
    if metadata is None:
        stored = session.exec(select(Endpoint).where(Endpoint.key == row.key)).first()
        metadata = None if stored is None else _metadata_of(stored)
    if metadata is not None:  # like the organisation: a blank keeps what the model row has
        for name in _METADATA_COLUMNS:
            setattr(model, name, getattr(metadata, name) or getattr(model, name))
    session.add(model)
    session.flush()
    assert model.id is not None
    return model.id


@dataclass(frozen=True)
class ModelFacts:
    """What the boards, the report and the site say about a rated model beside its rating."""

    key: str
    display_name: str
    organisation: str
    open_source: bool
    reasoning: bool
    synthetic: bool
    provider: str
    release_date: str  # YYYY-MM-DD or ""
    parameters: str
    url: str  # http(s) (checked on import) or ""
    location: str


def model_facts(*, session: Session, keys: Sequence[str] | None = None) -> dict[str, ModelFacts]:
    """The facts of the arena models ``keys`` (every model when None), by key."""
    query = select(ArenaModel)
    if keys is not None:
        query = query.where(col(ArenaModel.key).in_(list(keys)))
    return {
        m.key: ModelFacts(
            key=m.key,
            display_name=m.display_name,
            organisation=m.organisation,
            open_source=m.open_source,
            reasoning=m.reasoning,
            synthetic=bool(m.synthetic),
            provider=m.provider,
            release_date=m.release_date,
            parameters=m.parameters,
            url=m.url,
            location=m.location,
        )
        for m in session.exec(query).all()
    }
