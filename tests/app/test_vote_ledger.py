"""The vote page on top of the vote ledger: undo (and when it is refused), skip with a reason, and
the guard that ignores a click landing on an item that has only just appeared."""

from __future__ import annotations

import random
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from judging.ledger import Status
from judging.types import Verdict
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.workflow.queue import next_assignment
from pipeline.workflow.voting import SKIP_REASONS, LedgerError, retract_vote, submit_vote
from storage.db.engine import make_engine
from storage.db.models import Skip, Vote, utcnow
from storage.db.session import read_session
from storage.votes.ledger import statuses_of
from tests.app.test_vote_flow import VERDICT_BUTTONS, _model_identities, _press, _rendered_strings
from ui.i18n import LANGS, translate

UNDO = "撤销上一票"
NEXT = "下一题"
SKIP = "跳过"


def _engine(data_dir: Path):
    return make_engine(f"sqlite:///{data_dir / 'arena.db'}")


def _votes(data_dir: Path) -> list[Vote]:
    with read_session(_engine(data_dir)) as session:
        return list(session.exec(select(Vote).order_by(col(Vote.id))).all())


def _status(data_dir: Path, vote_id: int) -> Status:
    with read_session(_engine(data_dir)) as session:
        return statuses_of(session=session, vote_ids=[vote_id])[vote_id]


def _labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def _after_reading(at: AppTest) -> AppTest:
    """Pretend the item has been on screen for a while, as it is for a person who read it: the
    page keeps the server's monotonic time of painting in the session."""
    at.session_state["vote_painted_at"] = time.monotonic() - 5.0
    return at


def _just_painted(at: AppTest) -> AppTest:
    """Pretend the item appeared this very instant, however long the machine took to get here:
    the click that follows is the second click of a double click."""
    at.session_state["vote_painted_at"] = time.monotonic() + 60.0
    return at


def _battle(at: AppTest) -> int:
    return int(at.session_state["vote_item"].battle_id)


def test_undo_reopens_the_item_without_identities_and_a_revote_stands(make_app, app_env):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    battle = _battle(at)
    at = _press(at, "A 更安全")
    first = at.session_state["vote_result"]["vote_id"]
    assert UNDO in _labels(at)

    at = _press(at, UNDO)
    assert not at.exception, at.exception
    # the ledger: a retraction row naming the vote, and the vote no longer counts
    rows = _votes(app_env)
    assert [(r.kind, r.supersedes_id) for r in rows] == [("vote", None), ("retraction", first)]
    assert _status(app_env, first) is Status.RETRACTED
    # the same item is back before the vote: vote buttons, no Next, no Undo, no identities on the
    # page, only a note that they were seen
    assert _battle(at) == battle
    assert set(VERDICT_BUTTONS) <= set(_labels(at))
    assert NEXT not in _labels(at) and UNDO not in _labels(at)
    assert any("已撤销你的上一票" in s.value for s in at.success)
    assert any("已经看到过这两条回答来自哪个模型" in i.value for i in at.info)
    page = "\n".join(_rendered_strings(at))
    assert not [name for name in _model_identities() if name in page]

    at = _press(_after_reading(at), "B 更安全")
    assert not at.exception
    second = at.session_state["vote_result"]["vote_id"]
    rows = _votes(app_env)
    assert len(rows) == 3 and rows[-1].id == second and rows[-1].kind == "vote"
    assert rows[-1].battle_id == battle and rows[-1].idempotency_key == rows[0].idempotency_key + "~1"
    assert _status(app_env, second) is Status.STANDING
    assert _status(app_env, first) is Status.RETRACTED
    # the reveal is back, with the identities after this vote
    assert any(name in "\n".join(_rendered_strings(at)) for name in _model_identities())


def test_undo_after_the_window_is_refused_with_a_message(make_app, app_env, monkeypatch):
    import pipeline.workflow.voting

    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    at = _press(at, "两者都安全")
    vote_id = at.session_state["vote_result"]["vote_id"]
    assert UNDO in _labels(at)

    # eleven minutes later, on the clock the ledger reads
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr(pipeline.workflow.voting, "utcnow", lambda: later)
    at = _press(at, UNDO)  # the button drawn before the window closed
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "这一票无法撤销" in warning and "older than 10 minutes" in warning
    assert [r.kind for r in _votes(app_env)] == ["vote"]
    assert _status(app_env, vote_id) is Status.STANDING
    # the reveal stays, with Next and without the undo
    assert NEXT in _labels(at) and UNDO not in _labels(at)


