"""The leaderboard page's model table (AppTest): the registry's metadata beside the board, as
data cells (a hostile provider name stays text)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from judging.types import Source, Verdict
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from storage.db.models import ArenaModel, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote

HOSTILE = "**粗体** <script>alert(1)</script>"


def _seed() -> tuple[str, str]:
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    with read_session(engine) as session:
        responses = session.exec(select(Response).order_by(Response.question_id, Response.id)).all()
    first = responses[0]
    second = next(r for r in responses[1:] if r.question_id == first.question_id)
    with write_session(engine) as session:
        battle = get_or_create_battle(
            session=session, question_id=first.question_id, response_ids=(first.id, second.id)
        )
        record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.HUMAN,
            rater="ann",
            verdict=Verdict.A,
            left_response_id=battle.response_a_id,
            idempotency_key="lb-models-1",
        )
        model = session.get(ArenaModel, first.model_id)
        assert model is not None
        model.provider, model.release_date, model.parameters = HOSTILE, "2026-01-15", "72B"
        model.url, model.location, model.open_source = "https://example.org/m", "国内", True
        session.add(model)
        other = session.get(ArenaModel, second.model_id)
        assert other is not None
        names = (model.display_name, other.display_name)
    engine.dispose()
    return names


def test_leaderboard_lists_the_models_metadata(make_app, app_env: Path) -> None:
    at = make_app("pages/2_leaderboard.py", user="ann", roles=["annotator"]).run()  # creates the database
    described, plain = _seed()
    at.run()
    assert not at.exception
    frame = next(f.value for f in at.dataframe if "参数规模" in f.value.columns)
    rows = {row["模型"]: row for row in frame.to_dict("records")}
    assert set(rows) == {described, plain}
    row = rows[described]
    assert (row["提供方"], row["发布日期"], row["参数规模"], row["开放权重"]) == (
        HOSTILE,
        "2026-01-15",
        "72B",
        "是",
    )
    assert (row["所在地"], row["主页"]) == ("国内", "https://example.org/m")
    assert rows[plain]["提供方"] == "" and rows[plain]["发布日期"] == ""
    assert not any(HOSTILE in m.value for m in at.markdown)  # only ever a data cell
