"""Release queries. Every function takes ``*, session``.

A release is a draft until it is published; a published release is frozen: every function that
writes questions refuses one with ``ReleaseFrozenError`` (edits go to a new draft, started from
it, which carries its questions over as anchors), and the database refuses to change its
questions or to un-publish it (migration 0005).

The gold items live in a row of the same table with ``kind = 'gold'`` (``gold_container``); it is
not a release. ``releases`` is the one query that lists releases, and every function that looks a
release up or counts its questions goes through it (``release_by_tag`` refuses the gold container
by name with ``GoldItemsError``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from judging.dimensions import Dimension
from judging.releases import (
    GoldItemsError,
    ReleaseError,
    ReleaseFrozenError,
    ReleaseKind,
    ReleaseNotFoundError,
    ReleaseStatus,
    check_new_draft,
    check_publish,
    check_published_tag,
    gold_refusal,
    require_draft,
)
from storage.db.models import (
    Question,
    Release,
)

__all__ = [
    "DRAFT",
    "PUBLISHED",
    "GoldItemsError",
    "ReleaseError",
    "ReleaseFrozenError",
    "ReleaseKind",
    "ReleaseNotFoundError",
    "ReleaseStatus",
    "ReleaseSummary",
    "check_published_tag",
    "create_draft",
    "gold_container",
    "list_releases",
    "publish",
    "release_by_tag",
    "release_summaries",
    "releases",
    "require_draft",
]


def list_releases(*, session: Session) -> list[Release]:
    """Every release, oldest first; never the gold items (``storage.bank.releases.releases``)."""
    return releases(session=session)


# the release rules and their errors live in judging.releases; these names stay importable here
DRAFT = ReleaseStatus.DRAFT

PUBLISHED = ReleaseStatus.PUBLISHED


@dataclass(frozen=True)
class ReleaseSummary:
    id: int
    tag: str
    title: str
    status: ReleaseStatus
    notes: str
    parent_tag: str | None
    created_at: datetime
    published_at: datetime | None
    questions: int  # not retired
    anchors: int  # not retired, carried over from the parent
    retired: int
    by_dimension: Mapping[str, int] = field(default_factory=dict)  # not retired, every dimension

    @property
    def is_draft(self) -> bool:
        return self.status == ReleaseStatus.DRAFT


def is_release() -> ColumnElement[bool]:
    """The filter every release query uses: the gold container is not a release."""
    return col(Release.kind) == ReleaseKind.RELEASE


def releases(*, session: Session) -> list[Release]:
    """Every release (drafts and published), oldest first; never the gold items' container."""
    return list(session.exec(select(Release).where(is_release()).order_by(col(Release.id))).all())


def release_by_tag(*, session: Session, tag: str) -> Release:
    """The release tagged ``tag``; ``GoldItemsError`` for the gold items' container."""
    release = session.exec(select(Release).where(Release.tag == tag)).first()
    if release is not None and release.kind != ReleaseKind.RELEASE:
        raise gold_refusal(tag)
    if release is None:
        known = ", ".join(r.tag for r in releases(session=session)) or "none"
        raise ReleaseNotFoundError(f"release_by_tag: no release {tag!r} (releases: {known})")
    return release


def gold_container(*, session: Session, tag: str, title: str) -> Release:
    """The container of the gold items (``kind = 'gold'``), created as ``tag`` on first use."""
    found = session.exec(
        select(Release).where(Release.kind == ReleaseKind.GOLD).order_by(col(Release.id))
    ).first()
    if found is not None:
        return found
    if session.exec(select(Release.id).where(Release.tag == tag)).first() is not None:
        raise ReleaseError(
            f"gold_container: release {tag!r} exists and is not the gold items; rename it to import gold items"
        )
    container = Release(tag=tag, title=title, status=ReleaseStatus.DRAFT, kind=ReleaseKind.GOLD)
    session.add(container)
    session.flush()
    return container


