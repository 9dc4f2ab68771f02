"""Runs page: a second start of a collect that is already running is refused with its run id,
and a run whose process died shows `failed`, not `running` (issue 14 point 2)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from judging.runs import RunKind, RunStatus
from pipeline.runs.collect import collect_params
from pipeline.runs.common import start_run
from pipeline.runs.registry import import_registry
from storage.db.engine import make_engine
from storage.db.models import Run, utcnow
from storage.db.session import read_session, write_session
from storage.runs.leases import heartbeat
from tests.pipeline.test_runs import _registry
from ui.i18n import STRINGS

RUNS = "pages/5_runs.py"
DEAD_URL = "http://127.0.0.1:9/v1"  # nothing is sent: the start is refused


def _texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def test_a_second_start_of_a_running_collect_is_refused_with_its_id(make_app, app_env):
    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
    import_registry(engine, _registry(app_env, DEAD_URL))
    # started elsewhere (a CLI collect, another replica), alive: its heartbeat is fresh
    running = start_run(
        engine,
        kind=RunKind.COLLECT,
        params={**collect_params("v261201", ["mock-generic"]), "lease_ttl_s": 600},
        total=65,
        actor="cli",
    )
    at.run()
    assert not at.exception
    at.multiselect[0].set_value(["mock-generic"])
    next(b for b in at.button if b.label == "开始").click()
    at.run()
    assert not at.exception
    refused = STRINGS["runs.already_running"]["zh"].format(id=running)
    assert refused in _texts(at.warning)
    assert STRINGS["runs.started"]["zh"] not in _texts(at.success)
    with read_session(engine) as s:
        assert [r.id for r in s.exec(select(Run))] == [running]  # nothing started twice


def test_a_run_whose_process_died_shows_failed(make_app, app_env):
    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
    dead = start_run(
        engine,
        kind=RunKind.COLLECT,
        params={**collect_params("v261201", ["mock-generic"]), "lease_ttl_s": 5},
        total=65,
        actor="cli",
    )
    with write_session(engine) as s:
        heartbeat(s, run_id=dead, now=utcnow() - timedelta(seconds=60))  # killed a minute ago
    at.run()
    assert not at.exception
    with read_session(engine) as s:
        run = s.exec(select(Run).where(Run.id == dead)).one()
    assert run.status == RunStatus.FAILED.value
    assert any(STRINGS["runs.status.failed"]["zh"] in str(p.proto.text) for p in at.get("progress"))


def test_a_second_start_of_a_running_judge_run_is_refused_with_its_id(make_app, app_env):
    from judging.scheduling import Strategy
    from pipeline.runs.judge import judge_params
    from tests.pipeline.test_runs import _registry as demo_registry

    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
    import_registry(engine, demo_registry(app_env, DEAD_URL))
    strategy = next(iter(Strategy)).value  # the form's default
    running = start_run(
        engine,
        kind=RunKind.JUDGE,
        params={**judge_params("v261201", "mock-judge", strategy, 100, None), "lease_ttl_s": 600},
        total=200,
        actor="cli",
    )
    at.run()
    assert not at.exception
    starts = [b for b in at.button if b.label == "开始"]
    starts[1].click()  # the judge form's
    at.run()
    assert not at.exception
    assert STRINGS["runs.judge_already_running"]["zh"].format(id=running) in _texts(at.warning)
    with read_session(engine) as s:
        assert [r.id for r in s.exec(select(Run))] == [running]
