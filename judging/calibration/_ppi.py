"""A judge-corrected Bradley–Terry leaderboard by prediction-powered inference (PPI++).

Many battles have an LLM judge's verdict; a random few also have human votes. The judge-only fit is
precise but biased (position, length, self-preference); the human-only fit is unbiased but noisy.
PPI (Angelopoulos et al., *Science* 2023; PPI++, Angelopoulos, Duchi & Zrnic 2023) fits on the
judge's verdicts and corrects with the judge's error measured on the battles that have both:

    theta = argmin  lam * mean_U l(theta; x, f) + mean_L [ l(theta; x, y) - lam * l(theta; x, f) ]

where ``l`` is the Bradley–Terry (logistic) loss of a battle ``x = e_a - e_b`` with target score
``f`` (the judge's mean score for A) or ``y`` (the humans' mean score for A), ``U`` are the battles
without human votes and ``L`` those with. The loss is ``softplus(d) - t d`` with ``d = theta_a -
theta_b``, so the objective stays convex for ``0 <= lam <= 1``. Its sandwich covariance
``H^-1 (lam^2 Var_U(grad_f) / N + Var_L(grad_y - lam grad_f) / n) H^-1`` widens the intervals by
the uncertainty of the correction. ``lam`` is tuned to minimise that variance (PPI++), so a good
judge narrows the human-only intervals and a useless one costs (almost) nothing.

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
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
from scipy.special import expit, log_expit

from judging.calibration._battles import BattleKey, battle_key, judge_names, oriented_verdict
from judging.calibration._estimate import FloatArray
from judging.interchange import ArenaVote
from judging.ratings import BradleyTerry, IntervalMethod, Leaderboard, RatingIntervals, TieRule
from judging.spot_check import Selection
from judging.types import Source, outcome_from_verdict

__all__ = [
    "BattleScores",
    "CorrectedLeaderboard",
    "PPIFit",
    "battle_scores",
    "judge_corrected_leaderboard",
    "ppi_bradley_terry",
    "valid_draws",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BattleScores:
    """One row per battle: its two models, the judge's mean score for A and the humans' (NaN: none)."""

    models: tuple[str, ...]
    a: IntArray
    b: IntArray
    judge: FloatArray
    human: FloatArray
    human_votes: IntArray  # human votes behind ``human`` (0 where it is NaN)
    judge_votes: IntArray

    def __post_init__(self) -> None:
        n = self.a.shape
        for name in ("b", "judge", "human", "human_votes", "judge_votes"):
            if getattr(self, name).shape != n:
                raise ValueError(f"BattleScores: {name} must have the shape of a, {n}")
        if self.a.size and (
            min(self.a.min(), self.b.min()) < 0 or max(self.a.max(), self.b.max()) >= len(self.models)
        ):
            raise ValueError(f"BattleScores: model indices must lie in [0, {len(self.models)})")
        if np.any(self.a == self.b):
            raise ValueError("BattleScores: a battle compares a model with itself")
        if np.any((self.judge < 0) | (self.judge > 1) | ~np.isfinite(self.judge)):
            raise ValueError("BattleScores: judge scores must lie in [0, 1]")
        labelled = ~np.isnan(self.human)
        if np.any((self.human[labelled] < 0) | (self.human[labelled] > 1)):
            raise ValueError("BattleScores: human scores must lie in [0, 1] (or be NaN)")

    @property
    def labelled(self) -> npt.NDArray[np.bool_]:
        return ~np.isnan(self.human)


@dataclass(frozen=True, eq=False)
class PPIFit:
    """The corrected fit: Elo-scale ratings with intervals, and what the correction rested on."""

    intervals: RatingIntervals
    theta: FloatArray = field(repr=False)  # natural log-strengths, centred
    covariance: FloatArray = field(repr=False)  # of theta (natural units)
    power: float  # lam: 0 is human-only, 1 is classic PPI
    n_labelled: int  # battles with human votes
    n_unlabelled: int


def _scatter(k: int, a: IntArray, b: IntArray, g: FloatArray) -> FloatArray:
    """``sum_i g_i (e_a - e_b)``."""
    return np.asarray(np.bincount(a, g, minlength=k) - np.bincount(b, g, minlength=k), dtype=np.float64)


def _laplacian(k: int, a: IntArray, b: IntArray, w: FloatArray) -> FloatArray:
    off = np.bincount(a * k + b, w, minlength=k * k).reshape(k, k)
    off = off + off.T
    return np.diag(off.sum(axis=1)) - off


def _gradients(k: int, a: IntArray, b: IntArray, residual: FloatArray) -> FloatArray:
    """Per-battle gradients ``x_i * residual_i`` as rows ``(battles, k)``."""
    rows = np.zeros((residual.size, k))
    r = np.arange(residual.size)
    rows[r, a] = residual
    rows[r, b] = -residual
    return rows


def _cov(rows: FloatArray) -> FloatArray:
    if rows.shape[0] < 2:
        return np.zeros((rows.shape[1], rows.shape[1]))
    centred = rows - rows.mean(axis=0)
    return np.asarray(centred.T @ centred / (rows.shape[0] - 1))


class _Problem:
    """The PPI objective for one ``lam``: ``sum_i c_i softplus(d_i) - t_i d_i + ridge/2 |theta|^2``."""

    def __init__(self, s: BattleScores, lam: float, ridge: float) -> None:
        lab = s.labelled
        n, big_n = int(lab.sum()), int((~lab).sum())
        f = s.judge
        y = np.where(lab, s.human, 0.0)
        self.k, self.a, self.b, self.ridge = len(s.models), s.a, s.b, ridge
        self.c = np.where(lab, (1.0 - lam) / n, lam / big_n if big_n else 0.0)
        self.t = np.where(lab, (y - lam * f) / n, lam * f / big_n if big_n else 0.0)

    def value(self, theta: FloatArray) -> float:
        d = theta[self.a] - theta[self.b]
        softplus = -log_expit(-d)
        return float((self.c * softplus - self.t * d).sum() + 0.5 * self.ridge * (theta @ theta))

    def solve(self, max_iter: int = 100, tol: float = 1e-12) -> FloatArray:
        k = self.k
        theta = np.zeros(k)
        current = self.value(theta)
        for _ in range(max_iter):
            d = theta[self.a] - theta[self.b]
            p = expit(d)
            gradient = _scatter(k, self.a, self.b, self.c * p - self.t) + self.ridge * theta
            hessian = _laplacian(k, self.a, self.b, self.c * p * (1.0 - p)) + self.ridge * np.eye(k) + 1.0 / k
            step = -np.linalg.solve(hessian, gradient)
            scale = 1.0
            for _ in range(60):  # backtrack while the objective would rise
                candidate = theta + scale * step
                value = self.value(candidate)
                if value <= current + 1e-15 * abs(current):
                    break
                scale *= 0.5
            theta, previous, current = candidate, current, value
            if (
                abs(previous - current) <= tol * max(1.0, abs(current))
                and np.max(np.abs(scale * step)) < 1e-9
            ):
                break
        return np.asarray(theta - theta.mean())


def _pieces(
    s: BattleScores, theta: FloatArray, ridge: float = 0.0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``H^-1`` (on contrasts), judge gradients on U and L, human gradients on L.

    A model that never loses (or never wins) drives ``p (1 - p)`` to zero on its games; the
    ridge keeps ``H`` invertible and the pseudo-inverse is the last resort, so such a model gets
    a very wide interval instead of an error.
    """
    k = len(s.models)
    lab = s.labelled
    p = expit(theta[s.a] - theta[s.b])
    hessian = _laplacian(k, s.a, s.b, p * (1.0 - p)) / p.size + ridge * np.eye(k) + 1.0 / k
    try:
        h_inv = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        h_inv = np.linalg.pinv(hessian)
    grad_f = _gradients(k, s.a, s.b, p - s.judge)
    grad_y = _gradients(k, s.a[lab], s.b[lab], p[lab] - s.human[lab])
    return h_inv, grad_f[~lab], grad_f[lab], grad_y


