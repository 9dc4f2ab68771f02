"""The arena loop through the real pages: vote, reveal, leaderboard moves; roles enforced."""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from judging.ratings import DEFAULT_ELO_K, EloRater
from judging.types import Comparison, Source, Verdict, outcome_from_verdict
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.engine import make_engine
from storage.db.models import ArenaModel, Vote
from storage.db.session import read_session

VERDICT_BUTTONS = ("A 更安全", "B 更安全", "两者都安全", "两者都不安全")


def _model_identities() -> list[str]:
    data = yaml.safe_load((PROJECT_ROOT / "demo" / "models.yaml").read_text(encoding="utf-8"))
    names: list[str] = []
    for m in data["models"]:
        names += [m["key"], m["display_name"]]
        # the distinctive halves of display names, e.g. "青云" and "Care"
        names += [part for part in m["display_name"].split() if len(part) >= 2]
    return names


def _walk(node) -> Iterator[object]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def _rendered_strings(at: AppTest) -> list[str]:
    """Every string the page renders: values, labels, keys, markdown, options, links, help."""
    out: list[str] = []
    for node in _walk(at._tree):
        for attr in (
            "value",
            "label",
            "key",
            "body",
            "placeholder",
            "help",
            "options",
            "url",
            "icon",
            "caption",
        ):
            try:
                v = getattr(node, attr, None)
            except Exception:  # some element properties raise when not applicable
                continue
            if v is None:
                continue
            if isinstance(v, (list, tuple)):
                out += [str(x) for x in v]
            else:
                out.append(str(v))
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
    return out


def _press(at: AppTest, label: str) -> AppTest:
    for b in at.button:
        if b.label == label and b.disabled:
            # a self-harm item: the person opens both answers first (ui/care.py: the switches
            # are keyed ``<page>_answers_..._open_<n>`` on the vote and adjudication pages), then votes
            for toggle in at.toggle:
                if toggle.key and "_answers_" in toggle.key and "_open_" in toggle.key:
                    toggle.set_value(True)
            at = at.run()
            break
    for b in at.button:
        if b.label == label:
            assert not b.disabled, f"button {label!r} is disabled"
            return b.click().run()
    raise AssertionError(f"no button {label!r}; buttons: {[b.label for b in at.button]}")


def test_anonymity_before_vote_and_reveal_after(make_app):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    assert not at.exception, at.exception
    identities = _model_identities()
    before = "\n".join(_rendered_strings(at))
    leaked = [name for name in identities if name in before]
    assert not leaked, f"model identity rendered before the vote: {leaked}"
    # the page URL carries nothing either: the query string is empty
    assert dict(at.query_params) == {}

    at = _press(at, "A 更安全")
    assert not at.exception
    after = "\n".join(_rendered_strings(at))
    revealed = [m for m in identities if m in after]
    assert revealed, "after the vote the models must be revealed"
    assert any("已记录你的投票" in s.value for s in at.success)


def _online_table(at: AppTest):
    return next(d.value for d in at.dataframe if "对局数" in d.value.columns)


def _leaderboard_games(at: AppTest) -> int:
    return int(_online_table(at)["对局数"].sum())


def _elo_of_stored_votes(app_env) -> list[float]:
    """Elo (the column's K, from 1500) replayed over the stored human votes in id order, rounded
    as the leaderboard shows it: the votes can cancel out (the same pair won once each way)."""
    engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
    try:
        with read_session(engine) as s:
            keys = {m.id: m.key for m in s.exec(select(ArenaModel)) if not m.reference}
            votes = s.exec(select(Vote).where(Vote.source == Source.HUMAN).order_by(col(Vote.id))).all()
            games = [
                Comparison(keys[v.model_a_id], keys[v.model_b_id], outcome_from_verdict(Verdict(v.verdict)))
                for v in votes
            ]
    finally:
        engine.dispose()
    rater = EloRater(k=DEFAULT_ELO_K, initial=1500.0)
    state = rater.update(rater.initial(sorted(keys.values())), games)
    return sorted(round(r, 1) for r in state.ratings.values())


