"""The adjudication page with AppTest: a ruling is final (human votes overruled, out of exports), a
later ruling supersedes it, conflicts of interest, no default verdict, a double submit records one
ruling, and every vote in the battle's one A/B order with the order its rater saw."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from judging.ledger import Status
from judging.types import Source, Verdict
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from pipeline.workflow.adjudication import (
    AdjudicationSettings,
    load_adjudication_settings,
    save_adjudication_settings,
)
from pipeline.workflow.voting import flag_item
from storage.db.models import Battle, Response
from storage.db.session import read_session, write_session
from storage.people.audit import recent_audit
from storage.votes.ledger import statuses_of
from storage.votes.record import record_vote
from storage.workflow.adjudication import battle_votes
from tests.app.test_vote_flow import _press
from tests.seeding import pick_battle_for
from ui.components import inert_markdown
from ui.i18n import translate

PAGE = "pages/3_adjudicate.py"
RATIONALE_1 = "左边的回答给出了求助渠道，更安全。"  # ann1 saw B on the left: their "left" is 回答B
RATIONALE_2 = "两条都**不安全**，都给了细节。"


def zh(key: str, **kwargs) -> str:
    return translate(key, "zh", **kwargs)


@dataclass(frozen=True)
class Seeded:
    battle_id: int
    response_a_id: int
    response_b_id: int
    text_a: str
    text_b: str
    human_ids: tuple[int, ...]


def _engine():
    return prepare(Settings.from_env(), announce=lambda _m: None)


def _seed(*, extra_voter: str | None = None) -> Seeded:
    """One battle two annotators disagree on: ann1 saw 回答B on the left and said the left one is
    safer (stored as B), ann2 saw 回答A on the left and said both are unsafe; a judge vote too."""
    engine = _engine()
    with write_session(engine) as session:
        battle = pick_battle_for(session=session, rater="seed", rng=random.Random(5))
        assert isinstance(battle, Battle) and battle.id is not None
        a, b = battle.response_a_id, battle.response_b_id
        votes = [
            ("ann1", Source.HUMAN, Verdict.B, b, RATIONALE_1),
            ("ann2", Source.HUMAN, Verdict.BOTH_UNSAFE, a, RATIONALE_2),
        ]
        if extra_voter is not None:
            votes.append((extra_voter, Source.HUMAN, Verdict.A, a, ""))
        human_ids = tuple(
            record_vote(
                session=session,
                battle_id=battle.id,
                source=source,
                rater=rater,
                verdict=verdict,
                left_response_id=left,
                idempotency_key=f"seed|{rater}",
                rationale=rationale,
            ).vote_id
            for rater, source, verdict, left, rationale in votes
        )
        record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.JUDGE,
            rater="mock-judge",
            verdict=Verdict.A,
            left_response_id=b,
            idempotency_key="seed|judge",
            rationale="回答B 更安全",  # the judge's "B" is what it saw on the right: 回答A
        )
        seeded = Seeded(
            battle.id,
            a,
            b,
            session.get(Response, a).text,
            session.get(Response, b).text,
            human_ids,
        )
    engine.dispose()
    return seeded


def _rulings(battle_id: int) -> list:
    engine = _engine()
    with read_session(engine) as session:
        rows = [v for v in battle_votes(session=session, battle_id=battle_id) if v.source is Source.EXPERT]
    engine.dispose()
    return rows


def _statuses(vote_ids) -> dict[int, Status]:
    engine = _engine()
    with read_session(engine) as session:
        out = statuses_of(session=session, vote_ids=vote_ids)
    engine.dispose()
    return out


def _verdict_radio(at, lang: str = "zh"):
    (radio,) = [r for r in at.radio if r.label == translate("adj.your_verdict", lang)]
    return radio


def _rule(at, verdict: Verdict, rationale: str):
    _verdict_radio(at).set_value(verdict)
    at.text_area[0].input(rationale)
    return _press(at, zh("adj.submit"))


def _texts(at) -> list[str]:
    """The page's markdown and captions in the order they are shown."""
    return [node.value for node in at.main if getattr(node, "type", None) in ("markdown", "caption")]


def _export_raters(**kwargs) -> list[str]:
    engine = _engine()
    text = export_votes(engine, format=VotesExportFormat.CSV, **kwargs, real_names=True)
    engine.dispose()
    return [row["rater"] for row in csv.DictReader(io.StringIO(text))]


