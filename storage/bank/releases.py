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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from judging.dimensions import Dimension
from judging.errors import ArenaError
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


DRAFT = "draft"

PUBLISHED = "published"

_DRAFT_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_PUBLISHED_TAG = re.compile(r"^v\d{6}$")


class ReleaseError(ArenaError, ValueError):
    """A release operation was refused (unknown release, bad tag, frozen release...)."""


class ReleaseNotFoundError(ReleaseError, LookupError):
    pass


class ReleaseFrozenError(ReleaseError):
    """The release is published; its questions can no longer change."""


class GoldItemsError(ReleaseError):
    """The name is the gold items' container, which is not a release."""


class ReleaseKind(StrEnum):
    """``release.kind``: a question release, or the container of the gold items."""

    RELEASE = "release"
    GOLD = "gold"


@dataclass(frozen=True)
class ReleaseSummary:
    id: int
    tag: str
    title: str
    status: str  # draft | published
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
        return self.status == DRAFT


def is_release() -> ColumnElement[bool]:
    """The filter every release query uses: the gold container is not a release."""
    return col(Release.kind) == ReleaseKind.RELEASE.value


def releases(*, session: Session) -> list[Release]:
    """Every release (drafts and published), oldest first; never the gold items' container."""
    return list(session.exec(select(Release).where(is_release()).order_by(col(Release.id))).all())


def _gold_refusal(tag: str) -> GoldItemsError:
    return GoldItemsError(
        f"{tag!r} holds the gold items, which are not a release: they cannot be published, "
        "edited as a draft, rated, reported or exported as one (gold votes: export-votes --include-gold)"
    )


def release_by_tag(*, session: Session, tag: str) -> Release:
    """The release tagged ``tag``; ``GoldItemsError`` for the gold items' container."""
    release = session.exec(select(Release).where(Release.tag == tag)).first()
    if release is not None and release.kind != ReleaseKind.RELEASE.value:
        raise _gold_refusal(tag)
    if release is None:
        known = ", ".join(r.tag for r in releases(session=session)) or "none"
        raise ReleaseNotFoundError(f"release_by_tag: no release {tag!r} (releases: {known})")
    return release


def gold_container(*, session: Session, tag: str, title: str) -> Release:
    """The container of the gold items (``kind = 'gold'``), created as ``tag`` on first use."""
    found = session.exec(
        select(Release).where(Release.kind == ReleaseKind.GOLD.value).order_by(col(Release.id))
    ).first()
    if found is not None:
        return found
    if session.exec(select(Release.id).where(Release.tag == tag)).first() is not None:
        raise ReleaseError(
            f"gold_container: release {tag!r} exists and is not the gold items; rename it to import gold items"
        )
    container = Release(tag=tag, title=title, status=DRAFT, kind=ReleaseKind.GOLD.value)
    session.add(container)
    session.flush()
    return container


def require_draft(release: Release, *, action: str) -> None:
    """Raise ReleaseFrozenError unless ``release`` is a draft; ``action`` says what was refused."""
    if release.status != DRAFT:
        raise ReleaseFrozenError(
            f"cannot {action} release {release.tag!r}: it is {release.status} and frozen; "
            f"start a new draft from it (release create NEW --from {release.tag}) and edit that"
        )


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
    if not _DRAFT_TAG.match(tag):
        raise ReleaseError(
            f"create_draft: tag {tag!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    taken = session.exec(select(Release.kind).where(Release.tag == tag)).first()
    if taken == ReleaseKind.GOLD.value:
        raise ReleaseError(f"create_draft: tag {tag!r} is the gold items' name; choose another")
    if taken is not None:
        raise ReleaseError(f"create_draft: a release with tag {tag!r} already exists")
    if parent is not None and parent.status != PUBLISHED:
        raise ReleaseError(
            f"create_draft: parent {parent.tag!r} is a {parent.status}; start from a published release"
        )
    draft = Release(tag=tag, title=title, notes=notes, status=DRAFT, parent_id=parent.id if parent else None)
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
                    metadata_json=q.metadata_json,
                    source=q.source,
                    anchor=True,
                    anchor_of_id=q.id,
                )
            )
        session.flush()
    return draft


def check_published_tag(tag: str) -> None:
    """A published tag is ``vYYMMDD`` with a real date."""
    if not _PUBLISHED_TAG.match(tag):
        raise ReleaseError(f"publish: tag {tag!r} must look like vYYMMDD (for example v251215)")
    try:
        date(2000 + int(tag[1:3]), int(tag[3:5]), int(tag[5:7]))
    except ValueError:
        raise ReleaseError(f"publish: tag {tag!r} is not a calendar date") from None


def publish(
    *, session: Session, release: Release, tag: str, now: datetime, notes: str | None = None
) -> Release:
    """Freeze a draft under the tag ``vYYMMDD``; from then on its questions cannot change."""
    if release.kind != ReleaseKind.RELEASE.value:
        raise _gold_refusal(release.tag)
    require_draft(release, action="publish")
    check_published_tag(tag)
    taken = session.exec(select(Release.id).where(Release.tag == tag, Release.id != release.id)).first()
    if taken is not None:
        raise ReleaseError(f"publish: another release already has tag {tag!r}")
    assert release.id is not None
    if not question_rows(session, release.id, include_retired=False):
        raise ReleaseError(f"publish: release {release.tag!r} has no questions")
    release.tag = tag
    release.status = PUBLISHED
    release.published_at = now
    if notes is not None:
        release.notes = notes
    session.add(release)
    session.flush()
    return release
