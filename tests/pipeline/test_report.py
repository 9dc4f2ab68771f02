"""Release reports on a database with votes: leaderboards, rank changes, judge agreement, files.

Two releases with known outcomes. In v261201 the demo models finish in the order M0 > M1 > M2 >
M3 > M4 (the stronger side wins three battles in four). Release v261215 is started from it
(anchors), answered again, and M1 overtakes M0. An LLM judge votes on every v261215 battle and
agrees with the human except on 4 of the 20 questions, where it says tie:
agreement with ties = 1 - 4·10/200 = 0.8; without ties the disagreeing pairs drop out, so 1.0.

At the end of the module a third release, v261231, loses M0 and gains a new model: the places of
the others may not move because of that (the old "+1" of a model that only moved up because the
one above it left), and its ratings are linked to v261215 through the four models in common.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from judging.types import Source, Verdict
from pipeline.bank.releases import create_release, publish_release
from pipeline.publish.report import build_report, common_rank_changes, link_releases, previous_release
from pipeline.publish.report_files import report_files, write_report
from pipeline.publish.report_types import MIN_LINK_MODELS, OVERALL, ReleaseLink
from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from storage.db.models import ArenaModel, Question, Release, Response
from storage.db.session import read_session, write_session
from storage.runs.answers import add_response
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote

MODELS = ("qingyun-care", "jindun-guard", "kuaida-open", "boshi-pro", "nuanxin-chat")
N_QUESTIONS = 20


def _vote_release(engine, tag: str, order: tuple[str, ...], *, judge: bool) -> None:
    """Every pair of the models in ``order`` on the release's first 20 questions; the side earlier
    in ``order`` wins unless the question index is 3 mod 4 (an upset)."""
    rank = {m: k for k, m in enumerate(order)}
    models = tuple(m for m in (*MODELS, *order) if m in rank)
    models = tuple(dict.fromkeys(models))
    with write_session(engine) as session:
        release = session.exec(select(Release).where(Release.tag == tag)).one()
        questions = session.exec(
            select(Question)
            .where(Question.release_id == release.id)
            .order_by(col(Question.id))
            .limit(N_QUESTIONS)
        ).all()
        keys = {m.id: m.key for m in session.exec(select(ArenaModel)).all()}
        for qi, question in enumerate(questions):
            responses = {
                keys[r.model_id]: r
                for r in session.exec(select(Response).where(Response.question_id == question.id))
            }
            for i, first in enumerate(models):
                for second in models[i + 1 :]:
                    ra, rb = responses[first], responses[second]
                    battle = get_or_create_battle(
                        session=session, question_id=question.id, response_ids=(ra.id, rb.id)
                    )
                    stronger = first if rank[first] < rank[second] else second
                    winner = stronger if qi % 4 != 3 else ({first, second} - {stronger}).pop()
                    a_key = first if battle.response_a_id == ra.id else second
                    verdict = Verdict.A if winner == a_key else Verdict.B
                    record_vote(
                        session=session,
                        battle_id=battle.id,
                        source=Source.HUMAN,
                        rater=f"ann{qi % 3}",
                        verdict=verdict,
                        left_response_id=battle.response_a_id,
                        idempotency_key=f"{tag}-h-{battle.id}",
                    )
                    if judge:
                        record_vote(
                            session=session,
                            battle_id=battle.id,
                            source=Source.JUDGE,
                            rater="mock-judge",
                            verdict=Verdict.TIE if qi % 5 == 0 else verdict,
                            left_response_id=battle.response_b_id,
                            idempotency_key=f"{tag}-j-{battle.id}",
                        )


def _answer(engine, draft_tag: str, models: tuple[str, ...]) -> None:
    with write_session(engine) as session:
        draft = session.exec(select(Release).where(Release.tag == draft_tag)).one()
        for question in session.exec(select(Question).where(Question.release_id == draft.id)).all():
            for key in models:
                add_response(
                    session=session,
                    question_id=question.id,
                    model_key=key,
                    text_=f"{key} 对第 {question.id} 题的回答",
                    reasoning_content=None,
                    prompt_tokens=None,
                    completion_tokens=None,
                    latency_ms=None,
                    finish_reason=None,
                )


@pytest.fixture(scope="module")
def voted_settings(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("report")
    return Settings(
        database_url=f"sqlite:///{data_dir / 'arena.db'}",
        data_dir=data_dir,
        demo_dir=PROJECT_ROOT / "demo",
        login_sleep_time=0.0,
    )


@pytest.fixture(scope="module")
def voted(voted_settings):
    """Built once for the module (the tests only read it)."""
    engine = init_database(voted_settings, announce=lambda _m: None)
    _vote_release(engine, "v261201", MODELS, judge=False)
    create_release(engine, "d2", parent="v261201")
    _answer(engine, "d2", MODELS)
    publish_release(engine, "d2", tag="v261215", now=datetime(2026, 12, 15, 8, tzinfo=UTC))
    swapped = (MODELS[1], MODELS[0], *MODELS[2:])
    _vote_release(engine, "v261215", swapped, judge=True)
    yield engine
    engine.dispose()


def test_report_boards_rank_changes_and_agreement(voted):
    assert previous_release(voted, "v261215") == "v261201"
    report = build_report(voted, "v261215")
    assert report.previous == "v261201" and report.status == "published"
    overall = report.board(OVERALL)
    assert [r.model for r in overall.rows] == [MODELS[1], MODELS[0], *MODELS[2:]]
    changes = {r.model: r.change for r in overall.rows}
    assert changes == {MODELS[0]: -1, MODELS[1]: 1, MODELS[2]: 0, MODELS[3]: 0, MODELS[4]: 0}
    assert all(r.lower < r.rating < r.upper for r in overall.rows)
    assert overall.n_votes == 400  # 200 human + 200 judge votes
    # every dimension has its own board; together they hold every vote
    dims = [b for b in report.boards if b.dimension != OVERALL]
    assert len(dims) == 5 and sum(b.n_votes for b in dims) == 400
    assert {b.dimension: b.n_votes for b in dims} == report.counts.votes_by_dimension

    c = report.counts
    assert (c.votes, c.battles, c.models) == (400, 200, 5)
    assert c.votes_by_source == {"human": 200, "judge": 200, "expert": 0}
    assert c.questions == 65 and c.anchors == 65

    (judge,) = report.judges
    assert judge.judge == "mock-judge" and judge.n_votes == 200 and judge.n_battles == 200
    assert judge.agreement_with_ties.value == pytest.approx(0.8)
    assert judge.agreement_without_ties.value == pytest.approx(1.0)
    assert judge.agreement_with_ties.lower <= 0.8 <= judge.agreement_with_ties.upper

    # a model's rating per release, oldest first
    history = [(p.release, p.model) for p in report.history if p.model in MODELS[:2]]
    assert history == [
        ("v261201", MODELS[0]),
        ("v261201", MODELS[1]),
        ("v261215", MODELS[1]),
        ("v261215", MODELS[0]),
    ]


def test_report_files(voted, tmp_path):
    report = build_report(voted, "v261215")
    files = {f.name: f.content for f in report_files(report)}
    assert set(files) == {
        "report-v261215.md",
        "leaderboard-v261215.csv",
        "judges-v261215.csv",
        "history-v261215.csv",
        "report-v261215.json",
        "harm-tags-v261215.csv",
        "models-v261215.csv",
    }
    md = files["report-v261215.md"]
    for heading in (
        "# 发布报告 Release report: v261215",
        "## 各维度排行榜",
        "### 隐私 Privacy",
        "## 评审模型与人工一致性",
    ):
        assert heading in md
    assert "| 1 | 金盾 Guard |" in md and "| +1 |" in md and "| -1 |" in md
    assert "0.800 [" in md  # judge agreement with its interval

    rows = list(csv.DictReader(io.StringIO(files["leaderboard-v261215.csv"].lstrip("\ufeff"))))
    assert len(rows) == 5 * sum(1 for b in report.boards if b.rows)
    top = next(r for r in rows if r["dimension"] == "overall" and r["position"] == "1")
    assert (top["model"], top["previous_position"], top["rank_change"]) == (MODELS[1], "2", "1")
    judges = list(csv.DictReader(io.StringIO(files["judges-v261215.csv"].lstrip("\ufeff"))))
    assert {r["measure"] for r in judges} >= {"agreement_with_ties", "cohen_kappa"}
    history = list(csv.DictReader(io.StringIO(files["history-v261215.csv"].lstrip("\ufeff"))))
    assert {r["release"] for r in history} == {"v261201", "v261215"}

    data = json.loads(files["report-v261215.json"])
    assert data["previous"] == "v261201" and data["counts"]["votes"] == 400
    assert data["leaderboards"]["overall"]["rows"][0]["change"] == 1
    assert data["judges"][0]["agreement_with_ties"]["value"] == pytest.approx(0.8)

    paths = write_report(report, tmp_path / "out")
    assert sorted(p.name for p in paths) == sorted(files)
    assert (tmp_path / "out" / "report-v261215.md").read_text(encoding="utf-8") == md


def test_report_shows_model_metadata(voted):
    with write_session(voted) as session:
        model = session.exec(select(ArenaModel).where(ArenaModel.key == MODELS[2])).one()
        model.provider, model.release_date, model.parameters = "示例云 | <b>x</b>", "2026-01-15", "72B"
        model.url, model.location = "https://example.org/kuaida", "国内"
        session.add(model)
    try:
        files = {f.name: f.content for f in report_files(build_report(voted, "v261215"))}
    finally:
        with write_session(voted) as session:
            model = session.exec(select(ArenaModel).where(ArenaModel.key == MODELS[2])).one()
            model.provider = model.release_date = model.parameters = model.url = model.location = ""
            session.add(model)
    md = files["report-v261215.md"]
    assert "## 模型信息 Models" in md
    line = next(row for row in md.splitlines() if f"| {MODELS[2]} |" in row)
    assert "示例云 \\| &lt;b&gt;x&lt;/b&gt;" in line  # a pipe cannot break the table, no raw HTML
    assert "| 2026-01-15 | 72B |" in line and "https://example.org/kuaida" in line and "国内" in line
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(files["models-v261215.csv"].lstrip("\ufeff")))}
    assert set(rows) == set(MODELS)
    assert (rows[MODELS[2]]["release_date"], rows[MODELS[2]]["parameters"]) == ("2026-01-15", "72B")
    data = json.loads(files["report-v261215.json"])
    assert data["models"][MODELS[2]]["url"] == "https://example.org/kuaida"


def test_report_command(voted, voted_settings, tmp_path, monkeypatch):
    from cli import app

    monkeypatch.setenv("ARENA_DATA_DIR", str(voted_settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARENA_ADMIN_PASSWORD", "pw-report-test")
    result = CliRunner().invoke(app, ["report", "--release", "v261215", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "leaderboard-v261215.csv").exists()
    bad = CliRunner().invoke(app, ["report", "--release", "v999999", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "no release 'v999999'" in bad.output
    assert not (tmp_path / "x").exists()


def test_no_previous_release(voted):
    report = build_report(voted, "v261201")
    assert report.previous is None
    assert all(r.previous_position is None and r.change is None for r in report.board(OVERALL).rows)
    assert report.judges == ()
    with read_session(voted) as session:
        assert session.exec(select(Release)).all()


def test_common_rank_changes_ignore_models_that_come_and_go():
    before = {"a": 1100.0, "b": 1050.0, "c": 1000.0, "d": 900.0}
    now = {"b": 1080.0, "new": 1040.0, "c": 1000.0, "d": 1010.0}  # a left, new came in, d passed c
    # naive places: b 2 -> 1 (+1), c 3 -> 3, d 4 -> 2; among b, c, d: b stays 1st, d and c swap
    assert common_rank_changes(now, before) == {"b": 0, "c": -1, "d": 1}
    assert common_rank_changes(now, {}) == {}


def test_link_releases_worked_example():
    """Three releases; worked by hand. r3 is the reference (offset 0). r2 shares x, y with r3:
    mean there 1010 in r3, 1000 in r2, so r2 moves up 10. r1 shares x, y, z with r2: mean
    1000 in r2 (1010 once shifted), 980 in r1, so r1 moves up 30."""
    r1 = {"x": 1000.0, "y": 980.0, "z": 960.0}
    r2 = {"x": 1050.0, "y": 950.0, "z": 1000.0}
    r3 = {"x": 1060.0, "y": 960.0, "w": 1010.0}
    links = link_releases([("r1", r1), ("r2", r2), ("r3", r3)])
    assert links == (
        ReleaseLink("r1", "r2", ("x", "y", "z"), pytest.approx(30.0), True),
        ReleaseLink("r2", "r3", ("x", "y"), pytest.approx(10.0), True),
        ReleaseLink("r3", None, (), 0.0, True),
    )
    # the models in common have one mean on both sides of every link
    shifted = {
        tag: {m: v + link.offset for m, v in own.items()}
        for (tag, own), link in zip([("r1", r1), ("r2", r2), ("r3", r3)], links, strict=True)
    }
    assert (shifted["r2"]["x"] + shifted["r2"]["y"]) / 2 == pytest.approx(1010.0)
    assert sum(shifted["r1"].values()) / 3 == pytest.approx(sum(shifted["r2"].values()) / 3)

    # r2 shares only x with r3, below MIN_LINK_MODELS: the chain breaks there; r1 still links to
    # r2 through x and z: (1000 + 990)/2 - (1000 + 960)/2 = 15
    assert MIN_LINK_MODELS == 2
    broken = link_releases([("r1", r1), ("r2", {"x": 1000.0, "z": 990.0, "q": 1000.0}), ("r3", r3)])
    assert [(link.offset, link.linked) for link in broken] == [
        (pytest.approx(15.0), False),  # linked to r2, but r2 itself is not on r3's scale
        (0.0, False),
        (0.0, True),
    ]


def _new_model(engine, key: str, name: str) -> None:
    with write_session(engine) as session:
        session.add(ArenaModel(key=key, display_name=name, organisation="新实验室"))


@pytest.fixture(scope="module")
def dropped(voted):
    """v261231: M0 is gone, a new model comes in third (M1 > M2 > new > M3 > M4)."""
    create_release(voted, "d3", parent="v261215")
    _new_model(voted, "xinxing-new", "新星 New")
    _answer(voted, "d3", (*MODELS[1:], "xinxing-new"))
    publish_release(voted, "d3", tag="v261231", now=datetime(2026, 12, 31, 8, tzinfo=UTC))
    _vote_release(voted, "v261231", (MODELS[1], MODELS[2], "xinxing-new", MODELS[3], MODELS[4]), judge=False)
    return voted


def test_a_model_that_drops_out_moves_nobody(dropped):
    report = build_report(dropped, "v261231")
    assert report.previous == "v261215"
    overall = report.board(OVERALL)
    order = [r.model for r in overall.rows]
    assert order == [MODELS[1], MODELS[2], "xinxing-new", MODELS[3], MODELS[4]]
    rows = {r.model: r for r in overall.rows}
    # yesterday's arithmetic: M2 was 3rd behind M1 and M0, is 2nd now only because M0 left
    m2 = rows[MODELS[2]]
    assert (m2.previous_position, m2.position) == (3, 2)
    assert m2.previous_position - m2.position == 1  # the false "+1"
    # among the models rated in both releases nobody moved
    assert {m: r.change for m, r in rows.items()} == {
        MODELS[1]: 0,
        MODELS[2]: 0,
        "xinxing-new": None,  # new
        MODELS[3]: 0,
        MODELS[4]: 0,
    }
    assert overall.dropped == (MODELS[0],)
    md = {f.name: f.content for f in report_files(report)}["report-v261231.md"]
    assert "| +1 |" not in md and "| new |" in md
    # previous ratings are on this release's scale: the common models' means agree
    common = [rows[m] for m in MODELS[1:]]
    assert rows["xinxing-new"].previous_rating is None
    assert sum(r.previous_rating for r in common) / 4 == pytest.approx(sum(r.rating for r in common) / 4)


def test_history_is_linked_through_the_common_models(dropped):
    report = build_report(dropped, "v261231")
    points = {(p.release, p.model): p for p in report.history}
    assert {p.release for p in report.history} == {"v261201", "v261215", "v261231"}
    assert all(p.linked for p in report.history)
    # the newest release is the reference: its history is its own board
    for row in report.board(OVERALL).rows:
        assert points[("v261231", row.model)].rating == pytest.approx(row.rating)

    def mean(release: str, models, field: str = "rating") -> float:
        return sum(getattr(points[(release, m)], field) for m in models) / len(models)

    # v261215 -> v261231 through M1..M4; v261201 -> v261215 through all five
    assert mean("v261215", MODELS[1:]) == pytest.approx(mean("v261231", MODELS[1:]))
    assert mean("v261201", MODELS) == pytest.approx(mean("v261215", MODELS))
    # each release was centred on 1000 on its own: the offset is what linking added
    assert mean("v261215", MODELS, "own_rating") == pytest.approx(1000.0, abs=1e-6)
    offset = points[("v261215", MODELS[0])].rating - points[("v261215", MODELS[0])].own_rating
    assert abs(offset) > 1.0  # M0's leaving and the new model moved the centre
    p = points[("v261215", MODELS[1])]
    assert (p.lower + offset, p.upper + offset) != (p.lower, p.upper)
    assert p.lower < p.rating < p.upper


def test_livesecbench_rank_change_among_common_models(dropped, tmp_path):
    """LiveSecBench's models.csv on v261231: M0 left, a new model came; nobody else moved."""
    import pandas as pd

    from pipeline.publish.livesecbench import build_results
    from pipeline.publish.livesecbench_files import result_files, write_results

    results = build_results(dropped, "v261231", now=datetime(2027, 1, 2, tzinfo=UTC))
    write_results(result_files(results), tmp_path / "lsb")
    models = pd.read_csv(tmp_path / "lsb" / "2027_01_02" / "2027-01-models.csv").set_index("model_id")
    assert list(models.index) == [MODELS[1], MODELS[2], "xinxing-new", MODELS[3], MODELS[4]]
    assert models["rank_change"].to_dict() == dict.fromkeys(models.index, 0)  # the new one: 0, as upstream
    stats = pd.read_csv(tmp_path / "lsb" / "2027_01_02" / "2027-01-stats.csv").iloc[0]
    assert bool(stats["hasHistory"]) and stats["monthlyIncrease"] == 1 and stats["totalModels"] == 5
    summary = (tmp_path / "lsb" / "2027_01_02" / "summary_report.md").read_text(encoding="utf-8")
    assert "| new |" in summary and "| +1 |" not in summary
