"""Online ratings at arena scale: Elo and TrueSkill replays of 1,000,000 votes, like for like.

One generated CSV (``bench/votes_file.write_votes``: 57 models, 10% draws spelled ``tie`` and
``tie (bothbad)``, the spellings FastChat accepts) is rated by whole processes, as users run them:
- Elo: ours ``cli.py ratings FILE --method elo --json``; peer ``bench/online.py --peer elo FILE``:
  ``pandas.read_csv`` and FastChat's ``compute_elo`` (``fastchat/serve/monitor/elo_analysis.py``
  from the ``fschat`` package on PyPI; K=32, initial 1500 as ours; a copy of its loop below stands
  in, labelled, when fschat is not installed);
- TrueSkill: ours ``cli.py ratings FILE --method trueskill --json``; peer
  ``bench/online.py --peer trueskill FILE``: ``pandas.read_csv`` and the ``trueskill`` package's
  ``rate_1vs1`` in a loop (its default backend), same parameters as ours.
Components beside them (labelled), in-process and from the same parsed input, the DataFrame pandas
read from the file: ours factorises the names and winners and runs ``replay_arrays``; the peers run
their loops above on the frame. Ratings are compared value by value (TrueSkill also against the
package with exact special functions on a prefix, which isolates the algorithm from the package's
erfc approximation). Times are medians over ``--repeats`` runs (the peer processes run
``--peer-repeats`` times). Ends with the summary table: measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/online.py [--quick] [--votes 1000000]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trueskill

from bench.ratings import Row, encode_battles, fastchat_elo_analysis, median_time, print_summary
from bench.votes_file import MINIMAL, process_seconds, write_votes
from judging.ratings import EloRater, TrueSkillRater

PARAMS = {"mu": 25.0, "sigma": 25 / 3, "beta": 25 / 6, "tau": 25 / 300, "draw_probability": 0.10}
K, INITIAL = 32.0, 1500.0


def fastchat_elo_copy(
    battles: pd.DataFrame,
    K: float = 32.0,
    SCALE: float = 400.0,
    BASE: float = 10.0,
    INIT_RATING: float = 1500.0,
) -> dict[str, float]:
    """FastChat's compute_elo as published (fschat 0.2.36), for when fschat is not installed."""
    rating: dict[str, float] = {}
    for _, model_a, model_b, winner in battles[["model_a", "model_b", "winner"]].itertuples():
        ra = rating.get(model_a, INIT_RATING)
        rb = rating.get(model_b, INIT_RATING)
        ea = 1 / (1 + BASE ** ((rb - ra) / SCALE))
        eb = 1 / (1 + BASE ** ((ra - rb) / SCALE))
        if winner == "model_a":
            sa = 1.0
        elif winner == "model_b":
            sa = 0.0
        elif winner in ("tie", "tie (bothbad)"):
            sa = 0.5
        else:
            raise ValueError(f"unexpected vote {winner}")
        rating[model_a] = ra + K * (sa - ea)
        rating[model_b] = rb + K * (1 - sa - eb)
    return rating


def peer_elo() -> tuple[Callable[[pd.DataFrame], dict[str, float]], str]:
    """FastChat's compute_elo from PyPI (K=32, initial 1500), or the copy, and its label."""
    analysis = fastchat_elo_analysis()
    if analysis is None:
        return fastchat_elo_copy, "FastChat loop (copy; fschat not installed)"
    return (lambda battles: analysis.compute_elo(battles, K=K, INIT_RATING=INITIAL)), "fschat compute_elo"


def exact_backend() -> tuple:  # type: ignore[type-arg]
    normal = NormalDist()
    return (
        lambda x, mu=0.0, sigma=1.0: 0.5 * math.erfc(-(x - mu) / (sigma * math.sqrt(2.0))),
        lambda x, mu=0.0, sigma=1.0: normal.pdf((x - mu) / sigma) / sigma,
        lambda q, mu=0.0, sigma=1.0: mu + sigma * normal.inv_cdf(q),
    )


