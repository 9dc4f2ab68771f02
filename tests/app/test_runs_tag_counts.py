"""Runs page: a judge run shows how many of its verdicts came without usable harm tags (tag
lines absent / malformed; counted on the run row), in the page language; a collect run does not."""

from __future__ import annotations

import pytest

from judging.runs import RunKind
from pipeline.runs.collect import collect_params
from pipeline.runs.common import start_run
from pipeline.runs.judge import judge_params
from storage.db.engine import make_engine
from storage.db.session import write_session
from storage.runs.bookkeeping import add_to_run
from ui.i18n import translate

RUNS = "pages/5_runs.py"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_judge_run_shows_its_verdicts_without_usable_tags(make_app, app_env, lang):
    at = make_app(RUNS, user="boss", roles=["admin"])  # the app's database, with its admin
    engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
    judged = start_run(
        engine,
        kind=RunKind.JUDGE,
        params={**judge_params("v261201", "mock-judge", "random", 10, None), "lease_ttl_s": 600},
        total=20,
        actor="cli",
    )
    collected = start_run(
        engine,
        kind=RunKind.COLLECT,
        params={**collect_params("v261201", ["mock-generic"]), "lease_ttl_s": 600},
        total=65,
        actor="cli",
    )
    with write_session(engine) as session:
        add_to_run(session=session, run_id=judged, done=12, tags_missing=4, tags_invalid=3)
        add_to_run(session=session, run_id=collected, done=5)
    engine.dispose()
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    captions = [str(c.value) for c in at.caption]
    assert captions.count(translate("runs.tags_line", lang, missing=4, invalid=3)) == 1
    # the collect run has no verdicts to tag: no line of its own
    assert translate("runs.tags_line", lang, missing=0, invalid=0) not in captions