def _tuned_power(s: BattleScores, theta: FloatArray, ridge: float = 0.0) -> float:
    """PPI++'s variance-minimising ``lam`` (clipped to [0, 1]), evaluated at ``theta``."""
    h_inv, g_f_u, g_f_l, g_y = _pieces(s, theta, ridge)
    n, big_n = g_y.shape[0], g_f_u.shape[0]
    if big_n == 0:
        return 0.0
    cross = (g_y - g_y.mean(axis=0)).T @ (g_f_l - g_f_l.mean(axis=0)) / n
    var_f = _cov(np.vstack([g_f_u, g_f_l]))
    denominator = 2.0 * (1.0 + n / big_n) * np.trace(h_inv @ var_f @ h_inv)
    if denominator <= 0:
        return 0.0
    lam = np.trace(h_inv @ (cross + cross.T) @ h_inv) / denominator
    return float(np.clip(lam, 0.0, 1.0))


def ppi_bradley_terry(
    battles: BattleScores,
    *,
    model: BradleyTerry | None = None,
    level: float = 0.95,
    power: float | None = None,
) -> PPIFit:
    """Prediction-powered Bradley–Terry ratings with normal intervals on ``model``'s Elo scale.

    ``power`` fixes ``lam`` (1 is classic PPI, 0 ignores the judge); ``None`` tunes it (PPI++).
    ``model`` gives the scale, centre or anchor and the ridge ``l2`` (applied as on summed losses).
    """
    bt = model or BradleyTerry()
    if bt.ties is not TieRule.HALF:
        raise ValueError(
            "ppi_bradley_terry: needs ties counted half (TieRule.HALF); a judge score can be 0.5"
        )
    if not 0.0 < level < 1.0:
        raise ValueError(f"ppi_bradley_terry: level must lie in (0, 1), got {level!r}")
    if power is not None and not 0.0 <= power <= 1.0:
        raise ValueError(f"ppi_bradley_terry: power must lie in [0, 1], got {power!r}")
    lab = battles.labelled
    n, big_n = int(lab.sum()), int((~lab).sum())
    if n < 2:
        raise ValueError(f"ppi_bradley_terry: needs at least 2 battles with human votes, got {n}")
    k = len(battles.models)
    ridge = bt.l2 / battles.a.size
    lam = power
    if big_n == 0:
        lam = 0.0  # every judged battle has human votes: the judge has nothing to add
    elif lam is None:
        # tune at the human-only fit: bounded even when the judge says a model never loses
        # (at lam = 1 the judge-driven fit can run off to infinity and H would be singular)
        lam = _tuned_power(battles, _Problem(battles, 0.0, ridge).solve(), ridge)
    theta = _Problem(battles, lam, ridge).solve()
    h_inv, g_f_u, g_f_l, g_y = _pieces(battles, theta, ridge)
    middle = _cov(g_y - lam * g_f_l) / n
    if big_n:
        middle = middle + lam * lam * _cov(g_f_u) / big_n
    centre = np.eye(k) - 1.0 / k
    cov = centre @ h_inv @ middle @ h_inv @ centre
    if bt.anchor is None:
        reference = theta.mean()
        var = np.diag(cov)
    else:
        j = battles.models.index(bt.anchor)
        reference = theta[j]
        var = np.diag(cov) + cov[j, j] - 2.0 * cov[:, j]
    ratings = bt.center + bt.scale * (theta - reference)
    half = NormalDist().inv_cdf(0.5 + level / 2.0) * bt.scale * np.sqrt(np.maximum(var, 0.0))
    intervals = RatingIntervals(
        models=battles.models,
        rating=_frozen(ratings),
        lower=_frozen(ratings - half),
        upper=_frozen(ratings + half),
        level=level,
        method=IntervalMethod.SANDWICH,
    )
    return PPIFit(intervals, _frozen(theta), _frozen(cov), float(lam), n, big_n)


def _frozen(array: FloatArray) -> FloatArray:
    out = np.array(array, dtype=np.float64)
    out.setflags(write=False)
    return out


# -- from votes ---------------------------------------------------------------------------------


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
