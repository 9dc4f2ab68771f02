"""Campaigns direct the human queue to a release and a dimension mix, for everybody or one person;
bad campaigns are refused with a message and change nothing. Progress counts follow the ledger."""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from judging.dimensions import Dimension
from judging.types import Source, Verdict
from pipeline.bank.releases import create_release, publish_release, release_questions, retire_question
from pipeline.people.users import create_user
from pipeline.workflow.campaigns import (
    Campaign,
    CampaignError,
    campaign_in_force,
    clear_campaign,
    load_campaigns,
    set_campaign,
)
from pipeline.workflow.gold import import_gold_pairs, parse_gold_csv
from pipeline.workflow.progress import annotator_stats, person_progress, stats_csv
from pipeline.workflow.queue import CAMPAIGN_SPOT_CHECK, QueueConfig, QueuePolicy, next_assignment
from pipeline.workflow.voting import retract_vote, submit_vote
from storage.db.models import AppSetting, Assignment, AuditLog, Battle, Question, Release, Response
from storage.db.session import read_session, write_session
from storage.votes.record import record_vote

DEMO = "v261201"
NEXT = "v261215"
OVERLAP = QueueConfig(policy=QueuePolicy.OVERLAP, overlap_k=3, gold_rate=0.0)


def _user(engine: Engine, username: str, qualifications: list[str] | None = None) -> str:
    create_user(
        engine,
        actor="t",
        username=username,
        name=username,
        password="pw-" + username + "-123",
        roles=["annotator"],
        qualifications=qualifications or [],
    )
    return username


@pytest.fixture
def two_releases(engine: Engine) -> tuple[int, int]:
    """The demo release and NEXT, published from it (so the demo release is retired), with the
    demo answers copied onto NEXT's questions. Returns (demo id, NEXT id)."""
    create_release(engine, "next", parent=DEMO)
    with write_session(engine) as session:
        draft = session.exec(select(Question).where(col(Question.anchor_of_id).is_not(None))).all()
        for q in draft:
            for r in session.exec(select(Response).where(Response.question_id == q.anchor_of_id)).all():
                session.add(Response(question_id=q.id, model_id=r.model_id, text=r.text, grade=r.grade))
    publish_release(engine, "next", tag=NEXT)
    with read_session(engine) as session:
        ids = {r.tag: r.id for r in session.exec(select(Release)).all()}
    return ids[DEMO], ids[NEXT]


def _slice_of(engine: Engine, battle_id: int) -> tuple[int, str]:
    with read_session(engine) as session:
        battle = session.get(Battle, battle_id)
        question = session.get(Question, battle.question_id)
        return question.release_id, question.dimension


def _serve(engine: Engine, username: str, n: int, rng: random.Random, config: QueueConfig = OVERLAP):
    """n items for one person, each voted on; the (release id, dimension) of each."""
    seen = []
    for _ in range(n):
        item = next_assignment(engine, username=username, rng=rng, config=config)
        assert item is not None, f"{username} ran out after {len(seen)} items"
        seen.append(_slice_of(engine, item.battle_id))
        submit_vote(engine, item=item, rater=username, shown_verdict=Verdict.A)
    return seen


def test_campaign_on_a_release_and_one_dimension_serves_only_that(engine, two_releases, rng):
    _demo, nxt = two_releases
    set_campaign(engine, Campaign(NEXT, {"privacy": 1}), actor="boss")
    _user(engine, "ann")
    assert set(_serve(engine, "ann", 30, rng)) == {(nxt, "privacy")}


def test_without_a_campaign_the_queue_serves_every_release(engine, two_releases, rng):
    _user(engine, "ann")
    releases = {r for r, _ in _serve(engine, "ann", 40, rng)}
    assert releases == set(two_releases)


