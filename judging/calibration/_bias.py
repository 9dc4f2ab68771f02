"""Rater biases: position (first-shown win rate), swap consistency, length and self-preference.

- *first-shown win rate*: among decisive verdicts whose shown order is known, the share won by the
  answer shown first (0.5 means no position bias);
- *swap consistency*: among battles the rater saw in both shown orders, the share where every
  verdict has the same preference class (A / B / tie, with both_unsafe a tie);
- *longer-answer win rate*: among decisive verdicts on answers of different length, the share won
  by the longer answer (needs the answer lengths, keyed by ``(question_id, model)``);
- *self-preference*: the judge's mean score for its own model (win 1, tie 0.5) in the battles it
  plays, and the excess over the humans' score for that model on the same battles.

The same position and length figures are computed for the human votes, all together
(``human_bias``) and per annotator (``annotator_bias``: an annotator who always picks the left
answer stands out with a first-shown win rate near 1 whose interval excludes 0.5). Intervals
resample battles (a vote without a question is its own battle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from judging.calibration._battles import (
    BattleKey,
    battle_key,
    group_by_battle,
    oriented_verdict,
    preference,
    votes_of,
)
from judging.calibration._estimate import Bootstrap, Estimate, FloatArray, estimate_from_sums, ratio
from judging.interchange import ArenaVote
from judging.types import Source, Verdict

__all__ = ["AnswerLengths", "RaterBias", "SelfPreference", "annotator_bias", "human_bias", "judge_bias"]

AnswerLengths = Mapping[tuple[str, str], float]  # (question_id, model) -> answer length

# columns of the per-battle sums
_ORDERED, _FIRST_WINS, _UNEQUAL, _LONGER_WINS, _BOTH_ORDERS, _CONSISTENT = 0, 1, 2, 3, 4, 5
_OWN, _OWN_SCORE = 6, 7  # the judge's verdicts on battles with its own model
_M_JUDGE, _M_JUDGE_SCORE, _M_HUMAN, _M_HUMAN_SCORE = 8, 9, 10, 11  # battles with human votes too
_WIDTH = 12


@dataclass(frozen=True, slots=True)
class SelfPreference:
    """How a judge scores its own model, against the humans on the same battles."""

    model: str
    n_verdicts: int  # the judge's verdicts on battles with its own model
    judge_score: Estimate | None
    n_matched_battles: int  # those battles that also have human votes
    judge_score_matched: Estimate | None
    human_score_matched: Estimate | None
    excess: Estimate | None  # judge_score_matched - human_score_matched


@dataclass(frozen=True, slots=True)
class RaterBias:
    """Position, length and (for judges) swap and self-preference figures of one rater."""

    rater: str  # the judge's name, or "human" for all human votes
    source: Source
    n_verdicts: int
    first_shown_win_rate: Estimate | None
    longer_answer_win_rate: Estimate | None
    swap_consistency: Estimate | None  # None for humans and when no battle has both orders
    self_preference: SelfPreference | None

    @property
    def position_biased(self) -> bool:
        """The first-shown win rate's interval excludes 0.5: the rater favours one shown side."""
        rate = self.first_shown_win_rate
        return rate is not None and not rate.contains(0.5)


def _won_by(vote: ArenaVote) -> str | None:
    if vote.verdict is Verdict.A:
        return vote.model_a
    if vote.verdict is Verdict.B:
        return vote.model_b
    return None


def _own_score(vote: ArenaVote, model: str) -> float:
    winner = _won_by(vote)
    if winner is None:
        return 0.5
    return 1.0 if winner == model else 0.0


def _position_and_length(row: FloatArray, vote: ArenaVote, lengths: AnswerLengths | None) -> None:
    winner = _won_by(vote)
    if winner is None:
        return
    first = vote.first_model
    if first is not None:
        row[_ORDERED] += 1
        row[_FIRST_WINS] += winner == first
    if lengths is not None and vote.question_id is not None:
        length_a = lengths.get((vote.question_id, vote.model_a))
        length_b = lengths.get((vote.question_id, vote.model_b))
        if length_a is not None and length_b is not None and length_a != length_b:
            longer = vote.model_a if length_a > length_b else vote.model_b
            row[_UNEQUAL] += 1
            row[_LONGER_WINS] += winner == longer


def _swap(row: FloatArray, votes: Sequence[ArenaVote]) -> None:
    orders = {v.first_model for v in votes if v.shown_first is not None}
    if len(orders) < 2:
        return
    row[_BOTH_ORDERS] = 1
    row[_CONSISTENT] = len({preference(oriented_verdict(v)) for v in votes}) == 1