def test_a_ruling_overrules_the_human_votes_and_leaves_exports(make_app):
    at = make_app(PAGE, user="doc", roles=["expert"])
    seeded = _seed()
    assert {"ann1", "ann2"} <= set(_export_raters())
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="adj_case").value == seeded.battle_id
    at = _rule(at, Verdict.A, "回答A 给出了求助热线。")
    assert not at.exception, at.exception
    assert any(s.value == zh("adj.done") for s in at.success)

    (ruling,) = _rulings(seeded.battle_id)
    assert ruling.rater == "doc" and ruling.verdict is Verdict.A and ruling.status is Status.STANDING
    assert ruling.left_response_id == seeded.response_a_id  # ruled about the canonical order
    assert set(_statuses(seeded.human_ids).values()) == {Status.OVERRULED}
    # exports count what stands: the ruling and the judge, not the overruled annotators
    raters = _export_raters()
    assert "doc" in raters and "mock-judge" in raters
    assert "ann1" not in raters and "ann2" not in raters
    assert {"ann1", "ann2"} <= set(_export_raters(include_overruled=True))


def test_a_later_ruling_supersedes_the_earlier_one(make_app):
    first = make_app(PAGE, user="doc", roles=["expert"])
    seeded = _seed()
    first = _rule(first.run(), Verdict.A, "第一位专家：A 更好。")
    assert not first.exception, first.exception

    second = make_app(PAGE, user="doc2", roles=["expert"]).run()
    assert any(i.value == zh("adj.none") for i in second.info)  # ruled: out of the open queue
    second.toggle(key="adj_show_ruled").set_value(True).run()
    assert second.selectbox(key="adj_ruled").value == seeded.battle_id
    assert any(zh("adj.ruling.standing") in text for text in _texts(second))
    assert _verdict_radio(second).value is None  # re-ruling starts without a verdict too
    second = _rule(second, Verdict.BOTH_UNSAFE, "第二位专家：两条都不安全。")
    assert not second.exception, second.exception

    old, new = _rulings(seeded.battle_id)
    assert (old.rater, old.status) == ("doc", Status.SUPERSEDED)
    assert (new.rater, new.status, new.verdict) == ("doc2", Status.STANDING, Verdict.BOTH_UNSAFE)
    assert set(_statuses(seeded.human_ids).values()) == {Status.OVERRULED}
    engine = _engine()
    with read_session(engine) as session:
        audit = [e for e in recent_audit(session=session) if e.action == "adjudicate"]
    engine.dispose()
    by_actor = {e.actor: e.detail for e in audit}
    assert by_actor["doc"]["rationale"] == "第一位专家：A 更好。"
    assert by_actor["doc"]["supersedes_ruling"] is None
    assert by_actor["doc2"]["rationale"] == "第二位专家：两条都不安全。"
    assert by_actor["doc2"]["supersedes_ruling"] == old.vote_id
    # the page's history: who, which ruling stands, which was superseded, and why
    second.toggle(key="adj_show_ruled").set_value(True).run()
    texts = "\n".join(_texts(second))
    assert zh("adj.ruling.superseded") in texts and zh("adj.ruling.standing") in texts
    assert inert_markdown("第一位专家：A 更好。") in texts
    assert inert_markdown("第二位专家：两条都不安全。") in texts


def test_an_expert_who_voted_or_flagged_may_not_rule_unless_allowed(make_app):
    voter = make_app(PAGE, user="exp1", roles=["expert"])
    seeded = _seed(extra_voter="exp1")
    engine = _engine()
    flag_item(engine, battle_id=seeded.battle_id, username="exp2", reason="请复核")
    engine.dispose()

    voter.run()
    assert not voter.exception, voter.exception
    assert voter.selectbox(key="adj_case").value == seeded.battle_id
    assert any(w.value == zh("adj.conflict.voted_on") for w in voter.warning)
    assert not [r for r in voter.radio if r.label == zh("adj.your_verdict")]  # no ruling form
    assert not [b for b in voter.button if b.label == zh("adj.submit")]
    flagger = make_app(PAGE, user="exp2", roles=["expert"]).run()
    assert any(w.value == zh("adj.conflict.flagged") for w in flagger.warning)
    assert not [b for b in flagger.button if b.label == zh("adj.submit")]
    assert _rulings(seeded.battle_id) == []  # nothing written

    # a team of one: the admin allows it on the queue page
    admin = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    assert not admin.exception, admin.exception
    admin.checkbox(key="adj_allow_self").check()
    (save,) = [
        b for b in admin.button if b.label == zh("queue.save") and b.form_id == "adjudication_settings"
    ]
    save.click().run()
    assert not admin.exception, admin.exception
    engine = _engine()
    assert load_adjudication_settings(engine).allow_self_adjudication
    engine.dispose()

    voter = make_app(PAGE, user="exp1", roles=["expert"]).run()
    # no conflict warning now (the question's content warning, if it has a category, stays)
    assert not [w for w in voter.warning if not w.value.startswith("内容提示")]
    assert any(c.value == zh("adj.conflict_allowed") for c in voter.caption)
    voter = _rule(voter, Verdict.A, "单人团队，自己裁决。")
    assert not voter.exception, voter.exception
    (ruling,) = _rulings(seeded.battle_id)
    assert ruling.rater == "exp1" and ruling.status is Status.STANDING

    # switched off again: refused again
    engine = _engine()
    save_adjudication_settings(engine, AdjudicationSettings(allow_self_adjudication=False), actor="boss")
    engine.dispose()
    again = make_app(PAGE, user="exp2", roles=["expert"])
    again.session_state["adj_show_ruled"] = True
    again.run()
    assert any(w.value == zh("adj.conflict.flagged") for w in again.warning)


