"""Revision 0013 on a database holding runs: they keep their counters and read back with no
verdicts counted as missing or malformed harm tags (they were not counted then); a judge's later
additions land on the new columns. Both engines."""

from __future__ import annotations

import pytest

from judging.runs import RunKind
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import add_to_run, list_runs
from tests.storage.conftest import BACKENDS, upgraded_from

_T = "'2026-12-01 00:00:00'"
ROWS = [
    "INSERT INTO run (id, kind, params_json, status, total, done, failed, unparsed, message, started_at,"
    f" finished_at, heartbeat_at) VALUES (1, 'judge', '{{}}', 'finished', 20, 17, 2, 1, '', {_T}, {_T}, {_T}),"
    f" (2, 'collect', '{{}}', 'running', 5, 3, 0, 0, '', {_T}, NULL, {_T})",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_old_runs_keep_their_counters_and_count_no_tags(backend, tmp_path):
    with upgraded_from(backend, tmp_path, "0012", ROWS) as engine:
        with read_session(engine) as session:
            runs = {r.id: r for r in list_runs(session=session)}
        judge = runs[1]
        assert judge.kind is RunKind.JUDGE
        assert (judge.done, judge.failed, judge.unparsed) == (17, 2, 1)
        assert (judge.tags_missing, judge.tags_invalid) == (0, 0)
        assert (runs[2].tags_missing, runs[2].tags_invalid) == (0, 0)
        with write_session(engine) as session:
            add_to_run(session=session, run_id=1, done=3, tags_missing=2, tags_invalid=1)
        with read_session(engine) as session:
            judge = next(r for r in list_runs(session=session) if r.id == 1)
        assert (judge.done, judge.tags_missing, judge.tags_invalid) == (20, 2, 1)
