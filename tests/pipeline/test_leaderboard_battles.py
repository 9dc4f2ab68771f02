"""compute_board: Bradley–Terry intervals of a vote-log snapshot treat its battles as the units."""

from __future__ import annotations

import numpy as np
import pytest

from judging.ratings import TieRule
from pipeline.views.leaderboard import BoardQuery, compute_board
from pipeline.views.vote_log import VoteColumns


def _columns(copies: int, *, shared_battle: bool) -> VoteColumns:
    """300 seeded votes over 4 models, each written ``copies`` times; the copies of a vote share
    its battle when ``shared_battle``, else every row is a battle of its own."""
    rng = np.random.default_rng(3)
    strength = np.array([0.5, 0.2, -0.1, -0.6])
    a = rng.integers(0, 4, 300)
    b = rng.integers(0, 3, 300)
    b = b + (b >= a)
    p = 1 / (1 + np.exp(strength[b] - strength[a]))
    score = np.where(rng.random(300) < p, 1.0, 0.0)
    score = np.where(rng.random(300) < 0.15, 0.5, score)
    battle = np.tile(np.arange(300), copies) if shared_battle else np.arange(300 * copies)
    n = 300 * copies
    return VoteColumns(
        models=("m0", "m1", "m2", "m3"),
        names={},
        last_vote_id=n,
        revision=0,
        ids=np.arange(1, n + 1),
        rated=np.ones(n, dtype=bool),
        changes=(),
        epoch=0,
        a=np.tile(a, copies).astype(np.int32),
        b=np.tile(b, copies).astype(np.int32),
        score=np.tile(score, copies),
        battle=battle.astype(np.int64),
        dim=np.zeros(n, dtype=np.int8),
        source=np.zeros(n, dtype=np.int8),
        release=np.ones(n, dtype=np.int32),
        dimensions=("public_safety",),
    )


def _widths(columns: VoteColumns, query: BoardQuery) -> dict[str, float]:
    board = compute_board(columns, query, online=False)
    assert board.bt is not None
    return {r.model: r.upper - r.lower for r in board.bt.rows if r.upper is not None and r.lower is not None}


@pytest.mark.parametrize("intervals", ["sandwich", "bootstrap"])
def test_votes_repeated_within_a_battle_do_not_narrow_the_board(intervals: str) -> None:
    query = BoardQuery(min_votes=0, intervals=intervals, bootstrap_rounds=2000)
    once = _widths(_columns(1, shared_battle=True), query)
    twice = _widths(_columns(2, shared_battle=True), query)
    loose = _widths(_columns(2, shared_battle=False), query)
    for model, width in once.items():
        assert twice[model] == pytest.approx(width, rel=1e-3)
        assert loose[model] / width == pytest.approx(
            1 / np.sqrt(2), abs=0.1 if intervals == "bootstrap" else 0.01
        )


def test_board_names_its_tie_model() -> None:
    columns = _columns(1, shared_battle=True)
    half = compute_board(columns, BoardQuery(min_votes=0), online=False)
    assert half.tie_model is TieRule.HALF and half.tie_parameter is None
    davidson = compute_board(columns, BoardQuery(min_votes=0, tie_model="davidson"), online=False)
    assert davidson.tie_model is TieRule.DAVIDSON and davidson.tie_parameter is not None
    assert davidson.bt is not None and half.bt is not None
    # raw strengths spread wider than the draw-compressed half-win scale
    spread = {b.tie_model: b.bt.rows[0].rating - b.bt.rows[-1].rating for b in (half, davidson) if b.bt}
    assert spread[TieRule.DAVIDSON] > spread[TieRule.HALF]
    # the query itself is the cache key: hashable, and equal however its weights were ordered
    assert BoardQuery(tie_model="davidson") != BoardQuery()
    weights = (("judge", 0.5), ("human", 1.0))
    assert hash(BoardQuery(source_weights=weights)) == hash(BoardQuery(source_weights=weights[::-1]))
    with pytest.raises(ValueError, match="tie_model must be 'half' or 'davidson'"):
        BoardQuery(tie_model="drop")


def test_the_boards_cache_key_moves_when_a_battle_turns_gold(engine, rng):
    # marking a voted battle gold adds no vote row but takes its votes out of the ratings: a key
    # of the last vote id alone kept serving the old report and public board
    from judging.types import Source, Verdict
    from pipeline.views.leaderboard import slice_version
    from pipeline.workflow.gold import mark_gold
    from storage.db.session import write_session
    from storage.votes.record import record_vote
    from tests.seeding import pick_battle_for

    with write_session(engine) as session:
        battle = pick_battle_for(session=session, rater="ann", rng=rng)
        record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.HUMAN,
            rater="ann",
            verdict=Verdict.A,
            left_response_id=battle.response_a_id,
            idempotency_key="k1",
        )
    before = slice_version(engine)
    mark_gold(engine, battle_id=battle.id, verdict=Verdict.A, actor="admin")
    after = slice_version(engine)
    assert after[0] == before[0] and after != before