def test_annotator_votes_and_leaderboard_moves(make_app, app_env):
    lb = make_app("pages/2_leaderboard.py", user="ann1", roles=["annotator"]).run()
    assert not lb.exception
    assert _leaderboard_games(lb) == 0
    elo_before = sorted(_online_table(lb)["Elo（K=2）"].tolist())

    vote = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    for label in ("A 更安全", "两者都不安全", "B 更安全"):
        vote.session_state["vote_painted_at"] = (
            None  # a person reads first: a vote right after Next is refused
        )
        vote = _press(vote, label)
        assert not vote.exception
        vote = _press(vote, "下一题")

    lb.run()  # the same session re-runs: no restart, the cached projection folds the new votes
    assert _leaderboard_games(lb) == 6  # 3 votes x 2 models
    assert elo_before == [1500.0] * 5
    assert sorted(_online_table(lb)["Elo（K=2）"].tolist()) == _elo_of_stored_votes(app_env)
    bt = next(d.value for d in lb.dataframe if "BT 评分" in d.value.columns)
    assert int(bt["票数"].sum()) == 6


def test_double_submit_records_one_vote(make_app, app_env):
    from sqlmodel import func, select

    from storage.db.engine import make_engine
    from storage.db.models import Vote
    from storage.db.session import read_session

    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    item = at.session_state["vote_item"]
    at = _press(at, "B 更安全")
    # simulate a second submission of the very same item (double click / resent request)
    at.session_state["vote_result"] = None
    at.session_state["vote_item"] = item
    at.run()
    at = _press(at, "B 更安全")
    engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Vote)).one() == 1


def test_annotator_cannot_open_admin_page(make_app):
    at = make_app("pages/8_users.py", user="ann1", roles=["annotator"]).run()
    assert not at.exception
    assert any("无权" in e.value for e in at.error)
    assert len(at.dataframe) == 0 and len(at.text_input) == 0


def test_admin_opens_users_page(make_app):
    at = make_app("pages/8_users.py", user="admin", roles=["admin"]).run()
    assert not at.exception
    assert not at.error
    assert "admin" in at.dataframe[0].value["用户名"].tolist()


def test_menu_is_per_role(make_app):
    ann = make_app("app.py", user="ann1", roles=["annotator"]).run()
    adm = make_app("app.py", user="admin", roles=["admin"]).run()

    def links(at: AppTest) -> list[str]:
        return [n.proto.page for n in _walk(at._tree) if type(n).__name__ == "PageLink"]

    assert "users" not in links(ann)
    assert {"vote", "leaderboard"} <= set(links(ann))
    assert {"vote", "leaderboard", "users"} <= set(links(adm))


def test_unauthenticated_page_shows_login_only(make_app):
    at = make_app("pages/1_vote.py").run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert not any(b.label in VERDICT_BUTTONS for b in at.button)


def test_admin_runs_page_starts_a_collection(make_app, app_env):
    import time

    from mockllm import MockConfig, serve
    from pipeline.runs.registry import import_registry
    from storage.db.engine import make_engine
    from tests.pipeline.test_runs import DEMO, _registry

    with serve(MockConfig(demo_dir=DEMO)) as mock:
        at = make_app("pages/5_runs.py", user="admin", roles=["admin"]).run()
        engine = make_engine(f"sqlite:///{app_env / 'arena.db'}")
        import_registry(engine, _registry(app_env, mock.base_url))
        at.run()
        assert not at.exception
        ms = at.multiselect[0]
        ms.set_value(["mock-generic"])
        next(b for b in at.button if b.label == "开始").click()
        at.run()
        deadline = time.monotonic() + 30
        from pipeline.runs.overview import recent_runs

        while time.monotonic() < deadline and not (
            recent_runs(engine) and recent_runs(engine)[0].status == "finished"
        ):
            time.sleep(0.2)
        run = recent_runs(engine)[0]
        assert run.kind == "collect" and run.status == "finished" and run.done == 65
        at.run()
        assert not at.exception
        assert any("#1" in p.proto.text for p in at.get("progress"))
