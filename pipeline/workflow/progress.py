"""How far a person has got — votes today, in their campaign, and what the campaign still needs
from them — for the vote page, per person for admins, and as a formula-safe CSV.

The counts are the person's votes on the vote page that they stand by (``View.SAID``, gold items
included): an undone vote does not count. *Today* is the server's local calendar day (as release
tags are). *In this campaign* counts the votes in the campaign's release and dimensions since the
campaign started; without a campaign, every vote. *Remaining* is
``storage.workflow.campaigns.battles_still_needed`` over the same slice with the queue's overlap k: the
answer pairs of the slice's questions that still have fewer than k people's votes and that this
person has never been shown (under the ``active`` policy the queue may stop sooner, when the
ranking has settled; under ``spot_check`` only judge-voted battles are served).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.csv_cells import neutralise_cell
from pipeline.workflow.campaigns import Campaign, campaign_in_force
from pipeline.workflow.queue import load_queue_config
from storage.db.models import utcnow
from storage.db.session import read_session
from storage.people.users import UserInfo, get_user, list_users
from storage.workflow.campaigns import UserProgress, battles_still_needed, human_votes, user_progress
from storage.workflow.gold import GoldScore, gold_scores

__all__ = [
    "CSV_COLUMNS",
    "AnnotatorStats",
    "Progress",
    "annotator_stats",
    "day_start",
    "person_progress",
    "stats_csv",
]


@dataclass(frozen=True)
class Progress:
    today: int
    in_campaign: int  # with a campaign: its votes since it started; without one: every vote
    remaining: int | None  # None: not computed (see person_progress)
    campaign: Campaign | None  # the campaign in force for the person (theirs or everybody's)
    override: bool = False  # the campaign is the person's own


def day_start(now: datetime) -> datetime:
    """The start of ``now``'s calendar day in the server's local time zone."""
    return now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


def _progress(session: Session, user: UserInfo, *, k: int, now: datetime, remaining: bool = True) -> Progress:
    qualified = list(user.qualifications) or None
    today = human_votes(session=session, username=user.username, since=day_start(now))
    found = campaign_in_force(session=session, username=user.username)
    if found is None:
        done = human_votes(session=session, username=user.username)
        left = (
            battles_still_needed(session=session, username=user.username, k=k, now=now, dimensions=qualified)
            if remaining
            else None
        )
        return Progress(today, done, left, None)
    dims = found.campaign.dimensions_for(qualified)
    done = human_votes(
        session=session,
        username=user.username,
        since=found.campaign.started_at,
        release_id=found.release_id,
        dimensions=dims,
    )
    left = (
        battles_still_needed(
            session=session,
            username=user.username,
            k=k,
            now=now,
            release_id=found.release_id,
            dimensions=dims,
        )
        if remaining
        else None
    )
    return Progress(today, done, left, found.campaign, found.override)


def person_progress(
    engine: Engine, *, username: str, now: datetime | None = None, remaining: bool = True
) -> Progress:
    """The progress the vote page shows ``username``. ``remaining=False`` leaves out what the
    campaign still needs (``remaining`` is then None): the counts are indexed lookups, while
    ``remaining`` scans the slice's battles, so the page refreshes it at a slower pace."""
    k = load_queue_config(engine).overlap_k
    with read_session(engine) as session:
        user = get_user(session=session, username=username)
        if user is None:
            raise LookupError(f"person_progress: no user {username!r}")
        return _progress(session, user, k=k, now=now or utcnow(), remaining=remaining)


@dataclass(frozen=True)
class AnnotatorStats:
    user: UserInfo
    progress: Progress
    overall: UserProgress  # every vote, the last one, open items
    gold: GoldScore


def annotator_stats(engine: Engine, *, now: datetime | None = None) -> list[AnnotatorStats]:
    """Every account's progress, in account order."""
    moment = now or utcnow()
    k = load_queue_config(engine).overlap_k
    with read_session(engine) as session:
        overall = user_progress(session=session, now=moment)
        gold = gold_scores(session=session)
        return [
            AnnotatorStats(
                u,
                _progress(session, u, k=k, now=moment),
                overall.get(u.username, UserProgress(0, None, 0)),
                gold.get(u.username, GoldScore(0, 0)),
            )
            for u in list_users(session=session)
        ]


CSV_COLUMNS = (
    "username",
    "name",
    "roles",
    "active",
    "qualifications",
    "campaign_release",
    "campaign_dimensions",
    "campaign_own",
    "campaign_started_at",
    "done_today",
    "done_in_campaign",
    "remaining",
    "votes_total",
    "open_items",
    "last_vote_at",
    "gold_correct",
    "gold_total",
    "gold_accuracy",
)


def _row(s: AnnotatorStats) -> list[object]:
    c = s.progress.campaign
    accuracy = s.gold.accuracy
    return [
        s.user.username,
        s.user.name,
        ";".join(s.user.roles),
        s.user.active,
        ";".join(s.user.qualifications),
        "" if c is None else c.release,
        "" if c is None else ";".join(f"{d}={w:g}" for d, w in c.weights.items()),
        s.progress.override,
        "" if c is None or c.started_at is None else c.started_at.isoformat(),
        s.progress.today,
        s.progress.in_campaign,
        s.progress.remaining,
        s.overall.votes,
        s.overall.open_assignments,
        "" if s.overall.last_vote_at is None else s.overall.last_vote_at.isoformat(),
        s.gold.correct,
        s.gold.total,
        "" if accuracy is None else round(accuracy, 4),
    ]


def stats_csv(rows: Sequence[AnnotatorStats]) -> str:
    """The annotator statistics as CSV (UTF-8 with a byte-order mark, so spreadsheets read the
    Chinese names). Every text cell goes through the project's formula guard
    (``judging.csv_cells.neutralise_cell``): a name such as ``=HYPERLINK(...)`` is not run."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in rows:
        writer.writerow([neutralise_cell(v) if isinstance(v, str) else v for v in _row(s)])
    return "\ufeff" + out.getvalue()
