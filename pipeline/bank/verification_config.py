"""The verification settings (approvals required, when a waiting candidate goes stale), the
release's target mix (new verified questions per dimension, anchors), and how far the draft is
towards it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from pipeline.bank.events import CandidateStatus
from storage.bank import candidates as candidate_store
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.app_settings import get_setting, set_setting
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "DEFAULT_NEW_PER_DIMENSION",
    "MAX_REQUIRED_APPROVALS",
    "MAX_STALE_DAYS",
    "DimensionProgress",
    "DraftProgress",
    "ReleaseTarget",
    "VerificationConfig",
    "draft_progress",
    "load_release_target",
    "load_verification_config",
    "save_release_target",
    "save_verification_config",
]

SETTING_KEY = "verification"

TARGET_KEY = "release_target"

MAX_REQUIRED_APPROVALS = 3

MAX_STALE_DAYS = 365

DEFAULT_NEW_PER_DIMENSION = 13  # LiveSecBench's mix: 13 questions per dimension, 65 in all


@dataclass(frozen=True)
class VerificationConfig:
    required_approvals: int = 1  # distinct experts who must approve the same text
    stale_after_days: int = 14  # a pending candidate older than this in the queue goes stale

    def __post_init__(self) -> None:
        if not 1 <= self.required_approvals <= MAX_REQUIRED_APPROVALS:
            raise ValueError(
                f"VerificationConfig: required_approvals must be 1-{MAX_REQUIRED_APPROVALS}, "
                f"got {self.required_approvals!r}"
            )
        if not 1 <= self.stale_after_days <= MAX_STALE_DAYS:
            raise ValueError(
                f"VerificationConfig: stale_after_days must be 1-{MAX_STALE_DAYS}, got {self.stale_after_days!r}"
            )

    def stale_before(self, now: datetime) -> datetime:
        """Candidates queued before this moment are stale at ``now``."""
        return now - timedelta(days=self.stale_after_days)


@dataclass(frozen=True)
class ReleaseTarget:
    """The release's target mix: new (not anchor) verified questions per dimension, and the
    anchors per dimension a draft must carry over from the previous published release."""

    new_per_dimension: Mapping[Dimension, int] = field(
        default_factory=lambda: dict.fromkeys(Dimension, DEFAULT_NEW_PER_DIMENSION)
    )
    min_anchors_per_dimension: int = 1

    def __post_init__(self) -> None:
        counts = {Dimension(d): n for d, n in self.new_per_dimension.items()}
        bad = {d.value: n for d, n in counts.items() if not isinstance(n, int) or not 0 <= n <= 10_000}
        if bad:
            raise ValueError(f"ReleaseTarget: counts must be whole numbers 0-10000, got {bad}")
        if not 0 <= self.min_anchors_per_dimension <= 10_000:
            raise ValueError(
                "ReleaseTarget: min_anchors_per_dimension must be 0-10000, "
                f"got {self.min_anchors_per_dimension!r}"
            )
        full = {d: counts.get(d, 0) for d in Dimension}
        object.__setattr__(self, "new_per_dimension", MappingProxyType(full))

    @classmethod
    def parse(cls, spec: str, *, min_anchors: int = 1) -> ReleaseTarget:
        """``"13"`` (every dimension) or ``"public_safety=2,privacy=1"`` (the others 0)."""
        text = spec.strip()
        try:
            if text.isdigit():
                return cls(dict.fromkeys(Dimension, int(text)), min_anchors)
            counts: dict[Dimension, int] = {}
            for part in text.split(","):
                name, _, number = part.partition("=")
                counts[Dimension.parse(name)] = int(number)
            return cls(counts, min_anchors)
        except ValueError as exc:
            raise ValueError(f"ReleaseTarget.parse: {spec!r} is not N or DIMENSION=N,... ({exc})") from None

    def describe(self) -> str:
        return ", ".join(f"{d.value} {n}" for d, n in self.new_per_dimension.items())


@dataclass(frozen=True)
class DimensionProgress:
    dimension: Dimension
    target: int  # new verified questions the release wants
    verified: int  # new questions in the draft (not anchors, not retired)
    anchors: int
    pending: int  # candidates waiting in the queue

    @property
    def missing(self) -> int:
        return max(0, self.target - self.verified)


@dataclass(frozen=True)
class DraftProgress:
    draft: str | None  # None: no draft is open yet (the first approval starts one)
    dimensions: tuple[DimensionProgress, ...]

    @property
    def missing(self) -> int:
        return sum(d.missing for d in self.dimensions)


def load_verification_config(engine: Engine) -> VerificationConfig:
    with read_session(engine) as session:
        stored = get_setting(session=session, key=SETTING_KEY)
    return VerificationConfig(**stored) if stored else VerificationConfig()


def save_verification_config(engine: Engine, config: VerificationConfig, *, actor: str) -> None:
    with write_session(engine) as session:
        set_setting(session=session, key=SETTING_KEY, value=asdict(config), updated_by=actor)
        audit(session=session, actor=actor, action="settings.verification", detail=asdict(config))


def load_release_target(engine: Engine) -> ReleaseTarget:
    with read_session(engine) as session:
        stored = get_setting(session=session, key=TARGET_KEY)
    if not stored:
        return ReleaseTarget()
    return ReleaseTarget(
        {Dimension(d): int(n) for d, n in stored["new_per_dimension"].items()},
        int(stored["min_anchors_per_dimension"]),
    )


def save_release_target(engine: Engine, target: ReleaseTarget, *, actor: str) -> None:
    value = {
        "new_per_dimension": {d.value: n for d, n in target.new_per_dimension.items()},
        "min_anchors_per_dimension": target.min_anchors_per_dimension,
    }
    with write_session(engine) as session:
        set_setting(session=session, key=TARGET_KEY, value=value, updated_by=actor)
        audit(session=session, actor=actor, action="settings.release_target", detail=value)


def draft_progress(engine: Engine, draft: str | None, target: ReleaseTarget | None = None) -> DraftProgress:
    """The draft's new questions and anchors per dimension against the target, with the
    candidates still waiting in the queue."""
    target = target or load_release_target(engine)
    verified: dict[str, int] = {}
    anchors: dict[str, int] = {}
    with read_session(engine) as session:
        if draft is not None:
            found = release_store.release_by_tag(session=session, tag=draft)
            assert found.id is not None
            for q in question_store.release_questions(session=session, release_id=found.id):
                counts = anchors if q.anchor else verified
                counts[q.record.dimension.value] = counts.get(q.record.dimension.value, 0) + 1
        pending = candidate_store.list_candidates(session=session, statuses=[CandidateStatus.PENDING])
    waiting: dict[str, int] = {}
    for c in pending:
        waiting[c.dimension] = waiting.get(c.dimension, 0) + 1
    return DraftProgress(
        draft,
        tuple(
            DimensionProgress(
                d,
                target.new_per_dimension[d],
                verified.get(d.value, 0),
                anchors.get(d.value, 0),
                waiting.get(d.value, 0),
            )
            for d in Dimension
        ),
    )
