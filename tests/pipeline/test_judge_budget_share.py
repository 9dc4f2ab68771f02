"""Two planners of one shared judge run reach the budget together: a planner whose chosen battle
is held by the other process has not reached the budget (it chooses again), so the run is not
left a battle short (seen in CI under load: 99 of 100 battles). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random

from judging.judge import PROMPT_VERSION
from judging.runs import RunKind
from judging.scheduling import Strategy
from pipeline.runs.common import release_id, start_run
from pipeline.runs.judge_plan import Planner, Share
from storage.runs.judge_work import judge_scope

RELEASE = "v261201"
JUDGE = "budget-judge"


def _planner(engine, rid: int, run_id: int, holder: str, budget: int) -> Planner:
    planner = Planner(engine, JUDGE, rid, Strategy.RANDOM, random.Random(holder))
    planner.share = Share(run_id, holder, 60.0, judge_scope(JUDGE, PROMPT_VERSION, rid), budget)
    return planner


def test_a_battle_held_by_the_other_process_does_not_end_the_planning(engine):
    rid = release_id(engine, RELEASE)
    run_id = start_run(engine, kind=RunKind.JUDGE, params={"test": True}, total=4, actor="test")
    a, b = (_planner(engine, rid, run_id, holder, budget=2) for holder in ("host:1:a", "host:2:b"))
    question, by_model = sorted(a._answers.items())[0]
    low, high = sorted(by_model)[:2]
    same = (question, by_model[low], by_model[high])
    held = b._claim_new([same])  # the other process leases the battle first
    assert len(held) == 1 and not b.budget_reached  # one of two: room for one more
    assert a._claim_new([same]) == []  # held by b: not claimed here ...
    assert not a.budget_reached  # ... so the budget is not reached (it was, before the fix)
    planned = asyncio.run(a.next_battles(1))  # a chooses again and fills the room
    assert len(planned) == 1 and planned[0].view.battle_id != held[0]
    assert a.budget_reached
    assert asyncio.run(b.next_battles(1)) == [] and b.budget_reached  # the budget of 2 is planned
