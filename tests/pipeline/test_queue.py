"""Queue policies against a real SQLite database with the demo release."""

from __future__ import annotations

import random
import uuid
from collections import Counter

import pytest
from sqlmodel import select

from judging.dimensions import Dimension
from judging.types import Source, Verdict
from pipeline.people.users import create_user
from pipeline.workflow.gold import import_gold_pairs, mark_gold, parse_gold_csv, scores
from pipeline.workflow.queue import QueueConfig, QueuePolicy, next_assignment
from pipeline.workflow.voting import submit_vote, view_item
from storage.db.models import Battle, Vote
from storage.db.session import read_session, write_session
from storage.votes.record import record_vote

OVERLAP = QueueConfig(policy=QueuePolicy.OVERLAP, overlap_k=3, gold_rate=0.0)


def _vote_all(engine, users, rounds, config, rng, verdict=Verdict.A):
    for _ in range(rounds):
        for user in users:
            item = next_assignment(engine, username=user, rng=rng, config=config)
            assert item is not None
            submit_vote(engine, item=item, rater=user, shown_verdict=verdict)


def _human_votes(engine):
    with read_session(engine) as session:
        return [
            (v.battle_id, v.rater) for v in session.exec(select(Vote).where(Vote.source == "human")).all()
        ]


def test_overlap_collects_k_distinct_people_and_nobody_twice(engine, rng):
    users = [f"ann{i}" for i in range(5)]
    _vote_all(engine, users, rounds=12, config=OVERLAP, rng=rng)
    votes = _human_votes(engine)
    assert len(votes) == 60
    assert len(set(votes)) == len(votes), "someone voted twice on one battle"
    per_battle = Counter(b for b, _ in votes)
    # battles are filled to k before new ones open: every battle has exactly k votes except at
    # most (people - 1) that are still being filled
    assert max(per_battle.values()) == 3
    assert sum(1 for n in per_battle.values() if n < 3) <= len(users) - 1


def test_overlap_never_over_assigns_open_items(engine, rng):
    # five people each open an item without voting: the first battle is handed out to k people
    # only, then the queue moves on
    items = [next_assignment(engine, username=f"p{i}", rng=rng, config=OVERLAP) for i in range(5)]
    per_battle = Counter(i.battle_id for i in items)
    assert max(per_battle.values()) <= 3


def test_resume_returns_the_same_item(engine, rng):
    first = next_assignment(engine, username="ann", rng=rng, config=OVERLAP)
    again = next_assignment(engine, username="ann", rng=random.Random(99), config=OVERLAP)
    assert again == first  # same battle, same left/right order, same idempotency key
    submit_vote(engine, item=first, rater="ann", shown_verdict=Verdict.B)
    after = next_assignment(engine, username="ann", rng=rng, config=OVERLAP)
    assert after.battle_id != first.battle_id


def test_qualification_routing(engine, rng):
    create_user(
        engine,
        actor="t",
        username="clinician",
        name="c",
        password="pw12345",
        roles=["expert"],
        qualifications=["mental_health"],
    )
    for _ in range(15):
        item = next_assignment(engine, username="clinician", rng=rng, config=OVERLAP)
        assert view_item(engine, item).dimension == "mental_health"
        submit_vote(engine, item=item, rater="clinician", shown_verdict=Verdict.TIE)


def _judge_vote_everything(engine, n_battles, rng):
    """Judge votes (both orders) on battles spread over many strata; some inconsistent."""
    created = []
    for i in range(n_battles):
        item = next_assignment(
            engine, username=f"seed{i}", rng=rng, config=QueueConfig(overlap_k=1, gold_rate=0.0)
        )
        with write_session(engine) as session:
            battle = session.get(Battle, item.battle_id)
            inconsistent = i % 10 == 0
            for order, verdict in enumerate([Verdict.A, Verdict.B if inconsistent else Verdict.A]):
                record_vote(
                    session=session,
                    battle_id=battle.id,
                    source=Source.JUDGE,
                    rater="mock-judge",
                    verdict=verdict,
                    left_response_id=battle.response_a_id if order == 0 else battle.response_b_id,
                    idempotency_key=uuid.uuid4().hex,
                )
        created.append((item.battle_id, inconsistent))
    return created


def test_spot_check_disagreements_first_then_stratified(engine, rng):
    judged = _judge_vote_everything(engine, 60, rng)
    inconsistent = {b for b, bad in judged if bad}
    config = QueueConfig(policy=QueuePolicy.SPOT_CHECK, gold_rate=0.0, calibration_share=0.0)
    seen = []
    for _ in range(30):
        item = next_assignment(engine, username="checker", rng=rng, config=config)
        assert item is not None
        seen.append(item.battle_id)
        submit_vote(engine, item=item, rater="checker", shown_verdict=Verdict.A)
    judged_ids = {b for b, _ in judged}
    assert set(seen) <= judged_ids
    # every inconsistent judge battle came before any consistent one
    first = seen[: len(inconsistent)]
    assert set(first) == inconsistent
    # stratified: the consistent picks spread over (dimension, model pair) strata evenly
    with read_session(engine) as session:
        strata = {}
        for b in seen[len(inconsistent) :]:
            v = session.exec(select(Vote).where(Vote.battle_id == b, Vote.rater == "checker")).one()
            strata[b] = (v.dimension, *sorted((v.model_a_id, v.model_b_id)))
    counts = Counter(strata.values())
    assert max(counts.values()) - min(counts.values()) <= 1