def package_trueskill(battles: pd.DataFrame, backend: object = None) -> dict[str, tuple[float, float]]:
    """The straightforward loop over ``trueskill.rate_1vs1`` on the frame: (mu, sigma) per model."""
    env = trueskill.TrueSkill(backend=backend, **PARAMS)
    ratings: dict[str, trueskill.Rating] = {}
    rate = trueskill.rate_1vs1
    for a, b, winner in zip(battles["model_a"], battles["model_b"], battles["winner"], strict=True):
        ra = ratings.get(a) or env.create_rating()
        rb = ratings.get(b) or env.create_rating()
        if winner == "model_b":
            ratings[b], ratings[a] = rate(rb, ra, env=env)
        else:
            ratings[a], ratings[b] = rate(ra, rb, drawn=winner != "model_a", env=env)
    return {m: (r.mu, r.sigma) for m, r in ratings.items()}


def ours_elo(battles: pd.DataFrame) -> dict[str, float]:
    a, b, score, names = encode_battles(battles)
    ratings = EloRater(k=K, initial=INITIAL).replay_arrays(a, b, score, len(names))
    return dict(zip(names, ratings.tolist(), strict=True))


def ours_trueskill(battles: pd.DataFrame) -> dict[str, tuple[float, float]]:
    a, b, score, names = encode_battles(battles)
    state = TrueSkillRater(**PARAMS).replay_arrays(a, b, score, len(names))
    return dict(zip(names, zip(state.mu.tolist(), state.sigma.tolist(), strict=True), strict=True))


def max_diff(ours: dict[str, float], peer: dict[str, float]) -> float:
    assert ours.keys() == peer.keys(), (sorted(ours), sorted(peer))
    return max(abs(ours[m] - peer[m]) for m in ours)


def run_peer(method: str, path: Path) -> None:
    """The peer process: read the file with pandas, rate, print {model: rating} as JSON."""
    battles = pd.read_csv(path)
    if method == "elo":
        rating = peer_elo()[0](battles)
    else:
        rating = {m: mu for m, (mu, _) in package_trueskill(battles).items()}
    print(json.dumps(rating))