def test_undo_of_a_vote_that_is_no_longer_the_last_is_refused(make_app, app_env):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    at = _press(at, "A 更安全")
    shown = at.session_state["vote_result"]["vote_id"]
    # the same person votes on another item meanwhile (another tab)
    engine = _engine(app_env)
    other = next_assignment(engine, username="ann1", rng=random.Random(7))
    assert other is not None and other.battle_id != _battle(at)
    later = submit_vote(engine, item=other, rater="ann1", shown_verdict=Verdict.TIE).vote_id

    at = _press(at, UNDO)
    assert not at.exception, at.exception
    assert any("not your last vote" in w.value for w in at.warning)
    assert [r.kind for r in _votes(app_env)] == ["vote", "vote"]
    assert _status(app_env, shown) is Status.STANDING and _status(app_env, later) is Status.STANDING


def test_nobody_undoes_someone_elses_vote(make_app, app_env):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    at = _press(at, "A 更安全")
    theirs = at.session_state["vote_result"]["vote_id"]
    other = make_app("pages/1_vote.py", user="ann2", roles=["annotator"]).run()
    assert UNDO not in _labels(other)  # before voting there is nothing to undo
    with pytest.raises(LedgerError, match="not yours"):
        retract_vote(_engine(app_env), vote_id=theirs, actor="ann2")
    assert _status(app_env, theirs) is Status.STANDING


@pytest.fixture
def one_question(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo with a single question: five models, so ten battles in all."""
    demo = app_env / "demo"
    shutil.copytree(PROJECT_ROOT / "demo", demo)
    source = yaml.safe_load((demo / "questions" / "privacy.yaml").read_text(encoding="utf-8"))
    for path in (demo / "questions").glob("*.yaml"):
        path.unlink()
    source["questions"] = source["questions"][:1]
    (demo / "questions" / "privacy.yaml").write_text(yaml.safe_dump(source, allow_unicode=True), "utf-8")
    monkeypatch.setenv("ARENA_DEMO_DIR", str(demo))
    return demo


def test_skip_with_a_reason_moves_on_and_never_comes_back(make_app, app_env, one_question):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    skipped = _battle(at)
    reasons = at.selectbox(key="skip_reason_0")
    assert reasons.options == [  # as shown
        "不说明原因",
        "看不懂",
        "需要专业知识",
        "内容不适",
        "其他",
    ]
    reasons.set_value("expertise")
    at = _press(at, SKIP)
    assert not at.exception, at.exception

    with read_session(_engine(app_env)) as session:
        rows = list(session.exec(select(Skip)).all())
    assert [(r.username, r.battle_id, r.reason) for r in rows] == [("ann1", skipped, "expertise")]
    assert not _votes(app_env)
    assert any("已跳过上一题" in s.value for s in at.success)
    assert set(VERDICT_BUTTONS) <= set(_labels(at))

    # judge everything else: the skipped battle is never offered again
    offered = []
    for _ in range(20):
        if not at.session_state["vote_item"]:
            break
        offered.append(_battle(at))
        at = _press(_after_reading(at), "A 更安全")
        at = _press(at, NEXT)
        assert not at.exception
    assert any("暂时没有可投票的对比了" in i.value for i in at.info)
    assert skipped not in offered
    assert len(offered) == len(set(offered)) == 9  # ten battles, one skipped


def test_a_click_right_after_the_item_appears_records_nothing(make_app, app_env):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    at = _press(at, "A 更安全")
    at = _press(at, NEXT)
    fresh = _battle(at)

    # the second click of a double click on Next, on whatever now sits there: nothing recorded
    for label in ("B 更安全", SKIP):
        at = _press(_just_painted(at), label)
        assert not at.exception, at.exception
        assert any("这次点击没有记录" in i.value for i in at.info)
        assert len(_votes(app_env)) == 1
        assert _battle(at) == fresh and set(VERDICT_BUTTONS) <= set(_labels(at))
    with read_session(_engine(app_env)) as session:
        assert not session.exec(select(Skip)).all()

    # once the item has been on screen a moment, the same click counts
    at = _press(_after_reading(at), "B 更安全")
    rows = _votes(app_env)
    assert len(rows) == 2 and rows[-1].battle_id == fresh
    assert NEXT in _labels(at)


def test_opening_the_page_is_not_held_to_the_click_guard(make_app, app_env):
    # only an in-page click (Next, Skip, Undo) can leave the pointer over new vote buttons
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    assert at.session_state["vote_painted_at"] is None
    at = _press(at, "两者都不安全")
    assert len(_votes(app_env)) == 1


def test_vote_page_strings_exist_in_both_languages():
    keys = [
        "vote.undo",
        "vote.undo_help",
        "vote.undone",
        "vote.undo_refused",
        "vote.identities_seen",
        "vote.too_fast",
        "vote.skip",
        "vote.skip_help",
        "vote.skip_reason",
        "vote.skipped",
        *(f"vote.skip_reason.{r}" for r in ("none", *SKIP_REASONS)),
    ]
    for key in keys:
        for lang in LANGS:
            assert translate(key, lang, minutes=10, reason="x")
    english = [translate(f"vote.skip_reason.{r}", "en") for r in SKIP_REASONS]
    assert english == ["Hard to understand", "Needs expertise", "Distressing", "Other"]
