"""Online ratings at arena scale: a full replay of 1,000,000 votes.

Ours: ``TrueSkillRater.replay_arrays`` and ``EloRater.replay_arrays`` (one scalar loop over integer
columns). Peers: the ``trueskill`` package's ``rate_1vs1`` in a loop (backend None, its default),
and a straightforward pandas row loop for Elo (FastChat's ``compute_online_elo``: ``itertuples``
over the battles, a dict of ratings). Results are compared value by value; the TrueSkill package is
also run with exact special functions on a prefix, which isolates the algorithm from its erfc
approximation. Times are medians over ``--repeats`` runs (the package loop runs once).
Ends with the summary table: measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/online.py [--quick] [--votes 1000000]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trueskill

from bench.ratings import Row, median_time, print_summary
from judging.ratings import EloRater, TrueSkillRater

N_MODELS = 57
PARAMS = {"mu": 25.0, "sigma": 25 / 3, "beta": 25 / 6, "tau": 25 / 300, "draw_probability": 0.10}


def synthetic(n_votes: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_elo = rng.normal(1000.0, 150.0, N_MODELS)
    a = rng.integers(0, N_MODELS, n_votes)
    b = rng.integers(0, N_MODELS - 1, n_votes)
    b = b + (b >= a)
    p_a = 1.0 / (1.0 + 10.0 ** ((true_elo[b] - true_elo[a]) / 400.0))
    score = np.where(rng.random(n_votes) < p_a, 1.0, 0.0)
    return a, b, np.where(rng.random(n_votes) < 0.1, 0.5, score)


def exact_backend() -> tuple:  # type: ignore[type-arg]
    normal = NormalDist()
    return (
        lambda x, mu=0.0, sigma=1.0: 0.5 * math.erfc(-(x - mu) / (sigma * math.sqrt(2.0))),
        lambda x, mu=0.0, sigma=1.0: normal.pdf((x - mu) / sigma) / sigma,
        lambda q, mu=0.0, sigma=1.0: mu + sigma * normal.inv_cdf(q),
    )


def package_replay(
    a: np.ndarray, b: np.ndarray, score: np.ndarray, backend: object
) -> tuple[np.ndarray, np.ndarray]:
    """The straightforward loop over ``trueskill.rate_1vs1``."""
    env = trueskill.TrueSkill(backend=backend, **PARAMS)
    ratings = [env.create_rating() for _ in range(N_MODELS)]
    rate = trueskill.rate_1vs1
    for i, j, s in zip(a.tolist(), b.tolist(), score.tolist(), strict=True):
        if s == 0.0:
            ratings[j], ratings[i] = rate(ratings[j], ratings[i], env=env)
        else:
            ratings[i], ratings[j] = rate(ratings[i], ratings[j], drawn=s == 0.5, env=env)
    return np.array([r.mu for r in ratings]), np.array([r.sigma for r in ratings])


def fastchat_elo(
    battles: pd.DataFrame, k: float = 32.0, scale: float = 400.0, base: float = 10.0, init: float = 1500.0
) -> dict[str, float]:
    """FastChat's compute_online_elo, as published (a pandas row loop)."""
    rating: dict[str, float] = {}
    for _, model_a, model_b, winner in battles[["model_a", "model_b", "winner"]].itertuples():
        ra = rating.get(model_a, init)
        rb = rating.get(model_b, init)
        ea = 1 / (1 + base ** ((rb - ra) / scale))
        eb = 1 / (1 + base ** ((ra - rb) / scale))
        if winner == "model_a":
            sa = 1.0
        elif winner == "model_b":
            sa = 0.0
        elif winner in ("tie", "tie (bothbad)", "both_bad"):
            sa = 0.5
        else:
            raise ValueError(f"unexpected vote {winner}")
        rating[model_a] = ra + k * (sa - ea)
        rating[model_b] = rb + k * (1 - sa - eb)
    return rating


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k votes, fewer repeats")
    parser.add_argument("--votes", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--exact-prefix", type=int, default=20_000, help="votes replayed with exact special functions"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n_votes = args.votes or (100_000 if args.quick else 1_000_000)
    repeats = args.repeats or (3 if args.quick else 5)
    a, b, score = synthetic(n_votes, args.seed)
    print(f"{n_votes:,} votes over {N_MODELS} models, 10% ties")

    ts = TrueSkillRater(**PARAMS)
    t_ours_ts, ours = median_time(lambda: ts.replay_arrays(a, b, score, N_MODELS), repeats)
    t_pkg, (pkg_mu, pkg_sigma) = median_time(lambda: package_replay(a, b, score, None), 1)
    diff_default = float(max(np.abs(ours.mu - pkg_mu).max(), np.abs(ours.sigma - pkg_sigma).max()))  # type: ignore[attr-defined]
    prefix = min(args.exact_prefix, n_votes)
    exact_mu, exact_sigma = package_replay(a[:prefix], b[:prefix], score[:prefix], exact_backend())
    short = ts.replay_arrays(a[:prefix], b[:prefix], score[:prefix], N_MODELS)
    diff_exact = float(max(np.abs(short.mu - exact_mu).max(), np.abs(short.sigma - exact_sigma).max()))
    print(
        f"TrueSkill: ours {t_ours_ts:.2f}s, trueskill.rate_1vs1 loop {t_pkg:.1f}s; max |diff| {diff_default:.2e} "
        f"vs backend None, {diff_exact:.2e} vs exact special functions ({prefix:,} votes)"
    )

    names = np.array([f"model-{k:02d}" for k in range(N_MODELS)])
    battles = pd.DataFrame(
        {
            "model_a": names[a],
            "model_b": names[b],
            "winner": np.where(score == 1.0, "model_a", np.where(score == 0.0, "model_b", "tie")),
        }
    )
    elo = EloRater(k=32.0, initial=1500.0)
    t_ours_elo, ours_elo = median_time(lambda: elo.replay_arrays(a, b, score, N_MODELS), repeats)
    t_pandas, peer_elo = median_time(lambda: fastchat_elo(battles), max(1, repeats // 2))
    diff_elo = max(abs(peer_elo[names[k]] - float(ours_elo[k])) for k in range(N_MODELS))  # type: ignore[index]
    print(f"Elo: ours {t_ours_elo:.3f}s, pandas row loop {t_pandas:.2f}s, max |diff| {diff_elo:.2e}")

    print_summary(
        [
            Row(
                f"TrueSkill replay {n_votes:,} (s)",
                f"{t_ours_ts:.2f}",
                f"{t_pkg:.1f} trueskill",
                f"{t_pkg / t_ours_ts:.0f}x",
                ">= 50x",
            ),
            Row("TrueSkill max |diff|, backend None", f"{diff_default:.1e}", "-", "-", "<= 1e-6"),
            Row(f"TrueSkill max |diff|, exact fns ({prefix:,})", f"{diff_exact:.1e}", "-", "-", "<= 1e-6"),
            Row(
                f"Elo replay {n_votes:,} (s)",
                f"{t_ours_elo:.3f}",
                f"{t_pandas:.2f} pandas loop",
                f"{t_pandas / t_ours_elo:.1f}x",
                ">= 4x",
            ),
            Row("Elo max |diff|", f"{diff_elo:.1e}", "-", "-", "-"),
        ]
    )
    print(
        "backend None approximates erfc (relative error up to 1.2e-7); see the exact-functions row for the algorithm"
    )


if __name__ == "__main__":
    main()
