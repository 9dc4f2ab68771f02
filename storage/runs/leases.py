"""Work leases: several processes share the items of a run, each item asked for once.

A *scope* names a pool of work (collect: ``collect:<release id>``; the judge picks its own,
e.g. ``judge:<judge>:<prompt version>:<release id>``); an *item* is one unit of paid work in it
(collect: ``<question id>:<model key>``), at most 200 characters. A *holder* is one worker
(``pipeline.runs.common.RunLog.holder``: ``host:pid:random``). Every function takes the caller's
session and never commits: call them inside ``storage.db.session.write_session`` (on SQLite that
transaction begins IMMEDIATE, which serialises claims; on PostgreSQL ``claim`` takes rows with
``FOR UPDATE SKIP LOCKED`` and inserts new ones with ``ON CONFLICT DO NOTHING``, so concurrent
claimers never wait on each other's leased rows and never both get one item).

An item's lease row is in one of three states:

- *leased*: ``done_at`` NULL and ``expires_at`` in the future: the holder works on it. Nobody
  else gets it until it expires (a crashed holder stops renewing).
- *free*: no row, ``done_at`` NULL and expired, or released (``release``).
- *done*: ``done_at`` set by the holder, in run ``run_id``: its result is stored, or the run gave
  up on it (a failure recorded for that run). Workers of the same run never take it again.

API (``now`` defaults to the current UTC time; workers' clocks should agree within a few
seconds, as NTP keeps them):

- ``claim(session, *, scope, items, holder, ttl_s, run_id) -> list[str]``: lease to ``holder``
  the given items that are free, already its own, or done by a *different* run (a new run retries
  what an earlier run gave up on: the caller lists only items it believes still missing, and
  must re-check its data for the ones another run stored meanwhile). Never an item leased by a
  live other holder nor one done in this run. Returns the items now leased to ``holder``, in the
  order given.
- ``complete(session, *, scope, items, holder) -> int``: mark the holder's leases done (in the
  transaction that stores their results, so "done" and the data commit together); an item whose
  lease expired and was taken over is not the caller's any more and is not counted.
- ``renew(session, *, holder, ttl_s, scope=None) -> int``: push the expiry of the holder's
  unfinished leases ``ttl_s`` ahead (the run's heartbeat does this every ``ttl_s / 3``); rows
  locked by another transaction right now are skipped, so it never waits.

Lock order (PostgreSQL): a transaction that stores results takes lease rows first and the run
row last (``complete`` then the run's counters); never hold the run row while waiting for lease
rows (renew in its own transaction, give leases back before touching the run row).
- ``release(session, *, holder, scope=None) -> int``: give back the holder's unfinished leases
  (free at once, for another worker) on a clean or interrupted exit.
- ``unfinished(session, *, scope, items, run_id) -> list[str]``: which of the items are not yet
  done in this run (free, leased by anyone, or done by another run).
- ``live_holders(session, *, scope, now=None) -> list[str]``: holders with an unexpired,
  unfinished lease in the scope.
- ``others_working(session, *, run_id, holder) -> bool``: another holder has a live lease in
  the run.
- Run liveness: ``heartbeat(session, *, run_id)`` stamps ``run.heartbeat_at``;
  ``stale_runs(session, *, default_ttl_s)`` lists ``running`` runs whose last sign of life
  (heartbeat, else start) is older than their lease time (``params["lease_ttl_s"]``, else
  ``default_ttl_s``); ``fail_stale_runs`` marks them ``failed`` with a message saying to start
  them again (only the missing items are asked then).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from judging.runs import RunStatus
from storage.db.models import Run, WorkLease, utcnow
from storage.runs.bookkeeping import finish_run

__all__ = [
    "DEFAULT_LEASE_TTL_S",
    "ITEM_MAX_LENGTH",
    "claim",
    "complete",
    "fail_stale_runs",
    "heartbeat",
    "live_holders",
    "others_working",
    "release",
    "renew",
    "stale_runs",
    "unfinished",
]

DEFAULT_LEASE_TTL_S = 60.0
ITEM_MAX_LENGTH = 200
_CHUNK = 500  # items per statement: well under SQLite's bound-parameter limit
_RELEASED = datetime(1970, 1, 1, tzinfo=UTC)  # an expiry every clock sees as past

_lease = WorkLease.__table__  # type: ignore[attr-defined]
_run = Run.__table__  # type: ignore[attr-defined]


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])


def _check(scope: str, items: Sequence[str], ttl_s: float | None = None) -> list[str]:
    """The distinct items, in order; a bad scope, item or ttl raises ValueError naming it."""
    if not scope or len(scope) > ITEM_MAX_LENGTH:
        raise ValueError(f"leases: scope must be 1..{ITEM_MAX_LENGTH} characters, got {scope!r}")
    if ttl_s is not None and not ttl_s > 0:
        raise ValueError(f"leases: ttl_s must be positive, got {ttl_s!r}")
    if isinstance(items, str):
        raise ValueError(f"leases: items must be a sequence of strings, got the string {items!r}")
    unique = list(dict.fromkeys(items))
    bad = [i for i in unique if not isinstance(i, str) or not i or len(i) > ITEM_MAX_LENGTH]
    if bad:
        raise ValueError(f"leases: items must be 1..{ITEM_MAX_LENGTH} characters; bad: {bad[:3]!r}")
    return unique


def claim(
    session: Session,
    *,
    scope: str,
    items: Sequence[str],
    holder: str,
    ttl_s: float,
    run_id: int,
    now: datetime | None = None,
) -> list[str]:
    """Lease the claimable ones among ``items`` to ``holder`` (see the module docstring)."""
    wanted = _check(scope, items, ttl_s)
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_s)
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = postgresql_insert if postgres else sqlite_insert
    got: set[str] = set()
    for chunk in _chunks(sorted(wanted)):  # one lock order for every claimer: no deadlock on insert
        rows = [
            {
                "scope": scope,
                "item": i,
                "run_id": run_id,
                "holder": holder,
                "leased_at": now,
                "expires_at": expires,
            }
            for i in chunk
        ]
        new = insert(_lease).on_conflict_do_nothing(index_elements=["scope", "item"]).returning(_lease.c.item)
        inserted = {str(i) for i in session.execute(new, rows).scalars()}
        got |= inserted
        rest = [i for i in chunk if i not in inserted]
        if not rest:
            continue
        free = or_(
            and_(_lease.c.done_at.is_(None), or_(_lease.c.expires_at <= now, _lease.c.holder == holder)),
            and_(_lease.c.done_at.is_not(None), or_(_lease.c.run_id.is_(None), _lease.c.run_id != run_id)),
        )
        # SKIP LOCKED: a row another claimer is taking right now is simply not ours (PostgreSQL;
        # the SQLite compiler leaves the clause out, BEGIN IMMEDIATE already serialises us).
        takeable = (
            select(_lease.c.id)
            .where(_lease.c.scope == scope, _lease.c.item.in_(rest), free)
            .with_for_update(skip_locked=True)
        )
        taken = (
            update(_lease)
            .where(_lease.c.id.in_(takeable.scalar_subquery()))
            .values(run_id=run_id, holder=holder, leased_at=now, expires_at=expires, done_at=None)
            .returning(_lease.c.item)
        )
        got |= {str(i) for i in session.execute(taken).scalars()}
    return [i for i in wanted if i in got]


def complete(
    session: Session, *, scope: str, items: Sequence[str], holder: str, now: datetime | None = None
) -> int:
    """Mark ``holder``'s unfinished leases on ``items`` done; how many were its own."""
    done = 0
    for chunk in _chunks(_check(scope, items)):
        result = session.execute(
            update(_lease)
            .where(
                _lease.c.scope == scope,
                _lease.c.item.in_(chunk),
                _lease.c.holder == holder,
                _lease.c.done_at.is_(None),
            )
            .values(done_at=now or utcnow())
        )
        done += int(result.rowcount)  # type: ignore[attr-defined]
    return done


