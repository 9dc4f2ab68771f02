"""The active scheduler's score, and the screen's all-pairs variant, against sums written out
pair by pair (bench/scheduling_screen.py, docs/scheduling.md)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from bench.scheduling_screen import all_pairs_gain
from judging.scheduling._strategies import _active_gain


def _case(seed: int = 3, n: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    root = rng.normal(size=(n, n))
    sigma = root @ root.T / n + 0.1 * np.eye(n)
    theta = rng.normal(size=n)
    gap = np.abs(theta[:, None] - theta[None, :])
    cand_i, cand_j = np.triu_indices(n, k=1)
    info = rng.uniform(0.1, 0.25, len(cand_i))
    return sigma, gap, cand_i.astype(np.int64), cand_j.astype(np.int64), info


def _by_hand(sigma, gap, i, j, h, *, touching_only):  # type: ignore[no-untyped-def]
    """h / (1 + h s) * sum over pairs (k, l), k < l, of P(wrong order) * (c_k - c_l)^2 / var_kl,
    c = Sigma (e_i - e_j): the share of each contrast's variance one comparison of (i, j) removes."""
    n = len(sigma)
    c = sigma[i] - sigma[j]
    s = sigma[i, i] + sigma[j, j] - 2 * sigma[i, j]
    total = 0.0
    for k in range(n):
        for m in range(k + 1, n):
            if touching_only and not {k, m} & {i, j}:
                continue
            var = sigma[k, k] + sigma[m, m] - 2 * sigma[k, m]
            total += norm.cdf(-gap[k, m] / np.sqrt(var)) * (c[k] - c[m]) ** 2 / var
    return h / (1 + h * s) * total


def test_the_shipped_score_sums_over_the_pairs_a_comparison_touches() -> None:
    sigma, gap, cand_i, cand_j, info = _case()
    got = _active_gain(sigma, gap, cand_i, cand_j, info)
    want = [
        _by_hand(sigma, gap, i, j, h, touching_only=True)
        for i, j, h in zip(cand_i, cand_j, info, strict=True)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_the_all_pairs_score_sums_over_every_pair() -> None:
    sigma, gap, cand_i, cand_j, info = _case()
    got = all_pairs_gain(sigma, gap, cand_i, cand_j, info)
    want = [
        _by_hand(sigma, gap, i, j, h, touching_only=False)
        for i, j, h in zip(cand_i, cand_j, info, strict=True)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    # with more than three models some pairs touch neither i nor j, so the two scores differ
    assert np.all(got > _active_gain(sigma, gap, cand_i, cand_j, info))
