"""What the database holds, in counts: the landing page's overview and ``cli.py stats``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from storage.bank.releases import list_releases
from storage.db.session import read_session
from storage.db.stats import DbStats, count_stats
from storage.votes.log import votes_by_rater

__all__ = ["DbStats", "Overview", "database_stats", "overview"]


def database_stats(engine: Engine) -> DbStats:
    """Counts of releases, questions (per dimension), models, responses and votes (read only)."""
    with read_session(engine) as session:
        return count_stats(session=session)


@dataclass(frozen=True)
class Overview:
    """The landing page: the database's counts, the visitor's own votes, and whether any release
    is synthetic (the demo), which the page says."""

    stats: DbStats
    my_votes: int
    synthetic: bool


def overview(engine: Engine, *, rater: str) -> Overview:
    """The landing page's figures for ``rater``, read in one session."""
    with read_session(engine) as session:
        return Overview(
            stats=count_stats(session=session),
            my_votes=votes_by_rater(session=session, rater=rater),
            synthetic=any(r.synthetic for r in list_releases(session=session)),
        )