def _holder_rows(holder: str, scope: str | None) -> list[Any]:
    where = [_lease.c.holder == holder, _lease.c.done_at.is_(None)]
    if scope is not None:
        where.append(_lease.c.scope == scope)
    return where


def renew(
    session: Session, *, holder: str, ttl_s: float, scope: str | None = None, now: datetime | None = None
) -> int:
    """Extend ``holder``'s unfinished leases (in ``scope``, or all) to ``now + ttl_s``."""
    if not ttl_s > 0:
        raise ValueError(f"renew: ttl_s must be positive, got {ttl_s!r}")
    expires = (now or utcnow()) + timedelta(seconds=ttl_s)
    # SKIP LOCKED: a lease the holder's writer is completing right now is left alone, so a renewal
    # never waits on (nor deadlocks with) the transaction that stores results (PostgreSQL)
    mine = select(_lease.c.id).where(*_holder_rows(holder, scope)).with_for_update(skip_locked=True)
    result = session.execute(
        update(_lease).where(_lease.c.id.in_(mine.scalar_subquery())).values(expires_at=expires)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, *, holder: str, scope: str | None = None) -> int:
    """Give back ``holder``'s unfinished leases (in ``scope``, or all): free for anyone at once."""
    result = session.execute(update(_lease).where(*_holder_rows(holder, scope)).values(expires_at=_RELEASED))
    return int(result.rowcount)  # type: ignore[attr-defined]


