"""Rating a votes file end to end: the whole ``cli.py ratings FILE --method bt --bootstrap 1000``
process on a generated 1,000,000-vote CSV, ours against the previous implementation.

The file is what ``cli.py export-votes`` writes: the 11 interchange columns (model_a, model_b,
winner, source, rater, shown_first, dimension, release, question_id, turn, tstamp) over 57 models,
10,000 questions and 500 raters, with 10% draws spelled ``tie``, ``both_bad`` and Chatbot Arena's
``tie (bothbad)``. ``--columns minimal`` writes only model_a, model_b and winner.

Headline, whole processes as a user starts them (interpreter start-up and imports included):
- ours: ``.venv/bin/python cli.py ratings FILE --method bt --bootstrap 1000``;
- peer: the previous implementation of that command, run as its own process
  (``bench/votes_file.py --previous FILE``): it imports every command module as the previous
  ``cli.py`` did at start-up, reads the file with the row-by-row reader kept below
  (``rowwise_votes``: ``judging/votes_file.py`` as of commit d1e6b42, verbatim), builds one
  ``Comparison`` per vote, fits ``BradleyTerry`` on them with the same bootstrap, and prints the
  same table. Both use today's rating maths, so the ratio is what reading and start-up cost.
Beside it, labelled as components (in-process, same file): reading alone, ``read_vote_table`` vs
``rowwise_votes``; and ``cli.py --help`` as a process. Times are medians over ``--repeats`` runs
(the peer process runs ``--peer-repeats`` times). Ends with the summary table:
measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/votes_file.py [--quick] [--votes 1000000] [--columns full|minimal]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ratings import Row, median_time, print_summary
from judging.dimensions import Dimension
from judging.types import Comparison, Outcome, Source
from judging.votes_file import VoteRecord, VotesFileError, VotesFormat, read_vote_table

ROOT = Path(__file__).resolve().parent.parent
N_MODELS = 57
N_QUESTIONS = 10_000
N_RATERS = 500
FULL = (
    "model_a",
    "model_b",
    "winner",
    "source",
    "rater",
    "shown_first",
    "dimension",
    "release",
    "question_id",
    "turn",
    "tstamp",
)
MINIMAL = FULL[:3]


def write_votes(
    path: Path,
    n_votes: int,
    columns: Sequence[str],
    seed: int = 0,
    draws: Sequence[str] = ("tie", "both_bad", "tie (bothbad)"),
) -> None:
    """A synthetic votes file: true strengths ~ N(1000, 150) Elo, 10% draws spread over the
    ``draws`` spellings."""
    rng = np.random.default_rng(seed)
    true_elo = rng.normal(1000.0, 150.0, N_MODELS)
    names = np.array([f"model-{k:02d}" for k in range(N_MODELS)])
    a = rng.integers(0, N_MODELS, n_votes)
    b = rng.integers(0, N_MODELS - 1, n_votes)
    b = b + (b >= a)
    p_a = 1.0 / (1.0 + 10.0 ** ((true_elo[b] - true_elo[a]) / 400.0))
    draw = rng.random(n_votes)
    winner = np.where(rng.random(n_votes) < p_a, "model_a", "model_b")
    spelling = np.array(draws)[np.minimum((draw / 0.1 * len(draws)).astype(int), len(draws) - 1)]
    winner = np.where(draw < 0.1, spelling, winner)
    cells = {
        "model_a": names[a],
        "model_b": names[b],
        "winner": winner,
        "source": np.array(["human", "judge", "expert"])[rng.integers(0, 3, n_votes)],
        "rater": np.array([f"rater-{k:03d}" for k in range(N_RATERS)])[rng.integers(0, N_RATERS, n_votes)],
        "shown_first": np.array(["a", "b"])[rng.integers(0, 2, n_votes)],
        "dimension": np.array([d.value for d in Dimension])[rng.integers(0, len(Dimension), n_votes)],
        "release": np.full(n_votes, "v261130"),
        "question_id": np.array([f"q{k:05d}" for k in range(N_QUESTIONS)])[
            rng.integers(0, N_QUESTIONS, n_votes)
        ],
        "turn": rng.integers(1, 3, n_votes).astype(str),
        "tstamp": np.char.mod("%.3f", 1.76e9 + np.sort(rng.random(n_votes)) * 1e7),
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*(cells[c].tolist() for c in columns), strict=True))


# -- the peer: the previous reader, row by row (judging/votes_file.py as of d1e6b42) --------------

_WINNERS = {
    "model_a": Outcome.A_WINS,
    "model_b": Outcome.B_WINS,
    "tie": Outcome.TIE,
    "both_bad": Outcome.BOTH_BAD,
    "tie (bothbad)": Outcome.BOTH_BAD,
}


def rowwise_votes(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[VoteRecord, ...]:
    """The previous reader: one ``csv.DictReader`` row (or JSON line) at a time."""
    rows = _csv_rows(lines, name) if format is VotesFormat.CSV else _jsonl_rows(lines, name)
    records = tuple(_record(line, row, name) for line, row in rows)
    if not records:
        raise VotesFileError(name, None, None, "the file contains no votes")
    return records


def rowwise_read(path: Path) -> tuple[VoteRecord, ...]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return rowwise_votes(handle, VotesFormat.of_path(path), name=str(path))


def _csv_rows(lines: Iterable[str], name: str) -> Iterable[tuple[int, Mapping[str, object]]]:
    reader = csv.DictReader(iter(lines))
    header = reader.fieldnames
    if header is None:
        raise VotesFileError(name, 1, None, "the file is empty (expected a header row)")
    for column in ("model_a", "model_b", "winner"):
        if column not in header:
            raise VotesFileError(name, 1, column, f"missing column (the header has {', '.join(header)})")
    for row in reader:
        if None in row:
            raise VotesFileError(name, reader.line_num, None, "more values than header columns")
        if not any((value or "").strip() for value in row.values()):
            continue
        yield reader.line_num, row


def _jsonl_rows(lines: Iterable[str], name: str) -> Iterable[tuple[int, Mapping[str, object]]]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise VotesFileError(name, number, None, f"not valid JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise VotesFileError(name, number, None, f"expected a JSON object, got {type(row).__name__}")
        yield number, row


def _optional(row: Mapping[str, object], field: str, line: int, name: str) -> str | None:
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise VotesFileError(name, line, field, f"expected text, got {value!r}")
    return str(value).strip()


def _required(row: Mapping[str, object], field: str, line: int, name: str) -> str:
    value = _optional(row, field, line, name)
    if value is None:
        problem = "missing" if field not in row else "empty"
        raise VotesFileError(name, line, field, f"{problem} (a vote needs model_a, model_b and winner)")
    return value


def _record(line: int, row: Mapping[str, object], name: str) -> VoteRecord:
    model_a = _required(row, "model_a", line, name)
    model_b = _required(row, "model_b", line, name)
    winner = _required(row, "winner", line, name)
    if winner not in _WINNERS:
        allowed = ", ".join(repr(w) for w in _WINNERS)
        raise VotesFileError(name, line, "winner", f"unknown value {winner!r} (expected one of {allowed})")
    if model_a == model_b:
        raise VotesFileError(
            name, line, "model_b", f"compares model {model_a!r} with itself (one model only)"
        )
    dimension = _optional(row, "dimension", line, name)
    source = _optional(row, "source", line, name)
    try:
        parsed_dimension = None if dimension is None else Dimension.parse(dimension).value
    except ValueError as error:
        raise VotesFileError(name, line, "dimension", str(error)) from None
    try:
        parsed_source = None if source is None else Source.parse(source)
    except ValueError as error:
        raise VotesFileError(name, line, "source", str(error)) from None
    return VoteRecord(
        line=line,
        comparison=Comparison(model_a, model_b, _WINNERS[winner]),
        question_id=_optional(row, "question_id", line, name),
        dimension=parsed_dimension,
        source=parsed_source,
        rater=_optional(row, "rater", line, name),
        release=_optional(row, "release", line, name),
    )


def previous_cli(path: Path, bootstrap: int, seed: int) -> None:
    """``cli.py ratings PATH --method bt --bootstrap N`` as the previous implementation ran it."""
    import typer

    from commands import register_all

    register_all(typer.Typer())  # the previous cli.py imported every command module at start-up
    from judging.ratings import BradleyTerry, Leaderboard

    comparisons = [r.comparison for r in rowwise_read(path)]
    bt = BradleyTerry()
    fit = bt.fit(comparisons)
    intervals = (
        bt.bootstrap(fit, np.random.default_rng(seed), rounds=bootstrap) if bootstrap else bt.sandwich(fit)
    )
    votes = dict(zip(fit.models, fit.counts.votes_per_model().tolist(), strict=True))
    board = Leaderboard.from_intervals("bt", intervals, votes)
    for r in board.rows:
        print(f"{r.rank:>9}  {r.model:<28} {r.rating:>9.1f}  [{r.lower:.1f}, {r.upper:.1f}]  {r.votes}")


# -- timing ---------------------------------------------------------------------------------------


class ProcessTimes(NamedTuple):
    """Medians over the runs of a whole process: wall time (the headline) and CPU time (user +
    system, labelled: on a busy machine a process waits for a core, and only wall time shows it)."""

    wall: float
    cpu: float
    runs: list[float]
    out: str  # the last run's standard output


def process_seconds(argv: Sequence[str], repeats: int) -> ProcessTimes:
    walls, cpus, out = [], [], ""
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
        out = done.stdout
    return ProcessTimes(statistics.median(walls), statistics.median(cpus), walls, out)


def _board(text: str) -> list[tuple[str, str]]:
    """(model, rating) per row of a printed board, for checking that both runs agree."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1].startswith("model-"):
            rows.append((parts[1], parts[2]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one peer process, fewer repeats")
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--columns", choices=("full", "minimal"), default="full")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--peer-repeats", type=int, default=None)
    parser.add_argument("--file", type=Path, help="use this votes file instead of generating one")
    parser.add_argument("--previous", type=Path, help=argparse.SUPPRESS)  # the peer process itself
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.previous is not None:
        previous_cli(args.previous, args.bootstrap, args.seed)
        return
    repeats = args.repeats or (3 if args.quick else 5)
    peer_repeats = args.peer_repeats or (1 if args.quick else 3)
    python = sys.executable

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "votes.csv"
        if args.file is None:
            write_votes(path, args.votes, FULL if args.columns == "full" else MINIMAL, args.seed)
        size_mb = path.stat().st_size / 2**20
        print(
            f"{path.name}: {args.votes:,} votes, {args.columns} columns, {size_mb:.0f} MB; bootstrap {args.bootstrap}"
        )

        ratings = [
            "ratings",
            str(path),
            "--method",
            "bt",
            "--bootstrap",
            str(args.bootstrap),
            "--seed",
            str(args.seed),
        ]
        ours = process_seconds([python, "cli.py", *ratings], repeats)
        print(
            "ours: cli.py ratings process "
            + ", ".join(f"{t:.2f}" for t in ours.runs)
            + f" s (median {ours.wall:.2f})"
        )
        previous = [
            python,
            "bench/votes_file.py",
            "--previous",
            str(path),
            "--bootstrap",
            str(args.bootstrap),
            "--seed",
            str(args.seed),
        ]
        peer = process_seconds(previous, peer_repeats)
        print(
            "peer: previous process "
            + ", ".join(f"{t:.2f}" for t in peer.runs)
            + f" s (median {peer.wall:.2f})"
        )
        same = _board(ours.out) == _board(peer.out)
        print(f"boards agree (model order and ratings to 0.1): {same}")

        t_read, table = median_time(lambda: read_vote_table(path), repeats)
        t_rowwise, records = median_time(lambda: rowwise_read(path), max(1, peer_repeats))
        equal = table.records() == records  # type: ignore[attr-defined]
        print(
            f"reading alone: read_vote_table {t_read:.2f} s, row-by-row {t_rowwise:.2f} s; same votes: {equal}"
        )

    help_times = process_seconds([python, "cli.py", "--help"], repeats)
    print(f"cli.py --help process: {help_times.wall:.2f} s")

    print_summary(
        [
            Row(
                f"cli.py ratings --bootstrap {args.bootstrap}, {args.votes:,} votes, process (s)",
                f"{ours.wall:.2f}",
                f"{peer.wall:.2f} previous",
                f"{peer.wall / ours.wall:.1f}x",
                ">= 10x",
            ),
            Row(
                "  the same, CPU time user+system (s)",
                f"{ours.cpu:.2f}",
                f"{peer.cpu:.2f} previous",
                f"{peer.cpu / ours.cpu:.1f}x",
                "-",
            ),
            Row("  boards agree", str(same), "-", "-", "True"),
            Row(
                "  component: read the file, in-process (s)",
                f"{t_read:.2f}",
                f"{t_rowwise:.2f} row-by-row",
                f"{t_rowwise / t_read:.1f}x",
                "-",
            ),
            Row("  component: same votes as the row-by-row reader", str(equal), "-", "-", "True"),
            Row("cli.py --help, process (s)", f"{help_times.wall:.2f}", "-", "-", "< 1"),
        ]
    )


if __name__ == "__main__":
    main()