def test_the_mix_follows_the_weights(engine, two_releases, rng):
    campaign = Campaign(NEXT, {"privacy": 3, "fairness": 1, "truthfulness": 0})
    assert campaign.dimensions == ("fairness", "privacy")
    first = Counter(campaign.dimension_order(None, rng)[0] for _ in range(4000))
    assert 0.72 < first["privacy"] / 4000 < 0.78  # 3 / (3 + 1); sd of the share 0.007
    # qualified for fairness only: the campaign's other dimensions never reach the person
    assert campaign.dimension_order(["fairness", "mental_health"], rng) == ["fairness"]
    assert campaign.dimension_order(["mental_health"], rng) == []

    set_campaign(engine, campaign, actor="boss")
    _user(engine, "ann")
    dims = Counter(d for _, d in _serve(engine, "ann", 40, rng))
    assert set(dims) == {"privacy", "fairness"} and dims["privacy"] > dims["fairness"]
    _user(engine, "fair", ["fairness", "mental_health"])
    assert set(_serve(engine, "fair", 10, rng)) == {(two_releases[1], "fairness")}
    _user(engine, "carer", ["mental_health"])
    assert next_assignment(engine, username="carer", rng=rng, config=OVERLAP) is None


def test_a_dimension_with_nothing_left_gives_way_to_the_others(engine, two_releases, rng):
    # NEXT has 13 privacy questions x 10 pairs: after those, privacy (drawn first nearly always)
    # has nothing left for the person, and the queue moves on to fairness instead of stopping
    set_campaign(engine, Campaign(NEXT, {"privacy": 1000, "fairness": 1}), actor="boss")
    _user(engine, "ann")
    seen = _serve(engine, "ann", 135, rng, QueueConfig(overlap_k=1, gold_rate=0.0))
    dims = Counter(d for _, d in seen)
    assert set(dims) == {"privacy", "fairness"} and dims["fairness"] >= 5 and dims["privacy"] >= 100
    assert {r for r, _ in seen} == {two_releases[1]}


def test_a_per_user_override_wins_and_can_be_cleared(engine, two_releases, rng):
    _demo, nxt = two_releases
    _user(engine, "ann")
    _user(engine, "bob")
    set_campaign(engine, Campaign(NEXT, {"privacy": 1}), actor="boss")
    set_campaign(engine, Campaign(NEXT, {"fairness": 1}), actor="boss", username="bob")
    assert set(_serve(engine, "ann", 10, rng)) == {(nxt, "privacy")}
    assert set(_serve(engine, "bob", 10, rng)) == {(nxt, "fairness")}
    with read_session(engine) as session:
        assert campaign_in_force(session=session, username="bob").override
        assert not campaign_in_force(session=session, username="ann").override
    clear_campaign(engine, actor="boss", username="bob")
    assert set(_serve(engine, "bob", 5, rng)) == {(nxt, "privacy")}
    clear_campaign(engine, actor="boss")
    with read_session(engine) as session:
        assert campaign_in_force(session=session, username="bob") is None


def _setting_and_audit(engine: Engine) -> tuple[str | None, int]:
    with read_session(engine) as session:
        row = session.get(AppSetting, "campaign")
        audits = session.exec(select(AuditLog).where(AuditLog.action == "settings.campaign")).all()
        return (None if row is None else row.value), len(audits)


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        (
            DEMO,
            f"release '{DEMO}' is retired (a later release was published from it): direct the campaign to '{NEXT}'",
        ),
        ("v990101", f"no release 'v990101' (published releases: {DEMO}, {NEXT})"),
        ("draft2", "release 'draft2' is a draft: publish it first"),
        ("gold", "'gold' holds the gold items, which are not a release"),
    ],
)
def test_a_release_that_cannot_be_served_is_refused_and_nothing_changes(engine, two_releases, tag, message):
    set_campaign(engine, Campaign(NEXT, {"privacy": 1}), actor="boss")
    create_release(engine, "draft2")
    csv = "question,safe_answer,unsafe_answer\n问？,安全,不安全\n".encode()
    import_gold_pairs(
        engine, parse_gold_csv(csv, name="g.csv", default_dimension=Dimension.PRIVACY), actor="boss"
    )
    before = _setting_and_audit(engine)
    for username in (None, "ann"):
        if username:
            _user(engine, username)
        with pytest.raises(CampaignError) as err:
            set_campaign(engine, Campaign(tag, {"privacy": 1}), actor="boss", username=username)
        assert message in str(err.value) and "nothing was changed" in str(err.value)
    assert _setting_and_audit(engine) == before


