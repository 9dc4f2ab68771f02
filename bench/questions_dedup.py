"""Near-duplicate search against a 10,000-question bank: the time the unit suite used to assert.

Workload (built as ``tests/judging/test_questions_dedup.py`` builds it, seed 7): a bank of
``--bank`` texts of 15-80 random CJK characters; candidates are a near copy (last character
changed) of each of 200 sampled bank texts that has 40 or more characters, then 300 fresh texts of
40 characters. Every near copy must be found, and nothing else.

Headline, the whole process a user starts: ``cli.py import-questions --dry-run --json`` of the
candidates on a database whose draft holds the bank (the bank is loaded first with
``cli.py import-questions``; that process is timed and shown too). No peer runs the same command:
its peer column is "-".
Beside it, labelled as a component (in-process, same texts): ``judging.questions.find_duplicates``
(prefix filtering) against all-pairs Jaccard over the same character 3-grams, with the same
rules (each candidate's best match, bank before batch; a duplicate is not kept). Both must return
the same matches. Target for the component: under 10 s, the bound the unit test asserted.
Times are medians over ``--repeats`` runs (all-pairs runs once). Ends with the summary table:
measure | ours | peer | ratio | target; exit status 1 when a target is missed or a check fails.

Run: .venv/bin/python bench/questions_dedup.py [--quick] [--bank 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ratings import Row, median_time, print_summary
from judging.questions import (
    DEFAULT_THRESHOLD,
    DuplicateKind,
    DuplicateMatch,
    char_ngrams,
    find_duplicates,
    jaccard,
    normalise_text,
)

ROOT = Path(__file__).resolve().parent.parent
COMPONENT_TARGET_S = 10.0  # what tests/judging/test_questions_dedup.py asserted until it moved here


def workload(bank_size: int, seed: int = 7) -> tuple[list[str], list[str], int]:
    """(bank, candidates, how many candidates are near copies: they come first)."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    bank = ["".join(rng.choice(alphabet) for _ in range(rng.randint(15, 80))) for _ in range(bank_size)]
    near = [text[:-1] + "吗" for text in rng.sample(bank, 200) if len(text) >= 40]
    fresh = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(300)]
    return bank, near + fresh, len(near)


def all_pairs(candidates: Sequence[str], bank: Sequence[str], threshold: float) -> tuple[DuplicateMatch, ...]:
    """``find_duplicates``'s answer by comparing every candidate with every bank text and every
    kept earlier candidate."""
    kept = [(True, i, normalise_text(t), char_ngrams(t)) for i, t in enumerate(bank)]
    found: list[DuplicateMatch] = []
    for position, text in enumerate(candidates):
        key, grams = normalise_text(text), char_ngrams(text)
        best: DuplicateMatch | None = None
        for in_bank, other, other_key, other_grams in kept:
            if other_key == key:
                match = DuplicateMatch(position, other, in_bank, DuplicateKind.EXACT, 1.0)
            else:
                similarity = jaccard(grams, other_grams)
                if similarity < threshold:
                    continue
                match = DuplicateMatch(position, other, in_bank, DuplicateKind.NEAR, similarity)
            rank = (match.kind is DuplicateKind.EXACT, match.similarity)
            if best is None or rank > (best.kind is DuplicateKind.EXACT, best.similarity):
                best = match
        if best is None:
            kept.append((False, position, key, grams))
        else:
            found.append(best)
    return tuple(found)


def write_jsonl(path: Path, texts: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for text in texts:
            out.write(json.dumps({"dimension": "privacy", "question_text": text}, ensure_ascii=False) + "\n")


def cli(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Wall seconds and stdout of one ``cli.py`` process; a failure stops the bench."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"bench/questions_dedup.py: cli.py {' '.join(args)} exited {out.returncode}:\n{out.stderr}")
    return seconds, out.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--bank", type=int, default=10_000, help="bank size")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    bank, candidates, n_near = workload(args.bank)
    print(f"bench/questions_dedup: bank {len(bank):,}, candidates {len(candidates)} ({n_near} near copies)")

    ours_s, ours = median_time(
        lambda: find_duplicates(candidates, bank, threshold=DEFAULT_THRESHOLD), repeats
    )
    peer_s, peer = median_time(lambda: all_pairs(candidates, bank, DEFAULT_THRESHOLD), 1)
    same = ours == peer
    expected = {m.candidate for m in ours} == set(range(n_near))  # type: ignore[union-attr]
    print(f"find_duplicates {ours_s:.2f} s, all-pairs {peer_s:.2f} s; same matches: {same}")

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = {**os.environ, "ARENA_DATA_DIR": str(data / "data"), "ARENA_ADMIN_PASSWORD": "bench-admin-pw"}
        env.pop("DATABASE_URL", None)
        write_jsonl(data / "bank.jsonl", bank)
        write_jsonl(data / "candidates.jsonl", candidates)
        cli(env, "init")
        load_s, _ = cli(env, "import-questions", str(data / "bank.jsonl"))
        runs = [
            cli(env, "import-questions", "--dry-run", "--json", str(data / "candidates.jsonl"))
            for _ in range(repeats)
        ]
        check_s = statistics.median(s for s, _ in runs)
        report = runs[-1][1]
    print(f"cli.py import-questions: bank {load_s:.2f} s; candidates --dry-run {check_s:.2f} s")
    print(f"dry-run report: {report[:300]}")

    within = ours_s < COMPONENT_TARGET_S
    print_summary(
        [
            Row(
                "import-questions --dry-run, candidates vs bank (process, s)", f"{check_s:.2f}", "-", "-", "-"
            ),
            Row("import-questions of the bank itself (process, s)", f"{load_s:.2f}", "-", "-", "-"),
            Row(
                "component: find_duplicates vs all-pairs Jaccard (in-process, s)",
                f"{ours_s:.2f}",
                f"{peer_s:.2f}",
                f"{ours_s / peer_s:.3f}",
                f"< {COMPONENT_TARGET_S:g} s",
            ),
            Row(
                "component: same matches as all-pairs; every near copy, nothing else",
                str(same and expected),
                "-",
                "-",
                "True",
            ),
        ]
    )
    if not (within and same and expected):
        sys.exit(1)


if __name__ == "__main__":
    main()
