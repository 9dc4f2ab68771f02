"""The annotator queue: which battle a person sees next, under the policy an admin chose.

Policies: ``overlap`` (each battle collects k independent human votes from distinct people),
``spot_check`` (judge-voted battles: a ``calibration_share`` drawn uniformly at random, the rest a
stratified sample with disagreements first) and ``active``
(the pair of models whose comparison most reduces ranking uncertainty, from a Bradley–Terry fit).
Gold battles are mixed in at ``gold_rate`` and look like any other item. Every item handed out is
stored as an assignment, so a person who logs out resumes the same item and never sees a battle
twice.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from judging.choices import Choice
from judging.ratings import BradleyTerry
from judging.scheduling import ConvergenceRule, History, Scheduler, StopReason, replay_snapshots
from judging.spot_check import SpotCheckCandidate, next_spot_check
from judging.types import Comparison, outcome_from_verdict
from pipeline.workflow.campaigns import CampaignInForce, campaign_in_force
from pipeline.workflow.voting import VoteItem
from storage.db.app_settings import get_setting, set_setting
from storage.db.models import Assignment, Battle, utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.people.users import get_user
from storage.votes.battles import get_or_create_battle, list_models
from storage.votes.log import human_votes_in_slice
from storage.workflow.assignments import (
    add_assignment,
    open_assignment,
    overlap_candidates,
    pair_outcome_counts,
    random_unseen_pair,
    retracted_votes,
    unseen_battle_for_models,
)
from storage.workflow.gold import gold_candidates
from storage.workflow.spot_checks import spot_check_eligible, spot_check_rows, stratum_human_counts

__all__ = [
    "CAMPAIGN_SPOT_CHECK",
    "ActiveStatus",
    "QueueConfig",
    "QueuePolicy",
    "active_status",
    "load_queue_config",
    "next_assignment",
    "save_queue_config",
]

SETTING_KEY = "queue"
# ``assignment.policy`` of a uniform spot-check draw within a campaign's release (not a calibration draw)
CAMPAIGN_SPOT_CHECK = "spot_check:campaign"


class QueuePolicy(Choice):
    OVERLAP = "overlap"
    SPOT_CHECK = "spot_check"
    ACTIVE = "active"

    @classmethod
    def noun(cls) -> str:
        return "policy"


@dataclass(frozen=True)
class QueueConfig:
    policy: QueuePolicy = QueuePolicy.OVERLAP
    overlap_k: int = 3
    gold_rate: float = 0.1
    break_every: int = 5  # remind to take a break after this many self-harm items
    break_minutes: int = 45  # ... and after this many minutes of continuous work (ui/care.py)
    lease_minutes: int = 30  # an item not voted on within this is released to others
    # spot_check: the share of items drawn uniformly at random (the calibration stratum the
    # judge-corrected leaderboard rests on); the rest are targeted (disagreements first)
    calibration_share: float = 0.2

    def __post_init__(self) -> None:
        if not isinstance(self.policy, QueuePolicy):
            object.__setattr__(self, "policy", QueuePolicy.parse(str(self.policy)))
        if self.overlap_k < 1:
            raise ValueError(f"QueueConfig: overlap_k must be at least 1, got {self.overlap_k!r}")
        if not 0.0 <= self.gold_rate <= 1.0:
            raise ValueError(f"QueueConfig: gold_rate must be within [0, 1], got {self.gold_rate!r}")
        if self.break_every < 1:
            raise ValueError(f"QueueConfig: break_every must be at least 1, got {self.break_every!r}")
        if self.break_minutes < 1:
            raise ValueError(f"QueueConfig: break_minutes must be at least 1, got {self.break_minutes!r}")
        if self.lease_minutes < 1:
            raise ValueError(f"QueueConfig: lease_minutes must be at least 1, got {self.lease_minutes!r}")
        if isinstance(self.calibration_share, bool) or not 0.0 <= self.calibration_share <= 1.0:
            raise ValueError(
                f"QueueConfig: calibration_share must be within [0, 1], got {self.calibration_share!r}"
            )

    @property
    def lease(self) -> timedelta:
        return timedelta(minutes=self.lease_minutes)


def load_queue_config(engine: Engine) -> QueueConfig:
    with read_session(engine) as session:
        stored = get_setting(session=session, key=SETTING_KEY)
    return QueueConfig(**stored) if stored else QueueConfig()


def save_queue_config(engine: Engine, config: QueueConfig, *, actor: str) -> None:
    value = {**asdict(config), "policy": config.policy.value}
    with write_session(engine) as session:
        set_setting(session=session, key=SETTING_KEY, value=value, updated_by=actor)
        audit(session=session, actor=actor, action="settings.queue", detail=value)


def _item(assignment: Assignment, undone: int = 0, shown_at: datetime | None = None) -> VoteItem:
    """The item of an assignment; after ``undone`` undos its key gets a suffix, so the re-vote is a
    new ledger row while a double click on it still records one."""
    assert assignment.id is not None
    key = assignment.idempotency_key if not undone else f"{assignment.idempotency_key}~{undone}"
    return VoteItem(
        assignment.battle_id, assignment.left_response_id, key, shown_at or assignment.assigned_at
    )


def next_assignment(
    engine: Engine,
    *,
    username: str,
    rng: random.Random,
    config: QueueConfig | None = None,
    release_id: int | None = None,
    now: datetime | None = None,
) -> VoteItem | None:
    """The person's open item if they have one (its lease still running), else a new one under
    the configured policy, leased for ``config.lease_minutes``."""
    config = config or load_queue_config(engine)
    now = now or utcnow()
    for _attempt in range(5):
        try:
            with write_session(engine) as session:
                current = open_assignment(session=session, username=username, now=now)
                if current is not None:
                    undone = retracted_votes(session=session, username=username, battle_id=current.battle_id)
                    return _item(current, undone, now if undone else None)
                user = get_user(session=session, username=username)
                dims = list(user.qualifications) if user and user.qualifications else None
                campaign = (
                    None if release_id is not None else campaign_in_force(session=session, username=username)
                )
                if campaign is None:
                    battle_id, policy, gold = _choose(session, username, rng, config, dims, release_id, now)
                else:
                    battle_id, policy, gold = _choose_in_campaign(
                        session, username, rng, config, dims, campaign, now
                    )
                if battle_id is None:
                    return None
                battle = session.get(Battle, battle_id)
                assert battle is not None
                left = battle.response_a_id if rng.random() < 0.5 else battle.response_b_id
                assignment = add_assignment(
                    session=session,
                    username=username,
                    battle_id=battle_id,
                    left_response_id=left,
                    idempotency_key=uuid.uuid4().hex,  # unique across processes: never from a seeded RNG
                    policy=policy,
                    gold=gold,
                    expires_at=now + config.lease,
                )
                return _item(assignment)
        except IntegrityError:
            continue  # a concurrent request assigned the same battle; choose again
    return None


def _choose_in_campaign(
    session,
    username: str,
    rng: random.Random,
    config: QueueConfig,
    dims: Sequence[str] | None,
    campaign: CampaignInForce,
    now: datetime,
) -> tuple[int | None, str, bool]:
    """The policy's choice within the campaign's release, one dimension at a time: the first drawn
    by the campaign's weights among those the person is qualified for, the others (by weight)
    only when it has nothing left for them."""
    for dim in campaign.campaign.dimension_order(dims, rng):
        battle_id, policy, gold = _choose(session, username, rng, config, [dim], campaign.release_id, now)
        if battle_id is not None:
            return battle_id, policy, gold
    return None, config.policy.value, False


def _choose(
    session,
    username: str,
    rng: random.Random,
    config: QueueConfig,
    dims: Sequence[str] | None,
    release_id: int | None,
    now: datetime,
) -> tuple[int | None, str, bool]:
    if config.gold_rate > 0 and rng.random() < config.gold_rate:
        golds = gold_candidates(session=session, username=username, dimensions=dims)
        if golds:
            return rng.choice(golds), config.policy.value, True
    if config.policy is QueuePolicy.SPOT_CHECK:
        battle_id, policy = _spot_check(session, username, rng, config, dims, release_id)
        return battle_id, policy, False
    if config.policy is QueuePolicy.ACTIVE:
        return _active(session, username, rng, dims, release_id), config.policy.value, False
    return _overlap(session, username, rng, config, dims, release_id, now), config.policy.value, False


def _overlap(session, username, rng, config, dims, release_id, now) -> int | None:
    candidates = overlap_candidates(
        session=session,
        username=username,
        k=config.overlap_k,
        now=now,
        dimensions=dims,
        release_id=release_id,
    )
    if candidates:
        # finish the battles closest to k first; random among equals
        best = max(c.human_raters + c.open_assignments for c in candidates)
        return rng.choice([c.battle_id for c in candidates if c.human_raters + c.open_assignments == best])
    # every battle in progress is full or seen: open a new one on a random question and pair
    found = random_unseen_pair(
        session=session,
        username=username,
        rng_values=[rng.getrandbits(62) for _ in range(30)],
        dimensions=dims,
        release_id=release_id,
    )
    if found is None:
        return None
    q, ra, rb = found
    return get_or_create_battle(session=session, question_id=q, response_ids=(ra, rb)).id


def _spot_check(session, username, rng, config, dims, release_id=None) -> tuple[int | None, str]:
    """A uniform calibration draw (stored as ``spot_check:random``) or a targeted one. Within a
    campaign's release (``release_id``) a uniform draw is uniform over that release only, not
    over every judged battle: it is stored as ``spot_check:campaign``, which calibration counts
    as chosen, so the judge-corrected board never rests on it."""

    def eligible() -> list[int]:
        return spot_check_eligible(session=session, username=username, dimensions=dims, release_id=release_id)

    def candidates() -> list[SpotCheckCandidate]:
        return spot_check_rows(session=session, username=username, dimensions=dims, release_id=release_id)

    chosen = next_spot_check(
        rng,
        calibration_share=config.calibration_share,
        eligible=eligible,
        candidates=candidates,
        stratum_counts=lambda: stratum_human_counts(session=session),
    )
    if chosen is None:
        return None, config.policy.value
    if release_id is not None and chosen.calibration:
        return chosen.battle_id, CAMPAIGN_SPOT_CHECK
    return chosen.battle_id, chosen.policy


def _active(session, username, rng, dims, release_id) -> int | None:
    if _active_status(session, dims, release_id).converged:
        return None  # the slice's human ranking has settled: open no new battles for it
    models = {m.key: m for m in list_models(session=session) if not m.reference}
    counts = pair_outcome_counts(session=session)
    comparisons = [Comparison(a, b, outcome_from_verdict(v), float(n)) for a, b, v, n in counts if a != b]
    keys = sorted(models)
    history = History.from_counts(keys, comparisons)
    bt = BradleyTerry()
    fit = bt.fit(comparisons) if comparisons else bt.initial(keys)
    np_rng = np.random.default_rng(rng.getrandbits(64))
    proposals = Scheduler.named("active", bt=bt).propose(history, 8, np_rng, fit=fit)
    for pair in proposals:
        found = unseen_battle_for_models(
            session=session,
            username=username,
            model_ids=(models[pair.model_a].id, models[pair.model_b].id),
            rng_pick=rng.getrandbits(32),
            dimensions=dims,
            release_id=release_id,
        )
        if found:
            q, ra, rb = found
            return get_or_create_battle(session=session, question_id=q, response_ids=(ra, rb)).id
    return None


@dataclass(frozen=True)
class ActiveStatus:
    """Whether the human ranking of a release/dimension slice has settled (``ConvergenceRule``
    with its defaults over the slice's human votes, in the order they were cast)."""

    converged: bool
    human_votes: int  # human votes that count in the slice
    neighbours_short: int  # pairs of rank neighbours still below the rule's per-pair minimum


def active_status(
    engine: Engine, *, username: str | None = None, release_id: int | None = None
) -> ActiveStatus:
    """The state of the slice the ``active`` policy serves ``username`` (their qualified
    dimensions; all dimensions without a user) in ``release_id`` (all releases if None): when
    ``converged``, the queue opens no new active battles there, and the page can say so."""
    with read_session(engine) as session:
        user = get_user(session=session, username=username) if username else None
        dims = list(user.qualifications) if user and user.qualifications else None
        return _active_status(session, dims, release_id)


def _active_status(session, dims, release_id) -> ActiveStatus:
    models = sorted(m.key for m in list_models(session=session) if not m.reference)
    comparisons = [
        Comparison(v.model_a, v.model_b, outcome_from_verdict(v.verdict))
        for v in human_votes_in_slice(session=session, release_id=release_id, dimensions=dims)
    ]
    if len(models) < 2:
        return ActiveStatus(False, len(comparisons), 0)
    rule = ConvergenceRule(budget=None)
    history = History.empty(models).add(comparisons)
    snapshots = replay_snapshots(
        comparisons, models, BradleyTerry(), every=rule.interval(len(models)), last=rule.patience + 1
    )
    short = rule.neighbours_short(snapshots[-1], history) if snapshots else len(models) - 1
    stopped = rule.check(snapshots, history, len(comparisons))
    return ActiveStatus(stopped is StopReason.STABLE_RANKS, len(comparisons), short)
