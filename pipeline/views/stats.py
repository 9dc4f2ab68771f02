"""What the database holds, in counts: the landing page's overview and ``cli.py stats``."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.db.session import read_session
from storage.db.stats import DbStats, count_stats

__all__ = ["DbStats", "database_stats"]


def database_stats(engine: Engine) -> DbStats:
    """Counts of releases, questions (per dimension), models, responses and votes (read only)."""
    with read_session(engine) as session:
        return count_stats(session=session)
