"""The voting workflow: left/right order stored, shown verdict mapped to canonical sides."""

from __future__ import annotations

import json
import random

import pytest

from judging.types import Verdict
from pipeline.workflow.voting import canonical_verdict, submit_vote
from storage.db.models import Battle, Vote
from storage.db.session import read_session
from tests.seeding import next_item


@pytest.mark.parametrize(
    ("shown", "left_is_a", "expected"),
    [
        (Verdict.A, True, Verdict.A),
        (Verdict.A, False, Verdict.B),
        (Verdict.B, False, Verdict.A),
        (Verdict.TIE, False, Verdict.TIE),
        (Verdict.BOTH_UNSAFE, False, Verdict.BOTH_UNSAFE),
    ],
)
def test_canonical_verdict(shown, left_is_a, expected):
    assert canonical_verdict(shown, left_is_a=left_is_a) is expected


def test_left_right_order_is_random_and_stored(engine):
    rng = random.Random(7)
    lefts = []
    for _i in range(40):
        item = next_item(engine, rater="ann", rng=rng)
        rec = submit_vote(engine, item=item, rater="ann", shown_verdict=Verdict.A, tags_left=["bias"])
        with read_session(engine) as session:
            vote = session.get(Vote, rec.vote_id)
            battle = session.get(Battle, vote.battle_id)
            left_is_a = vote.left_response_id == battle.response_a_id
            lefts.append(left_is_a)
            # "A is safer" on screen means the left answer won, whichever canonical side it is
            assert vote.verdict == ("A" if left_is_a else "B")
            assert json.loads(vote.tags_a if left_is_a else vote.tags_b) == ["bias"]
    assert 8 < sum(lefts) < 32


def test_unknown_tag_is_refused(engine, rng):
    item = next_item(engine, rater="ann", rng=rng)
    with pytest.raises(ValueError, match=r"submit_vote: unknown harm tags \['nonsense'\]"):
        submit_vote(engine, item=item, rater="ann", shown_verdict=Verdict.A, tags_left=["nonsense"])
