"""The judge-corrected leaderboard from votes: PPI rows per battle (``battle_scores``), the valid
human draws, and the corrected board beside the judge-only and human-only ones.

The intervals are valid when the human-labelled battles are a *uniform random* subset of the judged
ones. Battles chosen because of their verdicts (the spot-check queue's disagreements-first draws)
are not: the judge's error on them is not its error on the rest, and the correction would be wrong
with confidence. So ``judge_corrected_leaderboard`` takes each human vote's ``Selection`` and keeps
only valid draws (the queue's uniform calibration stratum, or votes with no record of how their
battle was chosen, assumed uniform); a battle whose human votes were all chosen otherwise is an
unlabelled battle there (its judge verdicts still count).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from judging.calibration._battles import BattleKey, battle_key, judge_names, oriented_verdict
from judging.calibration._ppi import BattleScores, PPIFit, ppi_bradley_terry
from judging.interchange import ArenaVote
from judging.ratings import BradleyTerry, Leaderboard, RatingIntervals
from judging.spot_check import Selection
from judging.types import Source, outcome_from_verdict

__all__ = ["CorrectedLeaderboard", "battle_scores", "judge_corrected_leaderboard", "valid_draws"]


def _score(vote: ArenaVote) -> float:
    """The vote's score for the battle's side A (``model_low``): 1, 0.5 or 0."""
    return outcome_from_verdict(oriented_verdict(vote)).score_a


def battle_scores(
    votes: Sequence[ArenaVote], *, judges: Collection[str] | None = None
) -> tuple[BattleScores, int]:
    """Battle rows for PPI from the judges' verdicts and the human votes on the same battles.

    Every battle a selected judge judged is a row; its judge score is the mean score for A over
    those verdicts (two disagreeing orders give 0.5, as in the agreement figures). Returns the rows
    and the number of human votes left out because no selected judge judged their battle.
    """
    chosen = set(judge_names(votes) if judges is None else judges)
    # a judge verdict without a question is a battle of its own (keyed by its position)
    judge_rows: dict[BattleKey | int, list[float]] = {}
    pairs: dict[BattleKey | int, tuple[str, str]] = {}
    for position, vote in enumerate(votes):
        if vote.source is not Source.JUDGE or vote.rater not in chosen:
            continue
        key: BattleKey | int = battle_key(vote) or position
        low, high = sorted((vote.model_a, vote.model_b))
        pairs[key] = (low, high)
        judge_rows.setdefault(key, []).append(_score(vote))
    human_rows: dict[BattleKey | int, list[float]] = {}
    unmatched = 0
    for vote in votes:
        if vote.source is not Source.HUMAN:
            continue
        battle = battle_key(vote)
        if battle is None or battle not in judge_rows:
            unmatched += 1
            continue
        human_rows.setdefault(battle, []).append(_score(vote))
    models = tuple(sorted({m for pair in pairs.values() for m in pair}))
    index = {m: i for i, m in enumerate(models)}
    keys = list(judge_rows)
    human = [human_rows.get(key, []) for key in keys]
    scores = BattleScores(
        models=models,
        a=np.array([index[pairs[key][0]] for key in keys], dtype=np.int64),
        b=np.array([index[pairs[key][1]] for key in keys], dtype=np.int64),
        judge=np.array([np.mean(judge_rows[key]) for key in keys], dtype=np.float64),
        human=np.array([np.mean(h) if h else np.nan for h in human], dtype=np.float64),
        human_votes=np.array([len(h) for h in human], dtype=np.int64),
        judge_votes=np.array([len(judge_rows[key]) for key in keys], dtype=np.int64),
    )
    return scores, unmatched


@dataclass(frozen=True, eq=False)
class CorrectedLeaderboard:
    """The judge-corrected board beside the judge-only and human-only boards.

    The corrected and the human-only boards rest on the valid human draws only.
    """

    corrected: Leaderboard  # method "bt_ppi"
    judge_only: Leaderboard  # method "bt_judge"
    human_only: Leaderboard | None  # method "bt_human"; None without valid human votes
    fit: PPIFit
    judge_intervals: RatingIntervals
    human_intervals: RatingIntervals | None
    judges: tuple[str, ...]
    n_judge_votes: int
    n_battles: int
    n_human_votes: int  # valid human votes on judged battles: what the correction rests on
    n_human_battles: int  # judged battles with a valid human vote: drawn + assumed
    n_unmatched_human_votes: int  # valid human votes on battles no selected judge judged (human board only)
    n_drawn_battles: int  # of n_human_battles: with a vote from a uniform calibration draw
    n_assumed_battles: int  # of n_human_battles: only votes with no selection record
    n_excluded_human_votes: int  # human votes not drawn uniformly (targeted, overlap, active, gold)
    n_excluded_battles: int  # judged battles whose human votes were all excluded


def _valid_votes(
    votes: Sequence[ArenaVote], selections: Sequence[Selection] | None
) -> tuple[list[ArenaVote], dict[BattleKey | None, set[Selection]], int]:
    """The votes with the excluded human votes left out, the selections of the kept human votes
    per battle, and the number of excluded human votes."""
    if selections is None:
        selections = [Selection.UNRECORDED] * len(votes)
    elif len(selections) != len(votes):
        raise ValueError(
            f"judge_corrected_leaderboard: selections must give one entry per vote, "
            f"got {len(selections)} for {len(votes)} votes"
        )
    kept: list[ArenaVote] = []
    kinds: dict[BattleKey | None, set[Selection]] = {}
    excluded = 0
    for vote, selection in zip(votes, selections, strict=True):
        if vote.source is not Source.HUMAN:
            kept.append(vote)
        elif not isinstance(selection, Selection):
            raise TypeError(
                f"judge_corrected_leaderboard: a selection must be a Selection, got {selection!r}"
            )
        elif selection.valid:
            kept.append(vote)
            kinds.setdefault(battle_key(vote), set()).add(selection)
        else:
            excluded += 1
            kinds.setdefault(battle_key(vote), set())
    return kept, kinds, excluded


def valid_draws(votes: Sequence[ArenaVote], selections: Sequence[Selection] | None) -> list[ArenaVote]:
    """``votes`` without the human votes that are not valid draws (``None``: every vote kept)."""
    return _valid_votes(votes, selections)[0]


def judge_corrected_leaderboard(
    votes: Sequence[ArenaVote],
    *,
    selections: Sequence[Selection] | None = None,
    judges: Collection[str] | None = None,
    model: BradleyTerry | None = None,
    level: float = 0.95,
    power: float | None = None,
    min_votes: int = 0,
) -> CorrectedLeaderboard:
    """Judge-only, human-only and PPI-corrected Bradley–Terry boards from one list of votes.

    ``selections`` says, one entry per vote, how each human vote's battle was chosen (read only
    for human votes); human votes that are not valid draws are left out of the corrected and the
    human-only boards. ``None`` (a votes file: nothing is recorded) takes every human vote as an
    assumed draw. ``judges`` selects the judges (default: every ``source=judge`` rater, their
    verdicts pooled). The judge-only and human-only boards use ``model``'s sandwich intervals.
    """
    bt = model or BradleyTerry()
    valid, kinds, excluded = _valid_votes(votes, selections)
    chosen = judge_names(valid) if judges is None else tuple(sorted(judges))
    judge_votes = [v.comparison for v in valid if v.source is Source.JUDGE and v.rater in chosen]
    if not judge_votes:
        raise ValueError(f"judge_corrected_leaderboard: no votes of the judges {list(chosen)!r}")
    human_votes = [v.comparison for v in valid if v.source is Source.HUMAN]
    scores, unmatched = battle_scores(valid, judges=chosen)
    fit = ppi_bradley_terry(scores, model=bt, level=level, power=power)
    judge_fit = bt.fit(judge_votes)
    judge_intervals = bt.sandwich(judge_fit, level=level)
    human_intervals = None
    human_board = None
    if human_votes:
        human_fit = bt.fit(human_votes)
        human_intervals = bt.sandwich(human_fit, level=level)
        human_board = Leaderboard.from_intervals(
            "bt_human", human_intervals, human_fit.votes, min_votes=min_votes
        )
    per_model = np.bincount(scores.a, scores.judge_votes + scores.human_votes, minlength=len(scores.models))
    per_model += np.bincount(scores.b, scores.judge_votes + scores.human_votes, minlength=len(scores.models))
    corrected_votes = dict(zip(scores.models, per_model.tolist(), strict=True))
    judged = {battle_key(v) for v in valid if v.source is Source.JUDGE and v.rater in chosen}
    on_judged = [found for battle, found in kinds.items() if battle is not None and battle in judged]
    return CorrectedLeaderboard(
        corrected=Leaderboard.from_intervals("bt_ppi", fit.intervals, corrected_votes, min_votes=min_votes),
        judge_only=Leaderboard.from_intervals(
            "bt_judge", judge_intervals, judge_fit.votes, min_votes=min_votes
        ),
        human_only=human_board,
        fit=fit,
        judge_intervals=judge_intervals,
        human_intervals=human_intervals,
        judges=chosen,
        n_judge_votes=len(judge_votes),
        n_battles=int(scores.a.size),
        n_human_votes=int(scores.human_votes.sum()),
        n_human_battles=fit.n_labelled,
        n_unmatched_human_votes=unmatched,
        n_drawn_battles=sum(Selection.DRAWN in found for found in on_judged),
        n_assumed_battles=sum(found == {Selection.UNRECORDED} for found in on_judged),
        n_excluded_human_votes=excluded,
        n_excluded_battles=sum(not found for found in on_judged),
    )