def question_rows(session: Session, release_id: int, *, include_retired: bool) -> list[Question]:
    query = select(Question).where(Question.release_id == release_id)
    if not include_retired:
        query = query.where(col(Question.retired).is_(False))
    return list(session.exec(query.order_by(col(Question.id))).all())


def release_summaries(*, session: Session) -> list[ReleaseSummary]:
    """Every release, oldest first, with its question counts (never the gold items)."""
    rows = releases(session=session)
    tags = {r.id: r.tag for r in rows}
    columns = (Question.release_id, Question.dimension, Question.retired, Question.anchor)
    counts = session.execute(
        sa_select(*columns, func.count()).group_by(*columns)  # type: ignore[call-overload]
    ).all()
    per: dict[int, dict[str, Any]] = {}
    for release_id, dimension, retired, anchor, n in counts:
        entry = per.setdefault(release_id, {"questions": 0, "anchors": 0, "retired": 0, "dims": {}})
        if retired:
            entry["retired"] += n
            continue
        entry["questions"] += n
        entry["anchors"] += n if anchor else 0
        entry["dims"][dimension] = entry["dims"].get(dimension, 0) + n
    summaries = []
    for r in rows:
        assert r.id is not None
        entry = per.get(r.id, {"questions": 0, "anchors": 0, "retired": 0, "dims": {}})
        by_dimension = {d.value: entry["dims"].get(d.value, 0) for d in Dimension}
        summaries.append(
            ReleaseSummary(
                id=r.id,
                tag=r.tag,
                title=r.title,
                status=r.status,
                notes=r.notes,
                parent_tag=tags.get(r.parent_id) if r.parent_id is not None else None,
                created_at=r.created_at,
                published_at=r.published_at,
                questions=entry["questions"],
                anchors=entry["anchors"],
                retired=entry["retired"],
                by_dimension=by_dimension,
            )
        )
    return summaries


def create_draft(
    *, session: Session, tag: str, title: str = "", notes: str = "", parent: Release | None = None
) -> Release:
    """A new draft; started from a published ``parent``, it carries the parent's questions over
    as anchors (same question ids, ``anchor_of_id`` pointing at the parent's row)."""
    taken = session.exec(select(Release.kind).where(Release.tag == tag)).first()
    check_new_draft(tag, taken=None if taken is None else ReleaseKind(taken), parent=parent)
    draft = Release(
        tag=tag, title=title, notes=notes, status=ReleaseStatus.DRAFT, parent_id=parent.id if parent else None
    )
    session.add(draft)
    session.flush()
    assert draft.id is not None
    if parent is not None and parent.id is not None:
        for q in question_rows(session, parent.id, include_retired=False):
            session.add(
                Question(
                    release_id=draft.id,
                    external_id=q.external_id,
                    dimension=q.dimension,
                    sub_dimension=q.sub_dimension,
                    text=q.text,
                    safe_note=q.safe_note,
                    reference_answer=q.reference_answer,
                    sensitive=q.sensitive,
                    categories=q.categories,
                    metadata_json=q.metadata_json,
                    source=q.source,
                    anchor=True,
                    anchor_of_id=q.id,
                )
            )
        session.flush()
    return draft


def publish(
    *, session: Session, release: Release, tag: str, now: datetime, notes: str | None = None
) -> Release:
    """Freeze a draft under the tag ``vYYMMDD``; from then on its questions cannot change."""
    check_publish(release, tag)
    taken = session.exec(select(Release.id).where(Release.tag == tag, Release.id != release.id)).first()
    if taken is not None:
        raise ReleaseError(f"publish: another release already has tag {tag!r}")
    assert release.id is not None
    if not question_rows(session, release.id, include_retired=False):
        raise ReleaseError(f"publish: release {release.tag!r} has no questions")
    release.tag = tag
    release.status = ReleaseStatus.PUBLISHED
    release.published_at = now
    if notes is not None:
        release.notes = notes
    session.add(release)
    session.flush()
    return release