def test_no_verdict_is_preselected_and_a_submit_without_one_is_refused(make_app):
    at = make_app(PAGE, user="doc", roles=["expert"])
    seeded = _seed()
    at.run()
    radio = _verdict_radio(at)
    assert radio.value is None and radio.index is None
    at.text_area[0].input("忘了选结论")
    at = _press(at, zh("adj.submit"))
    assert not at.exception, at.exception
    assert any(e.value == zh("adj.no_verdict") for e in at.error)
    assert _rulings(seeded.battle_id) == []


def test_a_double_submit_records_one_ruling_and_says_so(make_app):
    at = make_app(PAGE, user="doc", roles=["expert"])
    seeded = _seed()
    key_name = f"adj_key_{seeded.battle_id}"
    at.session_state[key_name] = "same-click"
    at = _rule(at.run(), Verdict.B, "第一次点击")
    assert not at.exception, at.exception
    assert len(_rulings(seeded.battle_id)) == 1
    # the second click of a double click arrives with the same idempotency key
    at.toggle(key="adj_show_ruled").set_value(True)
    at.session_state[key_name] = "same-click"
    at.run()
    assert at.selectbox(key="adj_ruled").value == seeded.battle_id
    at = _rule(at, Verdict.B, "第一次点击")
    assert not at.exception, at.exception
    assert any(i.value == zh("adj.duplicate") for i in at.info)
    assert len(_rulings(seeded.battle_id)) == 1


def test_votes_are_shown_in_the_battles_order_with_the_order_their_rater_saw(make_app):
    at = make_app(PAGE, user="doc", roles=["expert"])
    seeded = _seed()
    at.run()
    assert not at.exception, at.exception
    texts = _texts(at)
    # the answers: 回答A is the response with the smaller id, then 回答B
    a_title, b_title = texts.index("**回答A**"), texts.index("**回答B**")
    assert a_title < b_title
    assert texts[a_title + 1] == inert_markdown(seeded.text_a)
    assert texts[b_title + 1] == inert_markdown(seeded.text_b)

    def card(rater: str) -> list[str]:
        start = next(i for i, x in enumerate(texts) if f"· {inert_markdown(rater)}**" in x)
        end = next(
            (i for i in range(start + 1, len(texts)) if "**" in texts[i] and "·" in texts[i]), len(texts)
        )
        return texts[start:end]

    ann1 = card("ann1")
    assert zh("ledger.status.standing") in ann1[0]
    # ann1 saw 回答B on the left and said "left is safer": stored and shown as 回答B, with the order
    assert "评分者看到的顺序：左=B，右=A" in ann1
    assert any(x.startswith("结论：**回答B 更安全**") and zh("battle.shown.A") in x for x in ann1)
    # the rationale (about the left answer) sits under the explicit order it was written in
    rationale_at = ann1.index(inert_markdown(RATIONALE_1))
    assert ann1[rationale_at - 1] == zh("battle.rationale", left="B", right="A")
    ann2 = card("ann2")
    assert "评分者看到的顺序：左=A，右=B" in ann2
    assert inert_markdown(RATIONALE_2) in ann2 and "**不安全**" not in "\n".join(ann2)  # inert
    judge = card("mock-judge")
    assert "评分者看到的顺序：左=B，右=A" in judge
    assert any(x.startswith("结论：**回答A 更安全**") for x in judge)

    # once ruled, the page says so for each annotator vote
    at = _rule(at, Verdict.A, "裁决")
    at.toggle(key="adj_show_ruled").set_value(True).run()
    texts = _texts(at)
    assert zh("ledger.status.overruled") in card("ann1")[0]


def test_the_panel_in_english(make_app):
    at = make_app(PAGE, user="doc", roles=["expert"])
    _seed()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    texts = _texts(at)
    assert "**Answer A**" in texts and "**Answer B**" in texts
    assert "Rater saw: left = B, right = A" in texts and "Rater saw: left = A, right = B" in texts
    assert _verdict_radio(at, "en").value is None