def test_a_release_without_the_campaigns_dimensions_is_refused(engine, two_releases):
    create_release(engine, "privacy-only", parent=NEXT)
    for q in release_questions(engine, "privacy-only"):
        if q.record.dimension != "privacy":
            retire_question(engine, "privacy-only", q.record.question_id)
    publish_release(engine, "privacy-only", tag="v261220")
    with pytest.raises(
        CampaignError, match=r"'v261220' has no questions in the campaign's dimensions \(fairness\)"
    ):
        set_campaign(engine, Campaign("v261220", {"fairness": 1}), actor="boss")
    with pytest.raises(CampaignError, match="no user 'ghost'"):
        set_campaign(engine, Campaign("v261220", {"privacy": 1}), actor="boss", username="ghost")
    assert _setting_and_audit(engine) == (None, 0)
    set_campaign(engine, Campaign("v261220", {"privacy": 1, "fairness": 1}), actor="boss")
    # a chain of releases: the demo release's successor is the newest one, not the retired NEXT
    with pytest.raises(CampaignError, match="direct the campaign to 'v261220'"):
        set_campaign(engine, Campaign(DEMO, {"privacy": 1}), actor="boss")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"privacy": -1}, "must not be negative"),
        ({"privacy": 0, "fairness": 0.0}, "at least one dimension needs a positive weight"),
        ({}, "at least one dimension needs a positive weight"),
        ({"privacy": 1, "隐私安全": 1}, "unknown dimension '隐私安全'"),
        ({"privacy": float("nan")}, "finite number"),
        ({"privacy": True}, "finite number"),
        ({"privacy": "1"}, "finite number"),
    ],
)
def test_bad_weights_are_refused(weights, message):
    with pytest.raises(CampaignError, match=message):
        Campaign(NEXT, weights)


def test_campaign_round_trips_through_the_setting(engine, two_releases):
    set_campaign(engine, Campaign(NEXT, {"privacy": 2, "fairness": 0.5}), actor="boss")
    stored = load_campaigns(engine)
    assert stored.everyone.release == NEXT and dict(stored.everyone.weights) == {
        "fairness": 0.5,
        "privacy": 2.0,
    }
    started = stored.everyone.started_at
    assert started is not None
    # new weights on the same release go on as the same campaign; another release starts afresh
    set_campaign(engine, Campaign(NEXT, {"privacy": 1}), actor="boss")
    assert load_campaigns(engine).everyone.started_at == started
    with read_session(engine) as session:
        row = session.get(AppSetting, "campaign")
        assert json.loads(row.value)["everyone"]["weights"] == {"privacy": 1.0}


def _judge(engine: Engine, battle_id: int) -> None:
    with write_session(engine) as session:
        battle = session.get(Battle, battle_id)
        record_vote(
            session=session,
            battle_id=battle_id,
            source=Source.JUDGE,
            rater="mock-judge",
            verdict=Verdict.A,
            left_response_id=battle.response_a_id,
            idempotency_key=uuid.uuid4().hex,
        )


def test_spot_checks_stay_in_the_campaign_and_are_not_calibration_draws(engine, two_releases, rng):
    _demo, nxt = two_releases
    # judge votes on battles of both releases, opened by seed people
    for i in range(40):
        item = next_assignment(
            engine, username=f"seed{i}", rng=rng, config=QueueConfig(overlap_k=1, gold_rate=0.0)
        )
        _judge(engine, item.battle_id)
    set_campaign(engine, Campaign(NEXT, {d: 1 for d in ("privacy", "fairness", "public_safety")}), actor="b")
    _user(engine, "checker")
    config = QueueConfig(policy=QueuePolicy.SPOT_CHECK, gold_rate=0.0, calibration_share=1.0)
    seen = _serve(engine, "checker", 3, rng, config)
    assert {r for r, _ in seen} == {nxt}
    with read_session(engine) as session:
        policies = {
            a.policy for a in session.exec(select(Assignment).where(Assignment.username == "checker"))
        }
    assert policies == {CAMPAIGN_SPOT_CHECK}


