"""Bradley–Terry at arena scale: point fit and bootstrap against the peers, like for like.

1,000,000 synthetic votes over 57 models (true strengths ~ N(1000, 150) Elo, 10% ties). Ours is
``judging.ratings.BradleyTerry`` (Newton on aggregated pair counts, batched bootstrap). Peers:
``choix`` (ILSR on the same count matrix), LMArena's ``arena-rank`` (JAX L-BFGS on aggregated
rows, its own bootstrap over a process pool) and the row-level logistic regression Chatbot Arena
published in 2024 (``fschat``'s ``compute_elo_mle_with_tie`` from PyPI: one row per vote, a tie
as one win each way; our sparse copy of it, labelled, when fschat is not installed).

Headline: whole processes on the same CSV and the same bootstrap rounds, ``cli.py ratings FILE
--method bt --bootstrap R`` against an arena-rank script as its users run it (pandas read,
``PairDataset``, fit, ``compute_ratings_and_cis(ci_method="bootstrap")``). (The 1,000-round
``cli.py ratings`` process against the previous implementation is ``bench/votes_file.py``'s
headline.) Components beside it, labelled, in-process: every peer bootstrap runs for real, for the
rounds shown (``--choix-rounds``, ``--arena-rounds``, ``--lr-rounds``), against ours at the same
rounds; nothing is extrapolated, and wall time is wall time (arena-rank's pool uses every CPU of
this machine, as it would for its users). Times are medians over ``--repeats`` runs (peer
bootstraps run once). Ends with the summary table: measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/ratings.py [--quick] [--votes 1000000] [--rounds 1000]
Peers: .venv/bin/pip install --no-deps -r requirements-bench.txt
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.ratings import ELO_SCALE, BradleyTerry, PairCounts

ROOT = Path(__file__).resolve().parent.parent
N_MODELS = 57
TIE_RATE = 0.10


class Row(NamedTuple):
    measure: str
    ours: str
    peer: str
    ratio: str
    target: str


def print_summary(rows: Sequence[Row]) -> None:
    """The closing table shared by the rating benchmarks."""
    header = Row("measure", "ours", "peer", "ratio", "target")
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(5)]
    print()
    for r in [header, *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def synthetic_votes(n_votes: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_elo = rng.normal(1000.0, 150.0, N_MODELS)
    names = np.array([f"model-{k:02d}" for k in range(N_MODELS)])
    a = rng.integers(0, N_MODELS, n_votes)
    b = rng.integers(0, N_MODELS - 1, n_votes)
    b = b + (b >= a)
    p_a = 1.0 / (1.0 + 10.0 ** ((true_elo[b] - true_elo[a]) / 400.0))
    winner = np.where(rng.random(n_votes) < p_a, "model_a", "model_b")
    winner = np.where(rng.random(n_votes) < TIE_RATE, "tie", winner)
    return pd.DataFrame({"model_a": names[a], "model_b": names[b], "winner": winner}), true_elo


_SCORE = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "both_bad": 0.5, "tie (bothbad)": 0.5}


def encode_battles(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """A battles frame -> model indices of A and B, A's score and the model names (sorted)."""
    codes, names = pd.factorize(pd.concat([df["model_a"], df["model_b"]]), sort=True)
    n = len(df)
    winner_code, winners = pd.factorize(df["winner"])
    score = np.asarray([_SCORE[w] for w in winners])[winner_code]  # an unknown winner raises KeyError
    return codes[:n], codes[n:], score, [str(m) for m in names]


def ours_counts(df: pd.DataFrame) -> PairCounts:
    """Rows -> pair counts: factorise the names, map the winners, aggregate."""
    a, b, score, names = encode_battles(df)
    return PairCounts.from_arrays(a, b, score, names)