def _rows(
    votes: Sequence[ArenaVote],
    lengths: AnswerLengths | None,
    own_model: str | None,
    humans: Mapping[BattleKey, list[ArenaVote]],
) -> FloatArray:
    groups: list[list[ArenaVote]] = [*group_by_battle(votes).values()]
    groups += [[v] for v in votes if battle_key(v) is None]
    rows = np.zeros((len(groups), _WIDTH))
    for row, group in zip(rows, groups, strict=True):
        for vote in group:
            _position_and_length(row, vote, lengths)
        _swap(row, group)
        if own_model is None or own_model not in (group[0].model_a, group[0].model_b):
            continue
        row[_OWN] = len(group)
        row[_OWN_SCORE] = sum(_own_score(v, own_model) for v in group)
        key = battle_key(group[0])
        matched = None if key is None else humans.get(key)
        if matched:
            row[_M_JUDGE], row[_M_JUDGE_SCORE] = row[_OWN], row[_OWN_SCORE]
            row[_M_HUMAN] = len(matched)
            row[_M_HUMAN_SCORE] = sum(_own_score(v, own_model) for v in matched)
    return rows


def _excess(s: FloatArray) -> FloatArray:
    return np.asarray(s[..., _M_JUDGE_SCORE] / s[..., _M_JUDGE] - s[..., _M_HUMAN_SCORE] / s[..., _M_HUMAN])


def _rater_bias(
    rater: str,
    source: Source,
    votes: Sequence[ArenaVote],
    boot: Bootstrap,
    lengths: AnswerLengths | None,
    own_model: str | None,
    humans: Mapping[BattleKey, list[ArenaVote]],
) -> RaterBias:
    rows = _rows(votes, lengths, own_model, humans)
    total = rows.sum(axis=0).astype(int) if len(rows) else np.zeros(_WIDTH, dtype=int)
    self_preference = None
    if own_model is not None:
        self_preference = SelfPreference(
            model=own_model,
            n_verdicts=int(total[_OWN]),
            judge_score=estimate_from_sums(rows, ratio(_OWN_SCORE, _OWN), int(total[_OWN]), boot),
            n_matched_battles=int(np.count_nonzero(rows[:, _M_HUMAN])) if len(rows) else 0,
            judge_score_matched=estimate_from_sums(
                rows, ratio(_M_JUDGE_SCORE, _M_JUDGE), int(total[_M_JUDGE]), boot
            ),
            human_score_matched=estimate_from_sums(
                rows, ratio(_M_HUMAN_SCORE, _M_HUMAN), int(total[_M_HUMAN]), boot
            ),
            excess=estimate_from_sums(rows, _excess, int(total[_M_JUDGE]), boot),
        )
    return RaterBias(
        rater=rater,
        source=source,
        n_verdicts=len(votes),
        first_shown_win_rate=estimate_from_sums(
            rows, ratio(_FIRST_WINS, _ORDERED), int(total[_ORDERED]), boot
        ),
        longer_answer_win_rate=estimate_from_sums(
            rows, ratio(_LONGER_WINS, _UNEQUAL), int(total[_UNEQUAL]), boot
        ),
        swap_consistency=(
            None
            if source is not Source.JUDGE
            else estimate_from_sums(rows, ratio(_CONSISTENT, _BOTH_ORDERS), int(total[_BOTH_ORDERS]), boot)
        ),
        self_preference=self_preference,
    )


def judge_bias(
    votes: Sequence[ArenaVote],
    judge: str,
    *,
    boot: Bootstrap,
    lengths: AnswerLengths | None = None,
    own_model: str | None = None,
) -> RaterBias:
    """Biases of one judge; ``own_model`` (the judge's own model, if rated) adds self-preference."""
    humans: Mapping[BattleKey, list[ArenaVote]] = {}
    if own_model is not None:
        humans = group_by_battle(votes_of(votes, Source.HUMAN))
    return _rater_bias(
        judge, Source.JUDGE, votes_of(votes, Source.JUDGE, judge), boot, lengths, own_model, humans
    )


def human_bias(
    votes: Sequence[ArenaVote], *, boot: Bootstrap, lengths: AnswerLengths | None = None
) -> RaterBias:
    """Position and length figures of all human votes together."""
    return _rater_bias("human", Source.HUMAN, votes_of(votes, Source.HUMAN), boot, lengths, None, {})


def annotator_bias(
    votes: Sequence[ArenaVote], *, boot: Bootstrap, lengths: AnswerLengths | None = None
) -> tuple[RaterBias, ...]:
    """Position and length figures of each annotator (human votes with a rater), sorted by name."""
    raters = sorted({v.rater for v in votes_of(votes, Source.HUMAN) if v.rater is not None})
    return tuple(
        _rater_bias(rater, Source.HUMAN, votes_of(votes, Source.HUMAN, rater), boot, lengths, None, {})
        for rater in raters
    )