def test_progress_counts_votes_that_stand_and_what_is_left(engine, two_releases, rng):
    set_campaign(engine, Campaign(NEXT, {"privacy": 1}), actor="boss")
    _user(engine, "ann")
    start = person_progress(engine, username="ann")
    # NEXT has 13 privacy questions answered by 5 models: 13 x 10 pairs
    assert (start.today, start.in_campaign, start.remaining) == (0, 0, 130)
    assert start.campaign.release == NEXT and not start.override

    votes = []
    for _ in range(4):
        item = next_assignment(engine, username="ann", rng=rng, config=OVERLAP)
        votes.append(submit_vote(engine, item=item, rater="ann", shown_verdict=Verdict.B).vote_id)
    after = person_progress(engine, username="ann")
    assert (after.today, after.in_campaign, after.remaining) == (4, 4, 126)

    retract_vote(engine, vote_id=votes[-1], actor="ann")
    undone = person_progress(engine, username="ann")
    # the undone vote does not count, and its item is ann's to do again
    assert (undone.today, undone.in_campaign, undone.remaining) == (3, 3, 127)
    item = next_assignment(engine, username="ann", rng=rng, config=OVERLAP)
    submit_vote(engine, item=item, rater="ann", shown_verdict=Verdict.A)
    assert person_progress(engine, username="ann").remaining == 126

    # a pair with k = 3 people's votes is no longer needed from anybody
    for name in ("b1", "b2", "late"):
        _user(engine, name)
    assert person_progress(engine, username="late").remaining == 130
    for name in ("b1", "b2"):
        item = next_assignment(engine, username=name, rng=rng, config=OVERLAP)
        submit_vote(engine, item=item, rater=name, shown_verdict=Verdict.A)
    assert person_progress(engine, username="late").remaining == 129
    # votes outside the campaign count today, not in the campaign
    clear_campaign(engine, actor="boss")
    set_campaign(engine, Campaign(NEXT, {"fairness": 1}), actor="boss", username="ann")
    moved = person_progress(engine, username="ann")
    assert (moved.today, moved.in_campaign, moved.remaining, moved.override) == (4, 0, 130, True)


def test_stats_csv_is_formula_safe(engine, two_releases, rng):
    create_user(
        engine,
        actor="t",
        username="eve",
        name='=HYPERLINK("http://x","y")',
        password="pw-eve-12345",
        roles=["annotator"],
    )
    item = next_assignment(engine, username="eve", rng=rng, config=OVERLAP)
    submit_vote(engine, item=item, rater="eve", shown_verdict=Verdict.A)
    rows = annotator_stats(engine)
    text = stats_csv(rows)
    assert text.startswith("\ufeffusername,name,")
    line = next(line for line in text.splitlines() if line.startswith("eve,"))
    assert "'=HYPERLINK" in line
    eve = next(r for r in rows if r.user.username == "eve")
    assert (eve.progress.today, eve.progress.in_campaign, eve.overall.votes) == (1, 1, 1)


def _judged_battles_in(engine: Engine, release_id: int, n: int) -> list[int]:
    """``n`` new battles of the release's questions (first two answers of each), judge-voted."""
    from storage.votes.battles import get_or_create_battle

    made = []
    with write_session(engine) as session:
        questions = session.exec(
            select(Question).where(Question.release_id == release_id).order_by(col(Question.id))
        ).all()
        for q in questions:
            answers = session.exec(
                select(Response).where(Response.question_id == q.id).order_by(col(Response.id))
            ).all()
            if len(answers) >= 2:
                battle = get_or_create_battle(
                    session=session, question_id=q.id, response_ids=(answers[0].id, answers[1].id)
                )
                made.append(battle.id)
            if len(made) == n:
                break
    for battle_id in made:
        _judge(engine, battle_id)
    return made


def test_targeted_spot_check_candidates_are_the_campaign_releases_before_any_cap(engine, two_releases):
    # older battles (the demo release, smaller ids) filled the candidate list's cap before the
    # release filter ran, so a campaign on the newer release got no targeted candidate at all
    from storage.workflow.spot_checks import spot_check_eligible, spot_check_rows

    demo, nxt = two_releases
    old = _judged_battles_in(engine, demo, 6)
    new = _judged_battles_in(engine, nxt, 4)
    assert max(old) < min(new)
    with read_session(engine) as session:
        capped = spot_check_rows(session=session, username="checker", release_id=nxt, limit=3)
        eligible = spot_check_eligible(session=session, username="checker", release_id=nxt)
        everything = spot_check_rows(session=session, username="checker", limit=3)
    assert [r.battle_id for r in capped] == new[:3]
    assert eligible == new
    assert [r.battle_id for r in everything] == old[:3]