def fastchat_elo_analysis() -> types.ModuleType | None:
    """FastChat's ``fastchat/serve/monitor/elo_analysis.py`` from the ``fschat`` package on PyPI
    (requirements-bench.txt installs it without its serving dependencies), or ``None`` when it is
    not installed. Its ``fastchat.model`` package imports torch for model serving; elo_analysis
    needs only ``fastchat.model.model_registry`` (plain Python) from it, so ``fastchat.model`` is
    entered as a bare package, its ``__init__`` not run."""
    try:
        import fastchat
    except ImportError:
        return None
    if "fastchat.model" not in sys.modules:
        package = types.ModuleType("fastchat.model")
        package.__path__ = [str(Path(fastchat.__file__).parent / "model")]
        sys.modules["fastchat.model"] = package
    from fastchat.serve.monitor import elo_analysis

    return elo_analysis


def choix_fit(wins: np.ndarray) -> np.ndarray:
    import choix

    theta = choix.ilsr_pairwise_dense(wins, tol=1e-12, max_iter=1000)
    return 1000.0 + ELO_SCALE * (theta - theta.mean())


def choix_bootstrap(counts: PairCounts, rounds: int, rng: np.random.Generator) -> np.ndarray:
    total = counts.n_votes
    p = counts.count / total
    out = np.empty((rounds, counts.n_models))
    n = counts.n_models
    for r in range(rounds):
        pairs = counts.pair_wins(count=rng.multinomial(total, p))
        wins = np.zeros((n, n))
        wins[pairs.i, pairs.j] = pairs.forward
        wins[pairs.j, pairs.i] = pairs.backward
        out[r] = choix_fit(wins)
    return out


def arena_dataset(df: pd.DataFrame):  # type: ignore[no-untyped-def]
    from arena_rank.utils.data_utils import PairDataset

    return PairDataset.from_pandas(df)


def arena_fitted(dataset):  # type: ignore[no-untyped-def]
    from arena_rank.models.bradley_terry import BradleyTerry as ArenaBT

    model = ArenaBT(len(dataset.competitors))
    model.fit(dataset)
    return model


def arena_fit(dataset) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(arena_fitted(dataset).params["ratings"]) * ELO_SCALE + 1000.0


def arena_bootstrap(model, dataset, rounds: int, seed: int):  # type: ignore[no-untyped-def]
    """arena-rank's own bootstrap as its users call it on a fitted model: ``compute_ratings_and_cis``
    with its process pool (one worker per CPU, started by the call). ``main`` sets the ``spawn``
    start method: forking after JAX has started its threads deadlocks."""
    return model.compute_ratings_and_cis(dataset, ci_method="bootstrap", num_bootstrap=rounds, seed=seed)


def arena_sandwich_seconds(dataset, repeats: int) -> float:  # type: ignore[no-untyped-def]
    model = arena_fitted(dataset)
    seconds, _ = median_time(lambda: model.compute_ratings_and_cis(dataset, ci_method="sandwich"), repeats)
    return seconds


