"""Harm tag shares: a hand-worked example on the demo database (SQLite and PostgreSQL).

Battle 1 (privacy) pits model X (canonical A) against Y (canonical B); battle 2 (another
dimension) pits X against Z. Votes, with tags on canonical sides:

  b1  ann1   (people)  A: —             B: privacy_leak    corrected below: not counted
  b1  ann1   (people)  A: —             B: —               the correction: counts
  b1  ann2   (people)  A: over_refusal  B: privacy_leak, harmful  (shown with B on the left)
  b1  judge  v2        A: —             B: privacy_leak
  b1  judge  v1        A: —             B: —               prompt asked no tags: left out
  b2  ann2   (people)  A: harmful       B: —

People, privacy: X 2 appearances, over_refusal 1 -> 1/2; Y 2, privacy_leak 1 -> 1/2 (the
corrected vote's tag is gone), harmful 1 -> 1/2. Judge, privacy: X 1, nothing; Y 1,
privacy_leak 1 -> 1. People, overall: X 3 appearances, over_refusal 1/3, harmful 1/3.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from judging.harm_tags import HarmTag, TagGroup, read_tag_list, tag_shares
from judging.types import Source, Verdict
from pipeline.views.harm_tags import harm_tag_summary
from pipeline.workflow.voting import VoteItem, submit_vote
from storage.db.models import ArenaModel, Question, Response, utcnow
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote


def _battles(engine) -> tuple[tuple[int, str, str, str, int, int], ...]:
    """Two battles: (id, dimension, model A key, model B key, response A id, response B id)."""
    with read_session(engine) as session:
        keys = {m.id: m.key for m in session.exec(select(ArenaModel)).all()}
        rows = session.exec(select(Response, Question).join(Question).order_by(Response.id)).all()
    by_question: dict[int, list] = {}
    for response, question in rows:
        by_question.setdefault(question.id, []).append((response, question.dimension))
    privacy = next(rs for rs in by_question.values() if rs[0][1] == "privacy" and len(rs) >= 3)
    other = next(rs for rs in by_question.values() if rs[0][1] != "privacy" and len(rs) >= 3)
    out = []
    with write_session(engine) as session:
        x = privacy[0][0].model_id
        y = privacy[1][0].model_id
        z_response = next(r for r, _ in other if r.model_id not in (x, y))
        x_response = next(r for r, _ in other if r.model_id == x)
        for dimension, (ra, rb) in (
            ("privacy", (privacy[0][0], privacy[1][0])),
            (other[0][1], (x_response, z_response)),
        ):
            battle = get_or_create_battle(
                session=session, question_id=ra.question_id, response_ids=(ra.id, rb.id)
            )
            a = ra if battle.response_a_id == ra.id else rb
            b = rb if a is ra else ra
            out.append((int(battle.id), dimension, keys[a.model_id], keys[b.model_id], a.id, b.id))
    return tuple(out)


def _vote(session, battle, source, rater, key, tags_a=(), tags_b=(), version=None, supersedes=None):
    return record_vote(
        session=session,
        battle_id=battle[0],
        source=source,
        rater=rater,
        verdict=Verdict.A,
        left_response_id=battle[4],
        idempotency_key=key,
        tags_a=tags_a,
        tags_b=tags_b,
        prompt_version=version,
        supersedes_id=supersedes,
    ).vote_id


def test_shares_by_model_dimension_and_group(engine) -> None:
    b1, b2 = _battles(engine)
    # X is model A of both battles; the test is about which model a canonical side names
    assert b1[2] == b2[2] or b1[2] == b2[3]
    with write_session(engine) as session:
        first = _vote(session, b1, Source.HUMAN, "ann1", "k1", tags_b=["privacy_leak"])
        _vote(session, b1, Source.HUMAN, "ann1", "k2", supersedes=first)
        _vote(session, b1, Source.JUDGE, "judge", "k4", tags_b=["privacy_leak"], version="zh-pairwise-v2")
        _vote(session, b1, Source.JUDGE, "judge", "k5", version="zh-pairwise-v1")
    # ann2 sees canonical B on the left: tags given left/right land on the canonical sides
    item = VoteItem(b1[0], left_response_id=b1[5], idempotency_key="k3", shown_at=utcnow())
    submit_vote(engine, item=item, rater="ann2", shown_verdict=Verdict.B,
                tags_left=["privacy_leak", "harmful"], tags_right=["over_refusal"])  # fmt: skip
    x_is_a = b2[2] == b1[2]
    with write_session(engine) as session:
        tags = {"tags_a": ["harmful"]} if x_is_a else {"tags_b": ["harmful"]}
        _vote(session, b2, Source.HUMAN, "ann2", "k6", **tags)

    summary = harm_tag_summary(engine, release="v261201")
    assert summary.untagged_judge_votes == 1
    x, y = b1[2], b1[3]

    def share(group: TagGroup, dimension: str, model: str) -> tuple[int, dict[HarmTag, float | None]]:
        row = next(s for s in summary.rows(group, dimension) if s.model == model)
        return row.appearances, {t: row.share(t) for t in HarmTag if row.counts[t]}

    people, judge = TagGroup.PEOPLE, TagGroup.JUDGE
    assert share(people, "privacy", x) == (2, {HarmTag.OVER_REFUSAL: 0.5})
    assert share(people, "privacy", y) == (2, {HarmTag.HARMFUL: 0.5, HarmTag.PRIVACY_LEAK: 0.5})
    assert share(judge, "privacy", x) == (1, {})
    assert share(judge, "privacy", y) == (1, {HarmTag.PRIVACY_LEAK: 1.0})
    assert share(people, "overall", x) == (3, {HarmTag.OVER_REFUSAL: pytest.approx(1 / 3),
                                               HarmTag.HARMFUL: pytest.approx(1 / 3)})  # fmt: skip
    assert [s.model for s in summary.rows(judge, b2[1])] == []  # the judge never saw battle 2
    assert harm_tag_summary(engine).shares == summary.shares  # one release: the same counts


def test_pure_shares_and_stored_lists() -> None:
    assert tag_shares([]) == ()
    assert read_tag_list("[]") == () and read_tag_list(json.dumps(["bias"])) == (HarmTag.BIAS,)
    with pytest.raises(ValueError, match="read_tag_list: unknown harm tags \\['toxic'\\]"):
        read_tag_list('["toxic"]')
    with pytest.raises(ValueError, match="expected a JSON list of harm tags"):
        read_tag_list('{"a": 1}')


def test_mock_judge_run_stores_tags_the_shares_count(engine, tmp_path) -> None:
    """The whole path: the scripted judge writes tag lines (from the demo grades), the run stores
    them on canonical sides, the shares count them; every stored pair matches the grades."""
    import asyncio
    import random

    import yaml

    from judging.dimensions import Dimension
    from mockllm import MockConfig, load_demo, serve
    from mockllm._judge import graded_tags
    from pipeline.runs.common import RunOptions, chat_client
    from pipeline.runs.judge import run_judge
    from pipeline.runs.registry import import_registry
    from pipeline.startup.settings import PROJECT_ROOT
    from storage.db.models import Vote
    from storage.votes.battles import battle_view

    demo_dir = PROJECT_ROOT / "demo"
    demo = load_demo(demo_dir, warn=lambda _m: None)
    with serve(MockConfig(demo_dir=demo_dir)) as mock:
        data = yaml.safe_load((demo_dir / "endpoints.mock.yaml").read_text(encoding="utf-8"))
        data["defaults"] = {"base_url": mock.base_url}
        registry = tmp_path / "endpoints.yaml"
        registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        import_registry(engine, registry)

        async def main():
            options = RunOptions(concurrency=8, timeout_s=5.0, max_attempts=3, backoff_base_s=0.01)
            async with chat_client(options, rng=random.Random(2), environ={}) as client:
                return await run_judge(
                    engine, client, release="v261201", judge="mock-judge", strategy="random",
                    budget=15, rng=random.Random(0),
                )  # fmt: skip

        asyncio.run(main())
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
        views = {v.battle_id: battle_view(session=session, battle_id=v.battle_id) for v in votes}
    assert len(votes) == 30
    tagged = 0
    for vote in votes:
        view = views[vote.battle_id]
        dimension = Dimension(view.dimension)
        grade_a = demo.grade_for(view.question_text, view.text_a) or 3
        grade_b = demo.grade_for(view.question_text, view.text_b) or 3
        assert read_tag_list(vote.tags_a) == graded_tags(dimension, grade_a)
        assert read_tag_list(vote.tags_b) == graded_tags(dimension, grade_b)
        tagged += bool(read_tag_list(vote.tags_a) or read_tag_list(vote.tags_b))
    assert tagged > 0  # the demo has unsafe and over-refusing answers
    summary = harm_tag_summary(engine, release="v261201")
    assert summary.untagged_judge_votes == 0
    judge_rows = summary.rows(TagGroup.JUDGE, "overall")
    assert sum(r.appearances for r in judge_rows) == 60
    assert sum(sum(r.counts.values()) for r in judge_rows) == sum(
        len(read_tag_list(v.tags_a)) + len(read_tag_list(v.tags_b)) for v in votes
    )
