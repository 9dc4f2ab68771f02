"""The vote ledger's one rule: which rows of a vote history stand.

Votes are never updated. An undo, a correction or an expert ruling is a new row, and this module
says what every row of a history then means. It is the only place that decides it: the storage
layer applies it when a row is written (``storage/votes/ledger.py``) and every consumer — live and
replayed Elo/TrueSkill, Bradley–Terry boards, queue overlap counts, calibration, exports, reports
and the CLI — reads the statuses it assigns.

The rule, battle by battle (every supersession stays within one battle):

1. A **retraction** row (an undo) is not a verdict; the vote it names is ``RETRACTED``, provided
   the retraction comes from the same rater and later than the vote (otherwise it is void).
2. A **correction** is a vote that names an earlier vote of the same rater on the same battle in
   ``supersedes_id``; the earlier one is ``CORRECTED``.
3. An **expert ruling** (a vote with source ``expert``) is final: the newest ruling on a battle
   that has not been retracted stands, earlier rulings are ``SUPERSEDED``, and every human vote on
   the battle is ``OVERRULED`` — it no longer counts for ratings or exports, but it is still what
   that annotator said (calibration, agreement, queue overlap). LLM judge votes are not overruled:
   they are a separate source that calibration compares with people.
4. Votes on **gold** battles are ``GOLD``: quality control (gold accuracy), never ratings.
5. Everything else is ``STANDING``.

Rules 1 and 2 come first: a retracted or corrected vote keeps that status even on a ruled or gold
battle, and a retracted ruling overrules nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from judging.choices import Choice
from judging.types import Source

__all__ = ["EntryKind", "LedgerEntry", "Status", "statuses"]


class EntryKind(Choice):
    VOTE = "vote"
    RETRACTION = "retraction"


class Status(StrEnum):
    """What a row of the ledger means now."""

    STANDING = "standing"  # counts everywhere
    OVERRULED = "overruled"  # a human vote on a battle an expert ruled on: said, not rated
    RETRACTED = "retracted"  # undone by its rater
    CORRECTED = "corrected"  # replaced by a later vote of the same rater
    SUPERSEDED = "superseded"  # an expert ruling replaced by a later ruling
    GOLD = "gold"  # a vote on a gold item: gold accuracy only
    RETRACTION = "retraction"  # the row is an undo, not a verdict

    @property
    def rated(self) -> bool:
        """Counts for ratings, leaderboards, reports and exports."""
        return self is Status.STANDING

    @property
    def said(self) -> bool:
        """What the rater finally said (their own undo and corrections applied): calibration,
        annotator agreement and queue overlap read these."""
        return self in (Status.STANDING, Status.OVERRULED)


RATED: tuple[str, ...] = tuple(s.value for s in Status if s.rated)
SAID: tuple[str, ...] = tuple(s.value for s in Status if s.said)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The facts of one ledger row that the rule looks at."""

    id: int
    battle_id: int
    source: Source
    rater: str
    kind: EntryKind = EntryKind.VOTE
    supersedes_id: int | None = None


def statuses(entries: Iterable[LedgerEntry], gold_battles: Iterable[int] = ()) -> dict[int, Status]:
    """The status of every row of a history (any order; ids give the order). Pure: the same
    history always gives the same statuses, whatever else has been computed before."""
    by_battle: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        by_battle[entry.battle_id].append(entry)
    gold = set(gold_battles)
    out: dict[int, Status] = {}
    for battle_id, rows in by_battle.items():
        out.update(_battle_statuses(sorted(rows, key=lambda e: e.id), battle_id in gold))
    return out


def _battle_statuses(rows: list[LedgerEntry], gold: bool) -> Mapping[int, Status]:
    by_id = {e.id: e for e in rows}
    out: dict[int, Status] = {}
    for e in rows:
        if e.kind is EntryKind.RETRACTION:
            out[e.id] = Status.RETRACTION
            target = by_id.get(e.supersedes_id) if e.supersedes_id is not None else None
            if _same_rater_earlier(target, e) and target is not None and target.kind is EntryKind.VOTE:
                out[target.id] = Status.RETRACTED
        elif e.supersedes_id is not None:
            target = by_id.get(e.supersedes_id)
            if _same_rater_earlier(target, e) and target is not None and target.id not in out:
                out[target.id] = Status.CORRECTED
    live = [e for e in rows if e.id not in out]
    rulings = [e for e in live if e.source is Source.EXPERT]
    final = rulings[-1].id if rulings else None
    for e in live:
        if gold:
            out[e.id] = Status.GOLD
        elif e.source is Source.EXPERT:
            out[e.id] = Status.STANDING if e.id == final else Status.SUPERSEDED
        elif e.source is Source.HUMAN and final is not None:
            out[e.id] = Status.OVERRULED
        else:
            out[e.id] = Status.STANDING
    return out


def _same_rater_earlier(target: LedgerEntry | None, entry: LedgerEntry) -> bool:
    return (
        target is not None
        and target.id < entry.id
        and target.rater == entry.rater
        and target.source is entry.source
    )
