"""Which pairs to compare next: swiss, round robin, random and active (``Scheduler.propose``
over a ``History`` of what was compared)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from judging.choices import Choice
from judging.ratings import BradleyTerry, BTFit
from judging.ratings._arrays import read_only
from judging.ratings._numeric import expit
from judging.types import Comparison

__all__ = ["History", "Pair", "Scheduler", "Strategy"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class Strategy(Choice):
    SWISS = "swiss"  # nearest-rated opponent not yet met
    ROUND_ROBIN = "round_robin"  # least-compared pairs first, so every pair is covered
    RANDOM = "random"  # uniformly random pairs
    ACTIVE = "active"  # pairs that most reduce the expected number of mis-ordered pairs


@dataclass(frozen=True, slots=True)
class Pair:
    """A proposed comparison, with the side each model is shown on."""

    model_a: str
    model_b: str


@dataclass(frozen=True, eq=False)
class History:
    """How often each pair has been compared and how often each model sat on side A or B."""

    models: tuple[str, ...]
    games: IntArray  # symmetric (n, n)
    side_a: IntArray
    side_b: IntArray
    last_side: IntArray  # +1 if the model's latest game was on side A, -1 on side B, 0 before any

    @classmethod
    def empty(cls, models: Iterable[str]) -> History:
        names = tuple(dict.fromkeys(models))
        if len(names) < 2:
            raise ValueError(f"History: scheduling needs at least two models, got {names!r}")
        n = len(names)
        zeros = np.zeros(n, np.int64)
        return cls(
            names,
            read_only(np.zeros((n, n), np.int64)),
            read_only(zeros.copy()),
            read_only(zeros.copy()),
            read_only(zeros.copy()),
        )

    def add(self, comparisons: Iterable[Comparison | Pair]) -> History:
        """A new history with ``comparisons`` (or proposed pairs) counted in."""
        index = {m: k for k, m in enumerate(self.models)}
        games = self.games.copy()
        side_a = self.side_a.copy()
        side_b = self.side_b.copy()
        last_side = self.last_side.copy()
        for c in comparisons:
            try:
                a, b = index[c.model_a], index[c.model_b]
            except KeyError as error:
                raise ValueError(f"History.add: model {error.args[0]!r} is not scheduled") from None
            games[a, b] += 1
            games[b, a] += 1
            side_a[a] += 1
            side_b[b] += 1
            last_side[a] = 1
            last_side[b] = -1
        return History(
            self.models, read_only(games), read_only(side_a), read_only(side_b), read_only(last_side)
        )

    @classmethod
    def from_counts(cls, models: Sequence[str], comparisons: Iterable[Comparison]) -> History:
        """A history from aggregated comparisons (``weight`` = how many votes): games and sides
        counted, and no model has a last side (aggregated counts carry no order)."""
        names = tuple(models)
        index = {m: k for k, m in enumerate(names)}
        n = len(names)
        games = np.zeros((n, n), np.int64)
        side_a = np.zeros(n, np.int64)
        side_b = np.zeros(n, np.int64)
        for c in comparisons:
            try:
                a, b = index[c.model_a], index[c.model_b]
            except KeyError as error:
                raise ValueError(f"History.from_counts: model {error.args[0]!r} is not scheduled") from None
            times = int(c.weight)
            games[a, b] += times
            games[b, a] += times
            side_a[a] += times
            side_b[b] += times
        return cls(
            names, read_only(games), read_only(side_a), read_only(side_b), read_only(np.zeros(n, np.int64))
        )

    @property
    def total(self) -> int:
        return int(self.games.sum() // 2)


@dataclass(frozen=True)
class Scheduler:
    """Proposes the next pairs for one strategy.

    ``swiss`` needs current ``ratings`` (any scale; online Elo or Bradley–Terry); ``active`` needs
    a Bradley–Terry ``fit`` of the votes so far (refit it periodically, e.g. once per batch) and
    the ``bt`` model it came from. ``active`` first gives every model ``warmup_games`` games.

    With ``prior_sd`` (Elo), ``active`` steers by its own refit of the fit's votes under a normal
    prior of that width on the strengths (the ranking the caller reports is its own fit,
    untouched). The default, ``None``, steers by the fit as given: in bench/scheduling.py a
    200-Elo prior lowered the mis-ordered pairs at fixed budgets a little but raised the
    comparisons to a ranking that stays at tau >= 0.95 (docs/scheduling.md), so it is opt-in.
    """

    strategy: Strategy
    bt: BradleyTerry = field(default_factory=BradleyTerry)
    warmup_games: int = 4
    prior_sd: float | None = None  # Elo; None: steer by the fit as given

    @classmethod
    def named(cls, name: str, *, bt: BradleyTerry | None = None, warmup_games: int = 4) -> Scheduler:
        """The scheduler for a strategy name; an unknown name raises ``ValueError`` naming it."""
        return cls(Strategy.parse(name), bt or BradleyTerry(), warmup_games)

    def __post_init__(self) -> None:
        if self.prior_sd is not None and not (math.isfinite(self.prior_sd) and self.prior_sd > 0):
            raise ValueError(f"Scheduler: prior_sd must be positive Elo or None, got {self.prior_sd!r}")
        if self.warmup_games < 0:
            raise ValueError(f"Scheduler: warmup_games must be non-negative, got {self.warmup_games!r}")
        if not isinstance(self.strategy, Strategy):
            raise TypeError(
                f"Scheduler: strategy must be a Strategy (use Scheduler.named), got {self.strategy!r}"
            )

    def propose(
        self,
        history: History,
        n_pairs: int,
        rng: np.random.Generator,
        *,
        ratings: Mapping[str, float] | None = None,
        fit: BTFit | None = None,
    ) -> tuple[Pair, ...]:
        """The next ``n_pairs`` pairs, each model put on the side it has sat on less (see ``_oriented``)."""
        if n_pairs < 0:
            raise ValueError(f"Scheduler.propose: n_pairs must be non-negative, got {n_pairs!r}")
        if self.strategy is Strategy.SWISS:
            if ratings is None:
                raise ValueError("Scheduler.propose: strategy 'swiss' needs ratings")
            pairs = _swiss(history, _aligned(history, ratings), n_pairs, rng)
        elif self.strategy is Strategy.ROUND_ROBIN:
            pairs = _least_played(history, n_pairs, rng)
        elif self.strategy is Strategy.RANDOM:
            pairs = _random(history, n_pairs, rng)
        else:
            if fit is None:
                raise ValueError("Scheduler.propose: strategy 'active' needs a Bradley–Terry fit")
            pairs = _active(
                history, fit, self.guide(), self.warmup_games, n_pairs, rng, refit=self.prior_sd is not None
            )
        return tuple(_oriented(history, pairs, rng))

    def guide(self) -> BradleyTerry:
        """The Bradley–Terry model ``active`` steers by: ``bt`` with the prior's ridge, ``l2 =
        (scale / prior_sd)**2`` (a normal prior's precision on the log-strengths), if larger."""
        if self.prior_sd is None:
            return self.bt
        return replace(self.bt, l2=max(self.bt.l2, (self.bt.scale / self.prior_sd) ** 2))


# -- strategies (index pairs; orientation is decided afterwards) -------------------------------


def _swiss(
    history: History, rating: FloatArray, n_pairs: int, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """Top-down: each unpaired model meets the nearest-rated unpaired model it has met least."""
    games = history.games.copy()
    n = len(history.models)
    order = np.lexsort((rng.random(n), -rating))
    pairs: list[tuple[int, int]] = []
    while len(pairs) < n_pairs:
        free = np.ones(n, dtype=bool)
        for x in order:
            if len(pairs) == n_pairs:
                break
            if not free[x]:
                continue
            free[x] = False
            candidates = np.flatnonzero(free)
            if candidates.size == 0:
                break
            y = candidates[np.lexsort((np.abs(rating[candidates] - rating[x]), games[x, candidates]))[0]]
            free[y] = False
            games[x, y] += 1
            games[y, x] += 1
            pairs.append((int(x), int(y)))
    return pairs


def _least_played(
    history: History, n_pairs: int, rng: np.random.Generator, among: npt.NDArray[np.bool_] | None = None
) -> list[tuple[int, int]]:
    """Pairs with the fewest games so far (random order within a tie), cycling when needed;
    with ``among``, only pairs that involve one of those models."""
    n = len(history.models)
    i, j = np.triu_indices(n, k=1)
    if among is not None:
        keep = among[i] | among[j]
        i, j = i[keep], j[keep]
    played = history.games[i, j].astype(np.int64)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < n_pairs:
        order = np.lexsort((rng.random(len(i)), played))[: n_pairs - len(pairs)]
        pairs.extend((int(i[k]), int(j[k])) for k in order)
        played = played.copy()
        played[order] += 1
    return pairs


def _random(history: History, n_pairs: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    n = len(history.models)
    a = rng.integers(0, n, n_pairs)
    b = rng.integers(0, n - 1, n_pairs)
    b = b + (b >= a)
    return list(zip(a.tolist(), b.tolist(), strict=True))


def _active(
    history: History,
    fit: BTFit,
    bt: BradleyTerry,
    warmup: int,
    n_pairs: int,
    rng: np.random.Generator,
    *,
    refit: bool = False,
) -> list[tuple[int, int]]:
    """Greedy batch that most lowers the expected number of mis-ordered pairs.

    Kendall's tau is ``1 - 2 * discordant / pairs``, so the target is the expected number of pairs
    whose fitted order is wrong, ``sum Phi(-|d_kl| / sd_kl)`` under the fit's normal approximation.
    One more comparison of (i, j) adds Fisher information ``h = p (1 - p)`` along ``u = e_i - e_j``,
    a rank-one update of the covariance: ``Sigma' = Sigma - h Sigma u u^T Sigma / (1 + h u^T Sigma u)``.
    A contrast (k, l) then loses ``h ((Sigma u)_k - (Sigma u)_l)**2 / (1 + h u^T Sigma u)`` of its
    variance. A candidate scores the share of variance it removes from each pair it touches (those
    with i or j), weighted by the chance that pair's order is wrong. This proxy for the drop in
    expected mis-ordered pairs does not ignore near-ties the way plugging in the fitted gap does
    (their gap estimate is mostly noise), and it is cheap enough to re-score after each pick; the
    covariance is updated after each pick so a batch spreads over different uncertain pairs. (In
    bench/scheduling.py it beat the plug-in drop, a preposterior drop and a local round robin.)
    """
    needy = history.games.sum(axis=1) < max(warmup, 1)
    if needy.any():
        return _least_played(history, n_pairs, rng, among=needy)
    missing = sorted(set(history.models) - set(fit.models))
    if missing:
        raise ValueError(f"Scheduler.propose: the Bradley–Terry fit has no votes for {missing!r}; refit it")
    if refit:
        fit = bt.fit_counts(fit.counts, start=fit.theta)  # under the prior (Scheduler.guide)
    position = np.asarray([fit.index(m) for m in history.models])
    theta = fit.theta[position]
    sigma = bt.covariance(fit, robust=False)[np.ix_(position, position)]
    gap = np.abs(theta[:, None] - theta[None, :])
    cand_i, cand_j = _uncertain_pairs(gap, sigma, max(4 * n_pairs, _ACTIVE_CANDIDATES))
    p = expit(theta[cand_i] - theta[cand_j])  # judging.ratings._numeric: no scipy at import
    info = p * (1.0 - p)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < n_pairs:
        gain = _active_gain(sigma, gap, cand_i, cand_j, info)
        # take the best few pairs that share no model (and gain at least half as much as the best),
        # then update the covariance for each; the next pass re-scores everything
        used: set[int] = set()
        order = np.argsort(-(gain + 1e-12 * rng.random(len(gain))), kind="stable")
        for best in order:
            i, j = int(cand_i[best]), int(cand_j[best])
            if i in used or j in used:
                continue
            if used and gain[best] < 0.5 * gain[order[0]]:
                break
            used.update((i, j))
            pairs.append((i, j))
            u_sigma = sigma[i] - sigma[j]
            h = info[best]
            sigma = sigma - (h / (1.0 + h * (u_sigma[i] - u_sigma[j]))) * np.outer(u_sigma, u_sigma)
            if len(pairs) == n_pairs or len(used) >= 2 * _ACTIVE_PICKS_PER_PASS:
                break
    return pairs


def _active_gain(
    sigma: FloatArray, gap: FloatArray, cand_i: IntArray, cand_j: IntArray, info: FloatArray
) -> FloatArray:
    """Score of one more comparison of (i, j): over the pairs it touches (those with i or j), the
    chance each pair's fitted order is wrong times the share of that pair's variance it removes."""
    from scipy.special import ndtr  # only the active strategy pays scipy's import (~0.3 s)

    var = _difference_variance(sigma)
    wrong = ndtr(-gap / np.sqrt(var))
    np.fill_diagonal(wrong, 0.0)
    rows = np.arange(len(cand_i))
    c = sigma[cand_i] - sigma[cand_j]  # Sigma u for every candidate, (M, n)
    s = var[cand_i, cand_j]
    shrink = (info / (1.0 + info * s))[:, None]
    gain = np.zeros(len(cand_i))
    for end in (cand_i, cand_j):
        d = c[rows, end][:, None] - c  # (Sigma u)_end - (Sigma u)_k: the contrast's covariance with u
        gain += (wrong[end] * shrink * d * d / var[end]).sum(axis=1)
    # the pair (i, j) itself was counted from both ends
    d_ij = c[rows, cand_i] - c[rows, cand_j]
    return np.asarray(gain - wrong[cand_i, cand_j] * shrink[:, 0] * d_ij * d_ij / s, dtype=np.float64)


_ACTIVE_PICKS_PER_PASS = 4  # disjoint pairs taken per scoring pass (covariance updated after each)
_ACTIVE_CANDIDATES = 300  # candidate pairs scored per batch (the most uncertain ones)


def _difference_variance(sigma: FloatArray) -> FloatArray:
    diag = np.diag(sigma)
    return np.maximum(diag[:, None] + diag[None, :] - 2.0 * sigma, 1e-12)


def _uncertain_pairs(gap: FloatArray, sigma: FloatArray, limit: int) -> tuple[IntArray, IntArray]:
    """The ``limit`` pairs most likely to be mis-ordered: only they can gain much from a comparison."""
    i, j = np.triu_indices(len(gap), k=1)
    z = gap[i, j] / np.sqrt(_difference_variance(sigma)[i, j])
    keep = np.argsort(z, kind="stable")[:limit]
    return i[keep], j[keep]


def _oriented(history: History, pairs: Sequence[tuple[int, int]], rng: np.random.Generator) -> list[Pair]:
    """Put on side A the model that has sat on side A less often; on a tie, the one whose latest
    game was on side B (so sides alternate); failing that, toss a coin."""
    balance = (history.side_a - history.side_b).astype(np.int64)
    last = history.last_side.copy()
    out: list[Pair] = []
    for x, y in pairs:
        key_x, key_y = (balance[x], last[x]), (balance[y], last[y])
        if key_x < key_y or (key_x == key_y and rng.random() < 0.5):
            a, b = x, y
        else:
            a, b = y, x
        balance[a] += 1
        balance[b] -= 1
        last[a], last[b] = 1, -1
        out.append(Pair(history.models[a], history.models[b]))
    return out


def _aligned(history: History, ratings: Mapping[str, float]) -> FloatArray:
    missing = [m for m in history.models if m not in ratings]
    if missing:
        raise ValueError(f"Scheduler.propose: ratings are missing for {missing!r}")
    return np.asarray([ratings[m] for m in history.models], dtype=np.float64)
