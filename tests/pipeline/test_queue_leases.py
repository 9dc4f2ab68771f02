"""Assignments are leases: an abandoned item stops counting toward overlap k when its lease runs
out, and the person who comes back gets a fresh item. Skips release items; undo reopens one.
Driven with an explicit clock."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from judging.types import Verdict
from pipeline.workflow.queue import QueueConfig, QueuePolicy, next_assignment
from pipeline.workflow.voting import skip_item, submit_vote, undo_last_vote
from storage.db.models import utcnow
from storage.db.session import read_session
from storage.workflow.assignments import overlap_candidates

K2 = QueueConfig(policy=QueuePolicy.OVERLAP, overlap_k=2, gold_rate=0.0, lease_minutes=30)


def test_an_abandoned_assignment_expires_and_the_battle_is_offered_again(engine, rng):
    t0 = utcnow()
    first = next_assignment(engine, username="ann", rng=rng, config=K2, now=t0)
    submit_vote(engine, item=first, rater="ann", shown_verdict=Verdict.A)
    # bob opens the same battle (closest to k) and walks away
    abandoned = next_assignment(engine, username="bob", rng=rng, config=K2, now=t0)
    assert abandoned.battle_id == first.battle_id
    # while bob's lease runs, the battle is full (1 vote + 1 open assignment = k): cat gets another
    cat = next_assignment(engine, username="cat", rng=rng, config=K2, now=t0 + timedelta(minutes=29))
    assert cat.battle_id != first.battle_id
    with read_session(engine) as session:
        counts = {
            c.battle_id: (c.human_raters, c.open_assignments)
            for c in overlap_candidates(session=session, username="dan", k=9, now=t0 + timedelta(minutes=29))
        }
    assert counts[first.battle_id] == (1, 1)
    # past the lease bob's assignment no longer counts: dan is offered the battle
    later = t0 + timedelta(minutes=31)
    with read_session(engine) as session:
        counts = {
            c.battle_id: (c.human_raters, c.open_assignments)
            for c in overlap_candidates(session=session, username="dan", k=9, now=later)
        }
    assert counts[first.battle_id] == (1, 0)
    dan = next_assignment(engine, username="dan", rng=rng, config=K2, now=later)
    assert dan.battle_id in (first.battle_id, cat.battle_id)  # both are one short of k; either is right
    # bob comes back after the lease: a fresh item, never the expired one
    back = next_assignment(engine, username="bob", rng=rng, config=K2, now=later)
    assert back.battle_id != first.battle_id and back.idempotency_key != abandoned.idempotency_key
    # within the lease, he would have resumed the same item
    resumed = next_assignment(engine, username="bob", rng=rng, config=K2, now=later + timedelta(minutes=1))
    assert resumed.idempotency_key == back.idempotency_key


def test_skip_releases_the_item_and_undo_reopens_it(engine, rng):
    t0 = utcnow()
    item = next_assignment(engine, username="ann", rng=rng, config=K2, now=t0)
    assert skip_item(engine, item=item, username="ann", reason="distressing")
    fresh = next_assignment(engine, username="ann", rng=rng, config=K2, now=t0)
    assert fresh.battle_id != item.battle_id
    # the skipped battle no longer counts ann's assignment toward k
    with read_session(engine) as session:
        counts = {c.battle_id: c for c in overlap_candidates(session=session, username="bob", k=9, now=t0)}
    assert item.battle_id not in counts or counts[item.battle_id].open_assignments == 0
    # vote, undo: the same battle comes back with a new key; the re-vote is a new row
    vote = submit_vote(engine, item=fresh, rater="ann", shown_verdict=Verdict.A)
    undo_last_vote(engine, rater="ann")
    again = next_assignment(engine, username="ann", rng=rng, config=K2, now=utcnow())
    assert again.battle_id == fresh.battle_id and again.idempotency_key == f"{fresh.idempotency_key}~1"
    revote = submit_vote(engine, item=again, rater="ann", shown_verdict=Verdict.B)
    assert revote.created and revote.vote_id != vote.vote_id
    # after the re-vote the item is done: the next one is different, and nobody sees a battle twice
    nxt = next_assignment(engine, username="ann", rng=rng, config=K2, now=utcnow())
    seen = Counter([item.battle_id, fresh.battle_id, nxt.battle_id])
    assert max(seen.values()) == 1
