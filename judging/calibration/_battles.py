"""Battles: the votes on one (question, turn, unordered model pair), in one orientation.

Votes name their models in any order; calibration compares them on a *battle key* whose sides
are the pair sorted by name (``low`` plays A, ``high`` plays B), so a verdict from either order
can be compared with any other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from judging.interchange import ArenaVote
from judging.types import Source, Verdict

__all__ = [
    "PREFERENCES",
    "BattleKey",
    "battle_key",
    "consensus",
    "group_by_battle",
    "judge_names",
    "oriented_verdict",
    "plurality",
    "preference",
    "votes_of",
]


class BattleKey(NamedTuple):
    """One battle: a question (and turn) and an unordered model pair, sorted by name."""

    question_id: str
    turn: int | None
    model_low: str
    model_high: str


def battle_key(vote: ArenaVote) -> BattleKey | None:
    """The battle a vote belongs to; ``None`` when the vote has no ``question_id``."""
    if vote.question_id is None:
        return None
    low, high = sorted((vote.model_a, vote.model_b))
    return BattleKey(vote.question_id, vote.turn, low, high)


def oriented_verdict(vote: ArenaVote) -> Verdict:
    """The vote's verdict with A meaning the battle's ``model_low``."""
    verdict = vote.verdict
    return verdict if vote.model_a <= vote.model_b else verdict.swapped()


# The category convention of every agreement figure (judge vs human, human vs human, alpha,
# kappa): three preference classes, with ``both_unsafe`` a tie (neither answer is preferred).
PREFERENCES = (Verdict.A, Verdict.B, Verdict.TIE)


def preference(verdict: Verdict) -> Verdict:
    """The three preference classes (A, B, tie): ``both_unsafe`` is a tie here."""
    return Verdict.TIE if verdict is Verdict.BOTH_UNSAFE else verdict


def consensus(verdicts: Iterable[Verdict]) -> Verdict:
    """One rater's verdict on a battle judged more than once: their common verdict, else ``tie``.

    A judge that says A in one shown order and B in the other has no preference there.
    """
    distinct = set(verdicts)
    if not distinct:
        raise ValueError("consensus: no verdicts")
    return distinct.pop() if len(distinct) == 1 else Verdict.TIE


def plurality(verdicts: Iterable[Verdict]) -> Verdict | None:
    """The most frequent verdict; ``None`` when there is none or the top is shared."""
    ranked = Counter(verdicts).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def votes_of(votes: Iterable[ArenaVote], source: Source, rater: str | None = None) -> list[ArenaVote]:
    """The votes of one source (and one rater, when given)."""
    return [v for v in votes if v.source is source and (rater is None or v.rater == rater)]


def judge_names(votes: Iterable[ArenaVote]) -> tuple[str, ...]:
    """Every rater with ``source=judge``, sorted; a judge vote without a rater raises."""
    names: set[str] = set()
    for vote in votes:
        if vote.source is Source.JUDGE:
            if vote.rater is None:
                where = "" if vote.line is None else f" (line {vote.line})"
                raise ValueError(
                    f"judge_names: a judge vote between {vote.model_a!r} and {vote.model_b!r}{where} "
                    "has no rater, so its judge is unknown"
                )
            names.add(vote.rater)
    return tuple(sorted(names))


def group_by_battle(votes: Sequence[ArenaVote]) -> dict[BattleKey, list[ArenaVote]]:
    """Votes grouped by battle, in input order; votes without a battle key are left out."""
    groups: dict[BattleKey, list[ArenaVote]] = defaultdict(list)
    for vote in votes:
        key = battle_key(vote)
        if key is not None:
            groups[key].append(vote)
    return dict(groups)
