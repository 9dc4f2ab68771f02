"""A person near the end of a small bank is never told "nothing left" while a pair remains: when
every random probe hits a pair already seen, the queue looks through the whole slice."""

from __future__ import annotations

from judging.types import Source, Verdict
from storage.db.session import write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote
from storage.workflow.assignments import random_unseen_pair


def test_when_random_probes_miss_the_whole_slice_is_searched(engine) -> None:
    with write_session(engine) as session:
        # no random probe at all: only the search through the slice can answer
        first = random_unseen_pair(session=session, username="u", rng_values=[])
        assert first is not None
        q, low, high = first
        assert low < high
        battle = get_or_create_battle(session=session, question_id=q, response_ids=(low, high))
        record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.HUMAN,
            rater="u",
            verdict=Verdict.A,
            left_response_id=low,
            idempotency_key="unseen-1",
        )
    with write_session(engine) as session:
        after = random_unseen_pair(session=session, username="u", rng_values=[])
        other = random_unseen_pair(session=session, username="someone-else", rng_values=[])
    assert after is not None and after != first  # the pair u has judged is never offered again
    assert other == first  # to anyone else it still is