def logistic_fit(df: pd.DataFrame, names: Sequence[str], sample: np.ndarray | None = None) -> np.ndarray:
    """Chatbot Arena's row-level MLE: one row per vote, +1 for model_a and -1 for model_b."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    index = {m: k for k, m in enumerate(names)}
    rows = df if sample is None else df.iloc[sample]
    a = rows["model_a"].map(index).to_numpy()
    b = rows["model_b"].map(index).to_numpy()
    y = (rows["winner"] == "model_a").to_numpy(dtype=float)
    tie = (rows["winner"] != "model_a") & (rows["winner"] != "model_b")
    tie = tie.to_numpy()
    # a tie is half a win each way: the tied row twice, labelled 1 and 0, weight 1/2 each
    a = np.concatenate([a, a[tie]])
    b = np.concatenate([b, b[tie]])
    y = np.concatenate([np.where(tie, 1.0, y), np.zeros(int(tie.sum()))])
    weight = np.concatenate([np.where(tie, 0.5, 1.0), np.full(int(tie.sum()), 0.5)])
    m = len(a)
    x = sparse.csr_matrix(
        (np.concatenate([np.ones(m), -np.ones(m)]), (np.tile(np.arange(m), 2), np.concatenate([a, b]))),
        shape=(m, len(names)),
    )
    lr = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-6, max_iter=1000)
    lr.fit(x, y, sample_weight=weight)
    coef = lr.coef_[0]
    return 1000.0 + ELO_SCALE * (coef - coef.mean())


def row_lr_peer() -> tuple[Callable[[pd.DataFrame], dict[str, float]], str]:
    """The row-level regression Chatbot Arena published in 2024: fschat's
    ``compute_elo_mle_with_tie`` (dense design matrix, scikit-learn defaults) when fschat is
    installed, else our sparse copy of the same model (labelled)."""
    analysis = fastchat_elo_analysis()
    if analysis is None:

        def copy(df: pd.DataFrame) -> dict[str, float]:
            names = sorted(set(df["model_a"]) | set(df["model_b"]))
            return dict(zip(names, logistic_fit(df, names).tolist(), strict=True))

        return copy, "row LR (copy; fschat not installed)"
    return (lambda df: dict(analysis.compute_elo_mle_with_tie(df))), "fschat MLE"


def centred_diff(ours: np.ndarray, models: Sequence[str], peer: dict[str, float]) -> float:
    """Max |ours - peer| after centring both on their means (peers anchor the scale elsewhere)."""
    theirs = np.array([peer[m] for m in models])
    return float(np.max(np.abs((ours - ours.mean()) - (theirs - theirs.mean()))))


def arena_process(path: Path, rounds: int, seed: int) -> None:
    """The arena-rank peer process: read the file, fit, bootstrap ``rounds`` rounds, print."""
    df = pd.read_csv(path)
    dataset = arena_dataset(df)
    result = arena_bootstrap(arena_fitted(dataset), dataset, rounds, seed)
    order = np.argsort(-np.asarray(result["ratings"]))
    for k in order.tolist():
        print(f"{result['competitors'][k]} {float(result['ratings'][k]):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and peer rounds")
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1000, help="our bootstrap rounds (headline)")
    parser.add_argument("--choix-rounds", type=int, default=None, help="choix bootstrap rounds, run for real")
    parser.add_argument(
        "--arena-rounds", type=int, default=None, help="arena-rank bootstrap rounds, run for real"
    )
    parser.add_argument(
        "--lr-rounds", type=int, default=None, help="row-level LR bootstrap rounds, run for real"
    )
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--arena-process", type=Path, help=argparse.SUPPRESS)  # the arena-rank peer process
    args = parser.parse_args()
    mp.set_start_method("spawn")
    if args.arena_process is not None:
        arena_process(args.arena_process, args.arena_rounds, args.seed)
        return
    repeats = args.repeats or (3 if args.quick else 5)
    choix_rounds = args.choix_rounds or (100 if args.quick else 1000)
    arena_rounds = args.arena_rounds or (4 if args.quick else 20)
    lr_rounds = args.lr_rounds or (2 if args.quick else 3)  # our bootstrap needs 2 rounds or more
    python = sys.executable

    print(f"{args.votes:,} votes over {N_MODELS} models, {TIE_RATE:.0%} ties")
    df, _ = synthetic_votes(args.votes, args.seed)
    bt = BradleyTerry()

    def ours_boot(fit, rounds: int):  # type: ignore[no-untyped-def]
        return bt.bootstrap(fit, np.random.default_rng(args.seed), rounds=rounds)

    # -- headline: whole processes on the same CSV, the same bootstrap rounds -------------------
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "votes.csv"
        df.to_csv(path, index=False)
        ours_cmd = [
            python,
            "cli.py",
            "ratings",
            str(path),
            "--method",
            "bt",
            "--bootstrap",
            str(arena_rounds),
        ]
        t_proc = median_time(
            lambda: subprocess.run(ours_cmd, cwd=ROOT, check=True, capture_output=True), repeats
        )[0]
        arena_cmd = [
            python,
            "bench/ratings.py",
            "--arena-process",
            str(path),
            "--arena-rounds",
            str(arena_rounds),
        ]
        t_arena_proc = median_time(
            lambda: subprocess.run(arena_cmd, cwd=ROOT, check=True, capture_output=True), 1
        )[0]
    print(
        f"process, bootstrap {arena_rounds} rounds: cli.py ratings {t_proc:.2f}s, arena-rank script {t_arena_proc:.1f}s"
    )

    # -- components, in-process ----------------------------------------------------------------
    t_rows, fit = median_time(lambda: bt.fit_counts(ours_counts(df)), repeats)
    counts = fit.counts  # type: ignore[attr-defined]
    models = list(counts.models)
    t_counts, fit = median_time(lambda: bt.fit_counts(counts), repeats)
    t_boot, boot = median_time(lambda: ours_boot(fit, args.rounds), 3)
    t_sandwich, sandwich = median_time(lambda: bt.sandwich(fit), repeats)  # type: ignore[arg-type]
    # the same pipeline once more under tracemalloc (numpy reports its buffers to it) for the peak
    tracemalloc.start()
    traced = bt.fit_counts(ours_counts(df))
    bt.bootstrap(traced, np.random.default_rng(args.seed), rounds=args.rounds)
    bt.sandwich(traced)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ours = fit.ratings  # type: ignore[attr-defined]
    width_boot = float(np.median(boot.upper - boot.lower))  # type: ignore[attr-defined]
    width_sandwich = float(np.median(sandwich.upper - sandwich.lower))  # type: ignore[attr-defined]
    print(
        f"ours: rows->fit {t_rows:.3f}s, counts->fit {t_counts * 1e3:.2f}ms, bootstrap {args.rounds} rounds {t_boot:.2f}s, "
        f"sandwich {t_sandwich * 1e3:.2f}ms; median 95% width bootstrap {width_boot:.2f} / sandwich {width_sandwich:.2f} Elo"
    )
    print(f"ours: peak traced memory {peak / 2**20:.0f} MB")

    wins = counts.wins_matrix()
    t_choix, choix_ratings = median_time(lambda: choix_fit(wins), repeats)
    diff_choix = float(np.max(np.abs(np.asarray(choix_ratings) - ours)))
    t_choix_boot = median_time(lambda: choix_bootstrap(counts, choix_rounds, np.random.default_rng(1)), 1)[0]
    t_ours_choix = median_time(lambda: ours_boot(fit, choix_rounds), repeats)[0]
    print(
        f"choix: fit {t_choix * 1e3:.2f}ms, max |diff| {diff_choix:.5f} Elo, bootstrap {choix_rounds} rounds {t_choix_boot:.1f}s"
    )

    t_arena_data, dataset = median_time(lambda: arena_dataset(df), 1)
    arena_fit(dataset)  # compile once
    t_arena_fit, arena_ratings = median_time(lambda: arena_fit(dataset), max(1, repeats // 2))
    order = [list(dataset.competitors).index(m) for m in models]  # type: ignore[attr-defined]
    diff_arena = float(np.max(np.abs(np.asarray(arena_ratings)[order] - ours)))
    fitted = arena_fitted(dataset)
    t_arena_boot = median_time(lambda: arena_bootstrap(fitted, dataset, arena_rounds, args.seed), 1)[0]
    t_ours_arena = median_time(lambda: ours_boot(fit, arena_rounds), repeats)[0]
    t_arena_sandwich = arena_sandwich_seconds(dataset, repeats)
    print(
        f"arena-rank: rows->dataset {t_arena_data:.2f}s + fit {t_arena_fit:.2f}s, max |diff| {diff_arena:.5f} Elo, "
        f"bootstrap {arena_rounds} rounds {t_arena_boot:.1f}s (its pool, started by the call), sandwich {t_arena_sandwich * 1e3:.1f}ms"
    )

    lr, lr_label = row_lr_peer()
    t_lr, lr_ratings = median_time(lambda: lr(df), 1)
    diff_lr = centred_diff(ours, models, lr_ratings)  # type: ignore[arg-type]
    rng = np.random.default_rng(2)
    t_lr_boot = median_time(
        lambda: [lr(df.iloc[rng.integers(0, len(df), len(df))]) for _ in range(lr_rounds)], 1
    )[0]
    t_ours_lr = median_time(lambda: ours_boot(fit, lr_rounds), repeats)[0]
    print(
        f"{lr_label}: fit {t_lr:.2f}s, max |diff| {diff_lr:.3f} Elo (centred), bootstrap {lr_rounds} rounds {t_lr_boot:.1f}s"
    )

    print_summary(
        [
            Row(
                f"cli.py ratings process, bootstrap {arena_rounds} (s)",
                f"{t_proc:.2f}",
                f"{t_arena_proc:.1f} arena-rank script",
                f"{t_arena_proc / t_proc:.1f}x",
                ">= 10x",
            ),
            Row(f"  component: bootstrap {args.rounds} rounds, ours (s)", f"{t_boot:.2f}", "-", "-", "-"),
            Row(
                f"  component: bootstrap {choix_rounds} rounds (s)",
                f"{t_ours_choix:.3f}",
                f"{t_choix_boot:.1f} choix",
                f"{t_choix_boot / t_ours_choix:.0f}x",
                ">= 10x",
            ),
            Row(
                f"  component: bootstrap {arena_rounds} rounds (s)",
                f"{t_ours_arena:.3f}",
                f"{t_arena_boot:.1f} arena-rank (pool start incl.)",
                f"{t_arena_boot / t_ours_arena:.0f}x",
                ">= 10x",
            ),
            Row(
                f"  component: bootstrap {lr_rounds} rounds (s)",
                f"{t_ours_lr:.3f}",
                f"{t_lr_boot:.1f} {lr_label}",
                f"{t_lr_boot / t_ours_lr:.0f}x",
                ">= 10x",
            ),
            Row(
                "  component: point fit from rows (s)",
                f"{t_rows:.3f}",
                f"{t_arena_data + t_arena_fit:.2f} arena-rank",
                f"{(t_arena_data + t_arena_fit) / t_rows:.0f}x",
                "-",
            ),
            Row(
                "  component: point fit from rows (s)",
                f"{t_rows:.3f}",
                f"{t_lr:.2f} {lr_label}",
                f"{t_lr / t_rows:.0f}x",
                "-",
            ),
            Row(
                "  component: point fit on counts (ms)",
                f"{t_counts * 1e3:.2f}",
                f"{t_choix * 1e3:.2f} choix",
                f"{t_choix / t_counts:.1f}x",
                "-",
            ),
            Row("  max |ours - choix| (Elo)", f"{diff_choix:.4f}", "-", "-", "<= 0.01"),
            Row("  max |ours - arena-rank| (Elo)", f"{diff_arena:.4f}", "-", "-", "<= 0.01"),
            Row(f"  max |ours - {lr_label}| (Elo, centred)", f"{diff_lr:.3f}", "-", "-", "-"),
            Row(
                "  component: sandwich CI (ms)",
                f"{t_sandwich * 1e3:.2f}",
                f"{t_arena_sandwich * 1e3:.1f} arena-rank",
                f"{t_arena_sandwich / t_sandwich:.0f}x",
                "-",
            ),
            Row("  peak memory, ours (MB)", f"{peak / 2**20:.0f}", "-", "-", "< 500"),
        ]
    )
    print(
        "every peer bootstrap ran the rounds shown, compared with ours at the same rounds (no extrapolation)"
    )


if __name__ == "__main__":
    main()
