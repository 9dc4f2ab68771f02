"""The harm tags of the votes raters stand by (``View.SAID``): who tagged, which models, which tags.

Read by ``pipeline.views.harm_tags`` for the tag shares; every function takes ``*, session``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from judging.types import Source
from storage.db.models import ArenaModel, Vote
from storage.votes.ledger import View, status_clause

__all__ = ["TagRow", "tag_rows"]


@dataclass(frozen=True, slots=True)
class TagRow:
    """One vote's tags per canonical side, as stored (JSON lists)."""

    source: Source
    prompt_version: str | None
    dimension: str
    model_a: str  # model keys
    model_b: str
    tags_a: str
    tags_b: str
    name_a: str  # display names
    name_b: str


def tag_rows(*, session: Session, release_id: int | None = None) -> list[TagRow]:
    """The tags of every vote in ``View.SAID`` (standing, and people's votes an expert overruled:
    what raters said; never gold, retracted or corrected votes), in id order."""
    model_a, model_b = aliased(ArenaModel), aliased(ArenaModel)
    query = (
        sa_select(  # type: ignore[call-overload]
            Vote.source,
            Vote.prompt_version,
            Vote.dimension,
            model_a.key,
            model_b.key,
            Vote.tags_a,
            Vote.tags_b,
            model_a.display_name,
            model_b.display_name,
        )
        .join(model_a, col(model_a.id) == col(Vote.model_a_id))
        .join(model_b, col(model_b.id) == col(Vote.model_b_id))
        .where(status_clause(col(Vote.id), View.SAID))
        .order_by(col(Vote.id))
    )
    if release_id is not None:
        query = query.where(col(Vote.release_id) == release_id)
    return [TagRow(Source(row[0]), *row[1:]) for row in session.execute(query).all()]
