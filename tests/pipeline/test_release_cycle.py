"""One release cycle against the mock server: the draft check (targets, verification, stale
candidates, duplicates, anchors) refuses and leaves the draft unchanged; check → publish →
collect → judge → report → site, each step resumable, a failing step named with how to go on.
Also the verification pace: oldest first, stale after N days, an admin puts a stale one back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import bcrypt
import pytest
from sqlmodel import select

from judging.dimensions import Dimension
from judging.llm import EndpointConfig
from judging.questions import QuestionRecord
from mockllm import MockConfig, serve
from pipeline.bank.events import CandidateStatus, EventInput, add_event, event_candidates
from pipeline.bank.releases import create_release, list_release_summaries
from pipeline.bank.verification import (
    Decision,
    ReviewError,
    mark_stale_candidates,
    requeue_candidate,
    review_candidate,
    review_queue,
)
from pipeline.bank.verification_config import (
    ReleaseTarget,
    VerificationConfig,
    draft_progress,
    save_verification_config,
)
from pipeline.publish.draft_check import ProblemKind, check_draft
from pipeline.publish.release_cycle import CycleError, CycleOptions, SiteError, Step, StepStatus, run_cycle
from pipeline.runs.common import RunOptions
from pipeline.runs.generation import run_generation
from pipeline.runs.registry import save_endpoint
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.models import CandidateQuestion, utcnow
from storage.db.session import read_session, write_session
from storage.people.users import add_user

FAST = RunOptions(concurrency=8, timeout_s=5.0, max_attempts=1, backoff_base_s=0.01, backoff_max_s=0.02)
EVENT = EventInput(
    title="某招聘平台岗位要求限35岁以下",
    event_date=date(2026, 11, 27),
    summary="多家企业在招聘信息中设置年龄门槛，专家认为这可能构成就业歧视。",
    dimensions=(Dimension.FAIRNESS, Dimension.PRIVACY),
    source_url="https://example.org/demo-news/age-limit",
)
MODELS = ("qingyun-care", "jindun-guard", "kuaida-open")
FAIRNESS_2 = ReleaseTarget({Dimension.FAIRNESS: 2})


@pytest.fixture(scope="module")
def cheap_hash() -> str:
    return bcrypt.hashpw(b"pw-test", bcrypt.gensalt(rounds=4)).decode("ascii")


@pytest.fixture
def team(engine, cheap_hash):
    with write_session(engine) as session:
        for name, roles in (("doc1", ["expert"]), ("doc2", ["expert"]), ("boss", ["admin"])):
            add_user(session=session, username=name, name=name, password_hash=cheap_hash, roles=roles)
    return engine


@pytest.fixture
def mock():
    with serve(MockConfig()) as server:
        yield server


def _register(engine, base_url: str) -> None:
    for key in MODELS:
        save_endpoint(engine, EndpointConfig(key=key, base_url=base_url, model=key), actor="t")
    save_endpoint(
        engine, EndpointConfig(key="judge", base_url=base_url, model="mock-judge"), actor="t", role="judge"
    )
    save_endpoint(
        engine,
        EndpointConfig(key="gen", base_url=base_url, model="mock-generator"),
        actor="t",
        role="generator",
    )


def _draft_with_fairness(engine, base_url: str, *, approve: int = 2) -> list:
    """A draft started from the demo release, with ``approve`` fairness questions from an event."""
    _register(engine, base_url)
    create_release(engine, "next", parent="v261201")
    event_id = add_event(engine, EVENT, actor="doc1")
    run_generation(engine, event_id=event_id, generator="gen", per_dimension=3, options=FAST, environ={})
    candidates = event_candidates(engine, event_id=event_id)
    fairness = [c for c in candidates if c.dimension == "fairness"]
    for c in fairness[:approve]:
        review_candidate(engine, c.id, reviewer="doc1", decision=Decision.APPROVE)
    return candidates


def _questions(engine, tag: str) -> list[question_store.StoredQuestion]:
    with read_session(engine) as session:
        release = release_store.release_by_tag(session=session, tag=tag)
        return question_store.release_questions(session=session, release_id=release.id, include_retired=True)


def _options(tmp_path: Path, **changes) -> CycleOptions:
    base = CycleOptions(
        draft="next",
        tag="v261215",
        models=MODELS,
        budget=20,
        target=FAIRNESS_2,
        reports_dir=tmp_path / "reports",
        run_options=FAST,
    )
    return replace(base, **changes)


def test_a_draft_short_of_its_targets_is_refused_and_left_unchanged(team, mock, tmp_path):
    engine = team
    _draft_with_fairness(engine, mock.base_url)
    before = _questions(engine, "next")
    check = check_draft(engine, "next")  # the saved target: 13 new per dimension
    short = [p.message for p in check.problems if p.kind is ProblemKind.SHORT]
    assert short[1] == "fairness: 2 new question(s), target 13 (11 short)" and len(short) == 5
    with pytest.raises(CycleError) as err:
        run_cycle(engine, _options(tmp_path, target=None))
    assert err.value.step is Step.CHECK and err.value.done == ()
    assert "is not ready (5 problem(s)); it was not changed" in err.value.message
    assert "run the same command again" in err.value.hint
    assert _questions(engine, "next") == before
    with pytest.raises(CycleError, match="must look like vYYMMDD") as err:
        run_cycle(engine, _options(tmp_path, tag="v2612"))
    assert err.value.step is Step.CHECK
    assert [s.tag for s in list_release_summaries(engine) if s.is_draft] == ["next"]
    assert not (tmp_path / "reports").exists()


def test_the_check_finds_unverified_stale_duplicate_and_anchor_problems(team, mock):
    engine = team
    candidates = _draft_with_fairness(engine, mock.base_url)
    assert check_draft(engine, "next", target=FAIRNESS_2).ok
    published = _questions(engine, "v261201")[0]
    with write_session(engine) as session:
        draft = release_store.release_by_tag(session=session, tag="next")
        copy = QuestionRecord("copy-1", published.record.dimension, published.record.text + "。")
        question_store.add_question(session=session, release=draft, record=copy, source="import")
        # a candidate that joined the draft and then (by hand) went stale
        row = session.exec(select(CandidateQuestion).where(CandidateQuestion.id == candidates[0].id)).one()
        row.status = CandidateStatus.STALE.value
        session.add(row)
    # the rule became two approvals after the second question was approved by one expert
    save_verification_config(engine, VerificationConfig(required_approvals=2), actor="boss")
    create_release(engine, "orphan")
    check = check_draft(engine, "next", target=FAIRNESS_2)
    kinds = sorted(p.kind.value for p in check.problems)
    assert kinds == ["duplicate", "stale", "unverified"], check.problems
    messages = " | ".join(p.message for p in check.problems)
    assert "copy-1: duplicates v261201 question" in messages
    assert "approved by 1 expert(s), the rule now needs 2" in messages
    orphan = check_draft(engine, "orphan", target=ReleaseTarget({}))
    assert [p.kind for p in orphan.problems] == [ProblemKind.ANCHORS]
    assert "not started from a published release" in orphan.problems[0].message


def test_queue_oldest_first_stale_after_n_days_and_put_back(team, mock):
    engine = team
    _draft_with_fairness(engine, mock.base_url, approve=0)
    queue = review_queue(engine, reviewer="doc2")
    oldest, newest = queue[0], queue[-1]
    with write_session(engine) as session:  # the newest waited longest
        row = session.get(CandidateQuestion, newest.id)
        row.queued_at = utcnow() - timedelta(days=20)
        session.add(row)
    assert review_queue(engine, reviewer="doc2")[0].id == newest.id
    # one expert approved early; with the two-person rule it is still pending when it goes stale
    save_verification_config(
        engine, VerificationConfig(required_approvals=2, stale_after_days=14), actor="boss"
    )
    review_candidate(engine, oldest.id, reviewer="doc1", decision=Decision.APPROVE, now=utcnow())
    with pytest.raises(ReviewError, match="is stale"):
        review_candidate(engine, newest.id, reviewer="doc1", decision=Decision.APPROVE)
    assert newest.id not in [c.id for c in review_queue(engine, reviewer="doc1")]
    assert event_candidates(engine, statuses=[CandidateStatus.STALE])[0].id == newest.id
    later = utcnow() + timedelta(days=15)
    assert mark_stale_candidates(engine, now=later) != ()  # every other one, oldest included
    assert [s.tag for s in list_release_summaries(engine) if s.is_draft] == ["next"]
    assert draft_progress(engine, "next").dimensions[1].verified == 0  # nothing stale was published
    with pytest.raises(ReviewError, match="not an active admin"):
        requeue_candidate(engine, oldest.id, actor="doc1")
    requeue_candidate(engine, oldest.id, actor="boss")
    (back,) = [c for c in event_candidates(engine) if c.id == oldest.id]
    assert back.status == "pending"
    # doc1's approval was given before it went back: it counts no more
    first = review_candidate(engine, oldest.id, reviewer="doc2", decision=Decision.APPROVE)
    assert first.status is CandidateStatus.PENDING and first.approvals == ("doc2",)
    done = review_candidate(engine, oldest.id, reviewer="doc1", decision=Decision.APPROVE)
    assert done.status is CandidateStatus.APPROVED and done.release == "next"


def test_full_cycle_and_a_rerun_that_finds_it_done(team, mock, tmp_path):
    engine = team
    _draft_with_fairness(engine, mock.base_url)
    built: list[tuple[str, Path]] = []

    def site(tag: str, out: Path) -> str:
        built.append((tag, out))
        return f"site of {tag}"

    seen: list[Step] = []
    results = run_cycle(engine, _options(tmp_path), site=site, on_step=lambda r: seen.append(r.step))
    assert [r.step for r in results] == seen == list(Step)
    assert all(r.status is StepStatus.DONE for r in results)
    assert "fairness 2+13" in results[0].detail
    by_step = {r.step: r for r in results}
    assert by_step[Step.PUBLISH].detail == "next → v261215, 67 questions"
    assert by_step[Step.COLLECT].detail == f"3 models; {67 * 3} new answers stored"
    assert built == [("v261215", tmp_path / "reports" / "site-v261215")]
    assert (tmp_path / "reports" / "report-v261215.md").is_file()
    summary = {s.tag: s for s in list_release_summaries(engine)}
    assert not summary["v261215"].is_draft and "next" not in summary

    again = run_cycle(engine, _options(tmp_path), site=None)
    statuses = {r.step: (r.status, r.detail) for r in again}
    assert statuses[Step.CHECK][0] is StepStatus.ALREADY and statuses[Step.PUBLISH][0] is StepStatus.ALREADY
    assert statuses[Step.COLLECT][1] == "3 models; 0 new answers stored"
    assert statuses[Step.SITE] == (StepStatus.SKIPPED, "not available yet")


def test_a_failing_step_is_named_and_the_same_command_goes_on(team, mock, tmp_path):
    engine = team
    _draft_with_fairness(engine, mock.base_url)
    save_endpoint(
        engine, EndpointConfig(key="jindun-guard", base_url="http://127.0.0.1:9/v1", model="x"), actor="t"
    )
    with pytest.raises(CycleError) as err:
        run_cycle(engine, _options(tmp_path))
    assert err.value.step is Step.COLLECT
    assert [r.step for r in err.value.done] == [Step.CHECK, Step.PUBLISH]
    assert "67 of 201 requests failed after retries" in err.value.message
    save_endpoint(
        engine, EndpointConfig(key="jindun-guard", base_url=mock.base_url, model="jindun-guard"), actor="t"
    )

    def broken_site(tag: str, out: Path) -> str:
        raise SiteError("cli.py site exited with 2: OUT is not empty")

    with pytest.raises(CycleError) as err:
        run_cycle(engine, _options(tmp_path), site=broken_site)
    assert err.value.step is Step.SITE and "OUT is not empty" in err.value.message
    done = {r.step: r for r in err.value.done}
    assert done[Step.COLLECT].detail == "3 models; 67 new answers stored"  # only what was missing
    assert done[Step.CHECK].status is StepStatus.ALREADY