def cli_ratings(out: str) -> dict[str, float]:
    return {r["model"]: r["rating"] for r in json.loads(out)["ratings"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k votes, fewer repeats")
    parser.add_argument("--votes", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--peer-repeats", type=int, default=None)
    parser.add_argument(
        "--exact-prefix", type=int, default=20_000, help="votes replayed with exact special functions"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peer", choices=("elo", "trueskill"), help=argparse.SUPPRESS)  # a peer process
    parser.add_argument("file", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer is not None:
        run_peer(args.peer, args.file)
        return
    n_votes = args.votes or (100_000 if args.quick else 1_000_000)
    repeats = args.repeats or (3 if args.quick else 5)
    peer_repeats = args.peer_repeats or (1 if args.quick else 3)
    python = sys.executable
    elo_peer, elo_label = peer_elo()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "votes.csv"
        write_votes(path, n_votes, MINIMAL, args.seed, draws=("tie", "tie (bothbad)"))
        print(f"{n_votes:,} votes over 57 models, 10% draws; Elo peer: {elo_label}")

        processes = {}
        for method in ("elo", "trueskill"):
            ours = [python, "cli.py", "ratings", str(path), "--method", method, "--json"]
            ours_times = process_seconds(ours, repeats)
            peer = [python, "bench/online.py", "--peer", method, str(path)]
            peer_times = process_seconds(peer, peer_repeats)
            diff = max_diff(cli_ratings(ours_times.out), json.loads(peer_times.out))
            processes[method] = (ours_times.wall, peer_times.wall, diff)
            print(
                f"{method} process: ours {ours_times.wall:.2f}s (CPU {ours_times.cpu:.2f}s), "
                f"peer {peer_times.wall:.2f}s (CPU {peer_times.cpu:.2f}s), max |diff| {diff:.1e}"
            )

        battles = pd.read_csv(path)

    t_elo, elo = median_time(lambda: ours_elo(battles), repeats)
    t_elo_peer, elo_p = median_time(lambda: elo_peer(battles), peer_repeats)
    diff_elo = max_diff(elo, elo_p)  # type: ignore[arg-type]
    a, b, score, names = encode_battles(battles)
    t_elo_loop, _ = median_time(
        lambda: EloRater(k=K, initial=INITIAL).replay_arrays(a, b, score, len(names)), repeats
    )
    print(
        f"Elo from the frame: ours {t_elo:.3f}s (loop alone {t_elo_loop:.3f}s), {elo_label} {t_elo_peer:.2f}s"
    )

    t_ts, ts = median_time(lambda: ours_trueskill(battles), repeats)
    t_ts_peer, ts_p = median_time(lambda: package_trueskill(battles), 1)
    diff_ts = max(
        max_diff({m: v[k] for m, v in ts.items()}, {m: v[k] for m, v in ts_p.items()}) for k in (0, 1)
    )  # type: ignore[union-attr]
    prefix = battles.iloc[: min(args.exact_prefix, n_votes)]
    short, exact = ours_trueskill(prefix), package_trueskill(prefix, exact_backend())
    diff_exact = max(
        max_diff({m: v[k] for m, v in short.items()}, {m: v[k] for m, v in exact.items()}) for k in (0, 1)
    )
    print(
        f"TrueSkill from the frame: ours {t_ts:.2f}s, trueskill.rate_1vs1 loop {t_ts_peer:.1f}s; max |diff| "
        f"{diff_ts:.2e} vs backend None, {diff_exact:.2e} vs exact special functions ({len(prefix):,} votes)"
    )

    (te, tep, de), (tt, ttp, dt) = processes["elo"], processes["trueskill"]
    print_summary(
        [
            Row(
                f"Elo, {n_votes:,} votes, whole process (s)",
                f"{te:.2f}",
                f"{tep:.2f} {elo_label}",
                f"{tep / te:.1f}x",
                ">= 1x",
            ),
            Row("  Elo process max |diff|", f"{de:.1e}", "-", "-", "<= 1e-6"),
            Row(
                f"TrueSkill, {n_votes:,} votes, whole process (s)",
                f"{tt:.2f}",
                f"{ttp:.2f} trueskill loop",
                f"{ttp / tt:.1f}x",
                ">= 1x",
            ),
            Row("  TrueSkill process max |diff| (mu)", f"{dt:.1e}", "-", "-", "<= 1e-6"),
            Row(
                "  component: Elo from the same frame (s)",
                f"{t_elo:.3f}",
                f"{t_elo_peer:.2f} {elo_label}",
                f"{t_elo_peer / t_elo:.1f}x",
                ">= 4x",
            ),
            Row("  component: Elo loop on integer columns (s)", f"{t_elo_loop:.3f}", "-", "-", "-"),
            Row("  component: Elo max |diff|", f"{diff_elo:.1e}", "-", "-", "<= 1e-6"),
            Row(
                "  component: TrueSkill from the same frame (s)",
                f"{t_ts:.2f}",
                f"{t_ts_peer:.1f} trueskill loop",
                f"{t_ts_peer / t_ts:.0f}x",
                ">= 50x",
            ),
            Row("  component: TrueSkill max |diff|, backend None", f"{diff_ts:.1e}", "-", "-", "<= 1e-6"),
            Row(
                f"  component: TrueSkill max |diff|, exact fns ({len(prefix):,})",
                f"{diff_exact:.1e}",
                "-",
                "-",
                "<= 1e-6",
            ),
        ]
    )
    print(
        "backend None approximates erfc (relative error up to 1.2e-7); the exact-functions row shows the algorithm"
    )


if __name__ == "__main__":
    main()