def unfinished(session: Session, *, scope: str, items: Sequence[str], run_id: int) -> list[str]:
    """The items not yet done in run ``run_id`` (no row, free, leased, or done by another run)."""
    wanted = _check(scope, items)
    done: set[str] = set()
    for chunk in _chunks(wanted):
        done |= {
            str(i)
            for i in session.execute(
                select(_lease.c.item).where(
                    _lease.c.scope == scope,
                    _lease.c.item.in_(chunk),
                    _lease.c.done_at.is_not(None),
                    _lease.c.run_id == run_id,
                )
            ).scalars()
        }
    return [i for i in wanted if i not in done]


def live_holders(session: Session, *, scope: str, now: datetime | None = None) -> list[str]:
    """Holders with an unexpired, unfinished lease in ``scope``."""
    rows = session.execute(
        select(_lease.c.holder)
        .where(_lease.c.scope == scope, _lease.c.done_at.is_(None), _lease.c.expires_at > (now or utcnow()))
        .distinct()
    ).scalars()
    return sorted(str(h) for h in rows)


def others_working(session: Session, *, run_id: int, holder: str, now: datetime | None = None) -> bool:
    """Whether a holder other than ``holder`` has a live, unfinished lease in run ``run_id``."""
    row = session.execute(
        select(_lease.c.id)
        .where(
            _lease.c.run_id == run_id,
            _lease.c.holder != holder,
            _lease.c.done_at.is_(None),
            _lease.c.expires_at > (now or utcnow()),
        )
        .limit(1)
    ).first()
    return row is not None


def heartbeat(session: Session, *, run_id: int, now: datetime | None = None) -> None:
    """Stamp the run's last sign of life (a ``running`` run only; an ended run stays ended)."""
    session.execute(
        update(_run)
        .where(_run.c.id == run_id, _run.c.status == RunStatus.RUNNING.value)
        .values(heartbeat_at=now or utcnow())
    )


def _ttl_of(params_json: str, default_ttl_s: float) -> float:
    try:
        value = json.loads(params_json or "{}").get("lease_ttl_s")
    except (ValueError, AttributeError):
        return default_ttl_s
    return float(value) if isinstance(value, int | float) and value > 0 else default_ttl_s


def stale_runs(
    session: Session, *, default_ttl_s: float = DEFAULT_LEASE_TTL_S, now: datetime | None = None
) -> list[tuple[int, datetime]]:
    """(id, last sign of life) of ``running`` runs nobody has shown a sign of life for within
    their lease time: the processes working on them are gone."""
    now = now or utcnow()
    rows = session.execute(
        select(_run.c.id, _run.c.params_json, _run.c.heartbeat_at, _run.c.started_at).where(
            _run.c.status == RunStatus.RUNNING.value
        )
    ).all()
    stale = []
    for run_id, params_json, beat, started in rows:
        last = beat or started
        if last + timedelta(seconds=_ttl_of(params_json, default_ttl_s)) < now:
            stale.append((int(run_id), last))
    return stale


def fail_stale_runs(
    session: Session, *, default_ttl_s: float = DEFAULT_LEASE_TTL_S, now: datetime | None = None
) -> list[int]:
    """End every stale run ``failed`` (see ``stale_runs``); their ids."""
    ended = []
    for run_id, last in stale_runs(session, default_ttl_s=default_ttl_s, now=now):
        finish_run(
            session=session,
            run_id=run_id,
            status=RunStatus.FAILED,
            message=(
                f"no sign of life since {last.isoformat(timespec='seconds')}: the process working on it"
                " stopped (killed or lost); start the same run again to resume, only what is missing is asked"
            ),
        )
        ended.append(run_id)
    return ended
