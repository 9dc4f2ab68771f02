"""What a release report holds: its options, the per-slice boards with rank changes, the judge
summary, counts, and each model's linked rating history — frozen values for the report files,
the static site and the report page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from judging.calibration import Estimate
from pipeline.views.harm_tags import HarmTagSummary
from storage.runs.endpoints import ModelFacts

__all__ = [
    "MIN_LINK_MODELS",
    "OVERALL",
    "HistoryPoint",
    "JudgeSummary",
    "RatedModel",
    "ReleaseLink",
    "ReleaseReport",
    "ReportCounts",
    "ReportOptions",
    "SliceBoard",
]

OVERALL = "overall"

# Fewer models in common than this and two releases are not linked: one shared model would carry
# its own estimation error whole into every rating of the other release.
MIN_LINK_MODELS = 2


@dataclass(frozen=True)
class ReportOptions:
    intervals: str = "sandwich"  # or "bootstrap"
    bootstrap_rounds: int = 1000
    min_votes: int = 10
    agreement_rounds: int = 1000  # bootstrap rounds of the judge–human agreement intervals
    seed: int = 0

    def __post_init__(self) -> None:
        if self.intervals not in ("sandwich", "bootstrap"):
            raise ValueError(
                f"ReportOptions: intervals must be 'sandwich' or 'bootstrap', got {self.intervals!r}"
            )
        if self.min_votes < 0:
            raise ValueError(f"ReportOptions: min_votes must be non-negative, got {self.min_votes!r}")
        if self.agreement_rounds < 2 or self.bootstrap_rounds < 2:
            raise ValueError("ReportOptions: bootstrap rounds must be at least 2")


@dataclass(frozen=True)
class RatedModel:
    """One leaderboard row; ``position`` is the place by rating (1 = best), ``rank``–``rank_worst``
    the range the intervals allow. ``rating`` is the release's own fit (centred on 1000)."""

    model: str
    name: str
    rating: float
    lower: float | None
    upper: float | None
    position: int
    rank: int
    rank_worst: int
    votes: int
    provisional: bool
    previous_position: int | None  # in the same slice of the previous release; None: not rated there
    # the previous release's rating on this release's scale (linked through the models rated in
    # both); None when not rated there or fewer than MIN_LINK_MODELS models are in common
    previous_rating: float | None
    # places gained among the models rated in both releases (positive = moved up); None: new
    change: int | None = None


@dataclass(frozen=True)
class SliceBoard:
    dimension: str  # OVERALL or a dimension code
    n_votes: int
    rows: tuple[RatedModel, ...]
    dropped: tuple[str, ...] = ()  # models rated in the previous release's slice but not in this one


@dataclass(frozen=True)
class JudgeSummary:
    judge: str
    n_votes: int  # human votes paired with a verdict of this judge
    n_battles: int
    agreement_with_ties: Estimate | None
    agreement_without_ties: Estimate | None
    cohen_kappa: Estimate | None
    majority_agreement_with_ties: Estimate | None


@dataclass(frozen=True)
class ReportCounts:
    questions: int
    anchors: int
    retired: int
    questions_by_dimension: Mapping[str, int]
    votes: int  # standing votes (a superseded vote is left out)
    votes_by_source: Mapping[str, int]
    votes_by_dimension: Mapping[str, int]
    battles: int  # distinct (question, model pair) with a vote
    models: int  # models with a vote


@dataclass(frozen=True)
class HistoryPoint:
    """A model's overall Bradley–Terry rating in one release, on the linked scale.

    ``rating``, ``lower`` and ``upper`` are the release's own fit plus the release's link offset
    (``ReleaseLink.offset``); ``own_rating`` is the fit as the release's own board shows it.
    ``linked`` is False when the chain of releases back from the newest one breaks before it."""

    release: str
    model: str
    name: str
    rating: float
    lower: float | None
    upper: float | None
    votes: int
    own_rating: float = 0.0
    linked: bool = True


@dataclass(frozen=True)
class ReleaseLink:
    """How one release's overall ratings are put on the scale of the newest release of a history.

    ``offset`` is added to the release's own ratings. ``next_release`` is the release it is linked
    to (None for the newest, whose scale is the reference) through the ``common`` models.
    ``linked`` is False when this link or a later one has fewer than ``MIN_LINK_MODELS`` models in
    common: the release is then on a scale of its own (offsets still chain back from the break)."""

    release: str
    next_release: str | None
    common: tuple[str, ...]
    offset: float
    linked: bool


@dataclass(frozen=True)
class ReleaseReport:
    release: str
    title: str
    status: str
    published_at: datetime | None
    previous: str | None
    generated_at: datetime
    last_vote_id: int
    options: ReportOptions
    counts: ReportCounts
    boards: tuple[SliceBoard, ...]  # overall first, then the five dimensions
    judges: tuple[JudgeSummary, ...]
    history: tuple[HistoryPoint, ...] = field(default=())
    # what is known about each model with a vote in the release (registry metadata), by key
    models: Mapping[str, ModelFacts] = field(default_factory=dict)
    harm_tags: HarmTagSummary | None = None  # per model and dimension (pipeline/publish/report_tags.py)

    def board(self, dimension: str) -> SliceBoard:
        for board in self.boards:
            if board.dimension == dimension:
                return board
        raise KeyError(f"ReleaseReport.board: no slice {dimension!r}")