def test_active_policy_proposes_valid_unseen_battles(engine, rng):
    config = QueueConfig(policy=QueuePolicy.ACTIVE, gold_rate=0.0)
    _vote_all(engine, ["a1", "a2"], rounds=15, config=config, rng=rng)
    votes = _human_votes(engine)
    assert len(votes) == 30 and len(set(votes)) == 30


def test_gold_mixed_in_and_accuracy(engine, rng):
    csv_bytes = (
        "问题,违规回答,安全有用回答\n"
        + "\n".join(
            f"示例问题{i}：如何处理？,不安全的示例回答{i}。,安全且有帮助的示例回答{i}。" for i in range(20)
        )
    ).encode("gb18030")
    pairs = parse_gold_csv(csv_bytes, name="gold.csv", default_dimension=Dimension.PUBLIC_SAFETY)
    assert import_gold_pairs(engine, pairs, actor="admin") == 20
    config = QueueConfig(policy=QueuePolicy.OVERLAP, gold_rate=0.5, overlap_k=3)
    answers = {"good": 0, "bad": 0}
    gold_seen = {"good": 0, "bad": 0}
    for _ in range(30):
        for user in ("good", "bad"):
            item = next_assignment(engine, username=user, rng=rng, config=config)
            view = view_item(engine, item)
            is_gold = "安全且有帮助的示例回答" in view.text_a + view.text_b
            if is_gold:
                gold_seen[user] += 1
                safe_left = "安全且有帮助" in (
                    view.text_a if item.left_response_id == view.response_a_id else view.text_b
                )
                # "good" always picks the safe answer; "bad" picks the safe one only 1 time in 3
                correct = user == "good" or gold_seen[user] % 3 == 0
                shown = Verdict.A if safe_left == correct else Verdict.B
                answers[user] += int(correct)
            else:
                shown = Verdict.TIE
            submit_vote(engine, item=item, rater=user, shown_verdict=shown)
    result = scores(engine)
    assert 5 <= gold_seen["good"] <= 25  # about half of 30
    assert result["good"].total == gold_seen["good"] and result["good"].correct == gold_seen["good"]
    assert result["bad"].total == gold_seen["bad"]
    assert result["bad"].correct == answers["bad"] == gold_seen["bad"] // 3
    assert result["good"].accuracy == 1.0


def test_gold_items_never_reach_the_leaderboard(engine, rng):
    from pipeline.views.live_ratings import LiveRatings

    pairs = parse_gold_csv(
        "question,safe_answer,unsafe_answer\n问一,安全,不安全\n".encode(),
        name="g.csv",
        default_dimension=Dimension.PRIVACY,
    )
    import_gold_pairs(engine, pairs, actor="admin")
    item = next_assignment(engine, username="u", rng=rng, config=QueueConfig(gold_rate=1.0))
    submit_vote(engine, item=item, rater="u", shown_verdict=Verdict.A)
    live = LiveRatings()
    live.refresh(engine)
    standings = live.standings()
    assert standings.votes == 0
    assert all("gold" not in r.key for r in standings.rows)


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("question,safe_answer\n问,答\n", "line 1, field unsafe_answer: missing column"),
        ("question,safe_answer,unsafe_answer\n问,答,坏\n问二,,坏\n", "line 3, field safe_answer: empty"),
        ("question,safe_answer,unsafe_answer,dimension\n问,答,坏,天气\n", "line 2, field dimension"),
    ],
)
def test_bad_gold_file_names_line_and_field_and_imports_nothing(engine, csv_text, message):
    from pipeline.workflow.gold import GoldImportError, labels

    with pytest.raises(GoldImportError, match=message):
        parse_gold_csv(csv_text.encode(), name="g.csv", default_dimension=Dimension.PRIVACY)
    assert labels(engine) == {}


def test_mark_existing_battle_as_gold(engine, rng):
    from pipeline.workflow.gold import labels

    item = next_assignment(engine, username="x", rng=rng, config=OVERLAP)
    mark_gold(engine, battle_id=item.battle_id, verdict=Verdict.B, actor="admin")
    assert labels(engine) == {item.battle_id: Verdict.B}
    with pytest.raises(LookupError):
        mark_gold(engine, battle_id=999_999, verdict=Verdict.B, actor="admin")
