"""The public leaderboard of the app: published releases' boards for visitors who are not logged in.

Off by default; an admin switches it on (app setting ``public_leaderboard``, audited). What a
visitor sees is what a published leaderboard shows and nothing more: per published release, the
overall board and one per dimension, each row a model's display name, Bradley–Terry rating with
its 95% interval, rank range, vote count and the provisional mark. Drafts, the gold items, votes,
rationales, raters and model keys never enter a ``PublicRelease``. Boards are computed as the
release report computes them (every standing vote of the release, sandwich intervals clustered by
battle, ``ReportOptions`` defaults), so the public numbers equal ``cli.py report``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from judging.releases import ReleaseError, ReleaseStatus
from pipeline.publish.report_types import OVERALL, ReportOptions
from pipeline.views.leaderboard import BoardQuery, compute_board
from pipeline.views.vote_log import VoteColumns, VoteLog
from storage.bank.releases import release_by_tag, release_summaries
from storage.db.app_settings import get_setting, set_setting
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "SETTING_KEY",
    "PublicRelease",
    "PublicRow",
    "PublicSlice",
    "public_leaderboard_enabled",
    "public_release",
    "published_releases",
    "set_public_leaderboard",
]

SETTING_KEY = "public_leaderboard"


def public_leaderboard_enabled(engine: Engine) -> bool:
    """Whether anonymous visitors see the published leaderboards (off unless an admin said on)."""
    with read_session(engine) as session:
        return get_setting(session=session, key=SETTING_KEY) is True


def set_public_leaderboard(engine: Engine, *, enabled: bool, actor: str) -> None:
    """Switch the public leaderboard on or off, with an audit row naming ``actor``."""
    if not isinstance(enabled, bool):
        raise TypeError(f"set_public_leaderboard: enabled must be a bool, got {enabled!r}")
    with write_session(engine) as session:
        set_setting(session=session, key=SETTING_KEY, value=enabled, updated_by=actor)
        audit(session=session, actor=actor, action="settings.public_leaderboard", detail={"enabled": enabled})


@dataclass(frozen=True)
class PublicRow:
    name: str  # the model's display name, as a published leaderboard shows it
    rating: float
    lower: float | None
    upper: float | None
    rank: int
    rank_worst: int
    votes: int
    provisional: bool


@dataclass(frozen=True)
class PublicSlice:
    dimension: str  # OVERALL or a dimension code
    n_votes: int
    rows: tuple[PublicRow, ...]


@dataclass(frozen=True)
class PublicRelease:
    tag: str
    title: str
    published_at: datetime | None
    slices: tuple[PublicSlice, ...]  # overall first, then the five dimensions


def published_releases(engine: Engine) -> tuple[tuple[str, str], ...]:
    """(tag, title) of every published release, newest first; never a draft or the gold items."""
    with read_session(engine) as session:
        summaries = release_summaries(session=session)
    return tuple((s.tag, s.title) for s in reversed(summaries) if s.status is ReleaseStatus.PUBLISHED)


def _columns(engine: Engine) -> VoteColumns:
    log = VoteLog()
    log.refresh(engine)
    return log.snapshot()


def public_release(engine: Engine, tag: str, *, columns: VoteColumns | None = None) -> PublicRelease:
    """The public boards of the published release ``tag``; ``ReleaseError`` for a draft, an
    unknown tag or the gold items."""
    with read_session(engine) as session:
        release = release_by_tag(session=session, tag=tag)
        summary = next(s for s in release_summaries(session=session) if s.tag == tag)
    if release.status is not ReleaseStatus.PUBLISHED:
        raise ReleaseError(f"public_release: {tag!r} is a draft; only published releases are public")
    assert release.id is not None
    columns = _columns(engine) if columns is None else columns
    options = ReportOptions()
    slices = []
    for dimension in (OVERALL, *(d.value for d in Dimension)):
        query = BoardQuery(
            dimension=None if dimension == OVERALL else dimension,
            release_id=release.id,
            min_votes=options.min_votes,
            intervals=options.intervals,
            bootstrap_rounds=options.bootstrap_rounds,
            seed=options.seed,
        )
        board = compute_board(columns, query, online=False)
        rows = tuple(
            PublicRow(
                board.names.get(r.model, r.model), r.rating, r.lower, r.upper, r.rank, r.rank_worst,
                r.votes, r.provisional,
            )
            for r in (board.bt.rows if board.bt is not None else ())
        )  # fmt: skip
        slices.append(PublicSlice(dimension, board.n_votes, rows))
    return PublicRelease(tag, summary.title, summary.published_at, tuple(slices))
