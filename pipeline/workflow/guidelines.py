"""The annotation guidelines: the version that applies to a release, admin edits (append-only
versions in both languages, with who, when and the release they apply to), and whether a person
must read them before their first vote.

Which version applies to release R: the newest version written for R; else the newest version
for every release; else the built-in text (``pipeline.workflow.guideline_text``, version 0). The vote page
uses the release of the person's campaign (none: the version for every release).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.errors import ArenaError
from judging.releases import ReleaseError
from judging.roles import Role
from pipeline.workflow.campaigns import load_campaigns
from pipeline.workflow.guideline_text import DEFAULT_EN, DEFAULT_ZH
from storage.bank.releases import release_by_tag
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.people.users import get_user
from storage.workflow.guidelines import (
    GuidelineVersion,
    add_guideline_read,
    add_guideline_version,
    guideline_reads,
    guideline_versions,
    has_voted,
)

__all__ = [
    "MAX_CHARS",
    "Guidelines",
    "GuidelinesError",
    "Reading",
    "ReadingState",
    "confirm_read",
    "current_guidelines",
    "guideline_history",
    "reading_for",
    "save_guidelines",
]

MAX_CHARS = 50_000  # per language


class GuidelinesError(ArenaError, ValueError):
    """An edit of the guidelines was refused; nothing was stored."""


@dataclass(frozen=True)
class Guidelines:
    """One version of the guidelines. ``id`` None is the built-in text; ``number`` counts the
    versions of its scope (its release, or every release) from 1, the built-in text being 0."""

    id: int | None
    release: str | None  # the release tag it applies to; None: every release
    number: int
    text_zh: str
    text_en: str
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = None

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


BUILT_IN = Guidelines(None, None, 0, DEFAULT_ZH, DEFAULT_EN)


def _numbered(versions: list[GuidelineVersion]) -> list[Guidelines]:
    seen: dict[int | None, int] = {}
    out = []
    for v in versions:
        seen[v.release_id] = seen.get(v.release_id, 0) + 1
        out.append(
            Guidelines(
                v.id,
                v.release_tag,
                seen[v.release_id],
                v.text_zh,
                v.text_en,
                v.note,
                v.created_by,
                v.created_at,
            )
        )
    return out


def _current(session: Session, release: str | None) -> Guidelines:
    versions = _numbered(guideline_versions(session=session))
    for scope in ([release] if release is not None else []) + [None]:
        mine = [g for g in versions if g.release == scope]
        if mine:
            return mine[-1]
    return BUILT_IN


def current_guidelines(engine: Engine, *, release: str | None = None) -> Guidelines:
    """The version that applies to ``release`` (None: the version for every release)."""
    with read_session(engine) as session:
        return _current(session, release)


def guideline_history(engine: Engine) -> list[Guidelines]:
    """Every stored version, newest first (the built-in text is not listed)."""
    with read_session(engine) as session:
        return _numbered(guideline_versions(session=session))[::-1]


def save_guidelines(
    engine: Engine, *, text_zh: str, text_en: str, release: str | None, note: str = "", actor: str
) -> Guidelines:
    """Store a new version for ``release`` (None: every release). Refused, with nothing stored,
    when a language is empty or too long, the release is unknown or the gold items, or the text is
    the same as the version it would replace."""
    zh, en = text_zh.strip(), text_en.strip()
    if not zh or not en:
        missing = [name for name, text in (("zh", zh), ("en", en)) if not text]
        raise GuidelinesError(
            f"save_guidelines: the text in {' and '.join(missing)} is empty; both languages are needed"
        )
    for name, text in (("zh", zh), ("en", en)):
        if len(text) > MAX_CHARS:
            raise GuidelinesError(
                f"save_guidelines: the {name} text has {len(text)} characters (at most {MAX_CHARS})"
            )
    with write_session(engine) as session:
        release_id = None
        if release is not None:
            try:
                release_id = release_by_tag(session=session, tag=release).id
            except ReleaseError as exc:
                raise GuidelinesError(f"save_guidelines: {exc}") from None
        before = _current(session, release)
        if before.release == release and (before.text_zh.strip(), before.text_en.strip()) == (zh, en):
            raise GuidelinesError("save_guidelines: the text is unchanged; nothing was stored")
        new_id = add_guideline_version(
            session=session,
            release_id=release_id,
            text_zh=zh,
            text_en=en,
            note=note.strip()[:2000],
            created_by=actor,
        )
        audit(
            session=session,
            actor=actor,
            action="guidelines.edit",
            detail={"version_id": new_id, "release": release, "note": note.strip()[:200]},
        )
        return _current(session, release)


def confirm_read(engine: Engine, *, username: str, guidelines: Guidelines) -> None:
    """Record that the person read ``guidelines``; a repeated confirmation records nothing new."""
    with write_session(engine) as session:
        if guidelines.id not in guideline_reads(session=session, username=username):
            add_guideline_read(session=session, username=username, guideline_id=guidelines.id)


class ReadingState(StrEnum):
    MUST_READ = "must_read"  # an annotator before their first vote who never confirmed any version
    CHANGED = "changed"  # the version that applies now is not one they confirmed
    READ = "read"


@dataclass(frozen=True)
class Reading:
    state: ReadingState
    guidelines: Guidelines  # the version that applies to the person
    release: str | None  # the release of the person's campaign (None: no campaign)


def reading_for(engine: Engine, *, username: str) -> Reading:
    """Which guidelines apply to the person (their campaign's release) and whether they read them.

    Only an annotator who has never voted and never confirmed a version must read them first;
    anyone else who has not confirmed the version in force is told it changed."""
    campaign = load_campaigns(engine).for_user(username)
    release = None if campaign is None else campaign.release
    with read_session(engine) as session:
        current = _current(session, release)
        confirmed = guideline_reads(session=session, username=username)
        if current.id in confirmed:
            return Reading(ReadingState.READ, current, release)
        user = get_user(session=session, username=username)
        annotator = user is not None and Role.ANNOTATOR in user.roles
        if annotator and not confirmed and not has_voted(session=session, username=username):
            return Reading(ReadingState.MUST_READ, current, release)
        return Reading(ReadingState.CHANGED, current, release)
