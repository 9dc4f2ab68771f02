"""The calibration page with AppTest: empty database, judge and human votes, the role guard, and
the drill-down from a confusion cell to the battles behind it."""

from __future__ import annotations

import random

from judging.types import Source, Verdict
from mockllm import graded_verdict
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from storage.db.models import Battle, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import list_models
from storage.votes.record import record_vote
from tests.seeding import pick_battle_for
from ui.components import inert_markdown
from ui.i18n import translate

PAGE = "pages/4_calibration.py"
JUDGE = "biased-judge"


def zh(key: str, **kwargs) -> str:
    return translate(key, "zh", **kwargs)


def _seed_votes(n_battles: int = 24) -> None:
    """A judge that always picks the first-shown answer, judging each battle in both orders, and
    two honest annotators (verdicts from the demo grades) on the same battles."""
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    rng = random.Random(11)
    with write_session(engine) as session:
        for k in range(n_battles):
            battle = pick_battle_for(session=session, rater=JUDGE, rng=rng)
            assert isinstance(battle, Battle) and battle.id is not None
            for left, verdict in ((battle.response_a_id, Verdict.A), (battle.response_b_id, Verdict.B)):
                record_vote(
                    session=session,
                    battle_id=battle.id,
                    source=Source.JUDGE,
                    rater=JUDGE,
                    verdict=verdict,
                    left_response_id=left,
                    idempotency_key=f"j|{battle.id}|{left}",
                )
            honest = graded_verdict(
                session.get(Response, battle.response_a_id).grade,
                session.get(Response, battle.response_b_id).grade,
            )
            for j, rater in enumerate(("ann1", "ann2")):
                if k >= 16 and j:
                    continue  # the last battles have one human vote only
                record_vote(
                    session=session,
                    battle_id=battle.id,
                    source=Source.HUMAN,
                    rater=rater,
                    verdict=honest,
                    left_response_id=battle.response_a_id if (k + j) % 2 else battle.response_b_id,
                    idempotency_key=f"h|{battle.id}|{rater}",
                )
    engine.dispose()


def frames_with(at, column: str) -> list:
    """The tables that have ``column`` (AppTest keeps no keys on read-only dataframes)."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def _display_names() -> list[str]:
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    with read_session(engine) as session:
        names = [m.display_name for m in list_models(session=session)]
    engine.dispose()
    return names


def test_annotator_is_refused(make_app):
    at = make_app(PAGE, user="anna", roles=["annotator"])
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [zh("auth.forbidden")]
    assert not at.title


def test_expert_sees_an_empty_page_without_votes(make_app):
    at = make_app(PAGE, user="exp", roles=["expert"])
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == zh("cal.title")
    assert zh("cal.no_votes") in [i.value for i in at.info]
    # the export is there even without votes
    assert at.selectbox(key="cal_export_format") is not None


def test_page_with_judge_and_human_votes(make_app):
    at = make_app(PAGE, user="exp", roles=["expert"])
    _seed_votes()
    at.run()
    assert not at.exception, at.exception
    (agreement,) = frames_with(at, zh("cal.with_ties"))
    assert agreement[zh("cal.judge")].tolist() == [JUDGE]
    assert agreement[zh("cal.n_votes")].tolist() == [16 * 2 + 8]
    (bias,) = frames_with(at, zh("cal.first_shown"))
    first_shown = bias.set_index(zh("cal.rater")).loc[JUDGE, zh("cal.first_shown")]
    assert first_shown.startswith("1.000")  # the judge always picks the first-shown answer
    assert bias.set_index(zh("cal.rater")).loc[JUDGE, zh("cal.swap")].startswith("0.000")
    # the corrected board beside the judge-only and human-only boards, and what it rests on
    rests_on = zh("cal.rests_on", n=40, battles=24, judge=48, all=24, power="").split("λ")[0]
    assert any(m.value.startswith(rests_on) for m in at.markdown)
    corrected, judge_only, human_only = frames_with(at, zh("lb.rank_range"))
    for board in (corrected, judge_only, human_only):
        models = set(board[zh("lb.model")].str.replace(" " + zh("lb.provisional"), ""))
        assert models and models <= set(_display_names())  # the boards do name the models


def test_drill_down_shows_the_battles_behind_a_cell(make_app):
    at = make_app(PAGE, user="boss", roles=["admin"])
    _seed_votes()
    at.run()
    assert not at.exception, at.exception
    cell = at.selectbox(key=f"cal_db_cell_{JUDGE}")
    start = cell.value
    assert start[0] is not start[1]  # the page opens on a disagreement
    # every non-empty cell is offered; each lists the battles whose votes it counts
    cells = [(h, j) for h in Verdict for j in Verdict if cell.format_func((h, j)) in cell.options]
    assert len(cells) == len(cell.options) >= 2
    for human, judged in [c for c in cells if c != start] + [start]:
        at.selectbox(key=f"cal_db_cell_{JUDGE}").set_value((human, judged)).run()
        assert not at.exception, at.exception
        (battles,) = frames_with(at, zh("cal.human_votes_in_cell"))
        votes_in_cell = int(battles[zh("cal.human_votes_in_cell")].sum())
        label = zh(
            "cal.cell_label",
            human=zh(f"verdict.{human.value}"),
            judge=zh(f"verdict.{judged.value}"),
            n=votes_in_cell,
        )
        assert label in cell.options  # the cell's count is the number of votes behind it
        assert set(battles[zh("cal.judge_verdict")]) == {zh(f"verdict.{judged.value}")}
    # open the first battle of the cell: question and both answers, inert, and every vote
    opened = at.selectbox(key=f"cal_db_open_{JUDGE}_{human.value}_{judged.value}").value
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    with read_session(engine) as session:
        battle = session.get(Battle, opened.battle_id)
        texts = [
            session.get(Response, battle.response_a_id).text,
            session.get(Response, battle.response_b_id).text,
        ]
    engine.dispose()
    shown = "\n".join(m.value for m in at.markdown)
    for text in texts:
        first_line = text.splitlines()[0]
        assert inert_markdown(first_line)[:20] in shown
    # the answers in the battle's canonical order (回答A = the smaller response id), whatever the
    # matrix's name order; each vote card says which answer its rater saw on the left
    assert shown.index(inert_markdown(texts[0].splitlines()[0])[:20]) < shown.index(
        inert_markdown(texts[1].splitlines()[0])[:20]
    )
    lines = shown.splitlines()
    judge_heads = [i for i, line in enumerate(lines) if f"· {inert_markdown(JUDGE)}**" in line]
    assert len(judge_heads) == 2  # both shown orders
    seen = [next(x for x in lines[i:] if x.startswith("评分者看到的顺序")) for i in judge_heads]
    assert sorted(seen) == ["评分者看到的顺序：左=A，右=B", "评分者看到的顺序：左=B，右=A"]
    assert any("· ann1**" in line for line in lines)
    matrix_a = zh("battle.answer_a") if opened.a_is_low else zh("battle.answer_b")
    assert any(c.value == zh("battle.matrix_a", side=matrix_a) for c in at.caption)
    # model identities: the leaderboards need them, the drill-down does not show them
    names = _display_names()
    assert not any(name in shown for name in names)
    for frame in frames_with(at, zh("cal.human_votes_in_cell")):
        assert not any(name in frame.to_string() for name in names)
