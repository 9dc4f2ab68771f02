"""The leaderboard page's harm tag table (AppTest): the shares of the votes in the database.

One battle, two people: A tagged over_refusal by one of them, B privacy_leak by both, so the
model on side A shows over-refusal 50.0 and the one on side B privacy leak 100.0 (people)."""

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


def _seed() -> tuple[str, str]:
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    with read_session(engine) as session:
        responses = session.exec(select(Response).order_by(Response.question_id, Response.id)).all()
        names = {m.id: m.display_name for m in session.exec(select(ArenaModel)).all()}
    first = responses[0]
    second = next(r for r in responses[1:] if r.question_id == first.question_id)
    with write_session(engine) as session:
        battle = get_or_create_battle(
            session=session, question_id=first.question_id, response_ids=(first.id, second.id)
        )
        a, b = (first, second) if battle.response_a_id == first.id else (second, first)
        for k, tags_a in enumerate((["over_refusal"], [])):
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.HUMAN,
                rater=f"ann{k}",
                verdict=Verdict.B,
                left_response_id=battle.response_a_id,
                idempotency_key=f"tag-{k}",
                tags_a=tags_a,
                tags_b=["privacy_leak"],
            )
    engine.dispose()
    return names[a.model_id], names[b.model_id]


def test_leaderboard_shows_the_tag_shares(make_app, app_env: Path) -> None:
    at = make_app("pages/2_leaderboard.py", user="ann", roles=["annotator"]).run()  # creates the database
    side_a, side_b = _seed()
    at.run()
    assert not at.exception
    frame = next(f.value for f in at.dataframe if "标注来源" in f.value.columns)
    rows = {row["模型"]: row for row in frame.to_dict("records")}
    assert rows[side_a]["过度拒绝"] == 50.0 and rows[side_a]["隐私泄露"] == 0.0
    assert rows[side_b]["隐私泄露"] == 100.0 and rows[side_b]["回答数"] == 2
    assert set(frame["标注来源"]) == {"人工"}  # no judge votes
