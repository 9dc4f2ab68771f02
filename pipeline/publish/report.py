"""The report of one release: per-dimension Bradley–Terry leaderboards with intervals, rank changes
against the previous release, the judge–human agreement summary, counts, and each model's
overall rating in every release up to this one, linked onto one scale.

Rank change is counted among the models rated in both releases only: a model that drops out (or
comes in) moves nobody else. Ratings of different releases are linked through the models the two
releases have in common (mean–mean linking, ``link_releases``): each release is fitted on its own
votes and centred on 1000, and an earlier release is shifted so that the models it shares with the
next one have the same mean rating in both (docs/site.md, "Linking releases").

Everything is derived from the votes (``compute_board`` for the ratings, ``judge_agreement`` for
the judges), so a report is a pure function of (release, options, last vote id). Rendering to
Markdown, CSV and JSON is ``pipeline/publish/report_files.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy.engine import Engine

from judging.calibration import (
    Bootstrap,
    judge_agreement,
)
from judging.dimensions import Dimension
from judging.interchange import ArenaVote
from judging.types import Source
from pipeline.publish.report_types import (
    MIN_LINK_MODELS,
    OVERALL,
    HistoryPoint,
    JudgeSummary,
    RatedModel,
    ReleaseLink,
    ReleaseReport,
    ReportCounts,
    ReportOptions,
    SliceBoard,
)
from pipeline.views.harm_tags import harm_tag_summary
from pipeline.views.leaderboard import Board, BoardQuery, compute_board
from pipeline.views.vote_log import VoteColumns, VoteLog
from storage.bank import releases as release_store
from storage.db.models import utcnow
from storage.db.session import read_session
from storage.runs.endpoints import model_facts
from storage.votes.exports import arena_votes
from storage.votes.log import latest_vote_id

__all__ = [
    "build_report",
    "common_rank_changes",
    "link_releases",
    "previous_release",
    "release_history",
    "slice_ratings",
]


def previous_release(engine: Engine, release: str) -> str | None:
    """The release this one is compared with: its parent, else the newest published release
    created before it."""
    with read_session(engine) as session:
        summaries = release_store.release_summaries(session=session)
    current = next((s for s in summaries if s.tag == release), None)
    if current is None:
        known = ", ".join(s.tag for s in summaries) or "none"
        raise release_store.ReleaseNotFoundError(
            f"previous_release: no release {release!r} (releases: {known})"
        )
    if current.parent_tag is not None:
        return current.parent_tag
    earlier = [s for s in summaries if s.id < current.id and not s.is_draft]
    return earlier[-1].tag if earlier else None


def _query(dimension: str, release_id: int, options: ReportOptions) -> BoardQuery:
    return BoardQuery(
        dimension=None if dimension == OVERALL else dimension,
        release_id=release_id,
        min_votes=options.min_votes,
        intervals=options.intervals,
        bootstrap_rounds=options.bootstrap_rounds,
        seed=options.seed,
    )


def _ratings(board: Board | None) -> dict[str, float]:
    """Model -> rating, best first (the board's order)."""
    if board is None or board.bt is None:
        return {}
    return {row.model: row.rating for row in board.bt.rows}


def slice_ratings(
    columns: VoteColumns, release_id: int, options: ReportOptions, dimensions: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Each slice's Bradley–Terry ratings (model -> rating, best first) in one release; a slice
    without votes maps to an empty dict."""
    return {
        dimension: _ratings(compute_board(columns, _query(dimension, release_id, options), online=False))
        for dimension in dimensions
    }


def common_rank_changes(now: Mapping[str, float], before: Mapping[str, float]) -> dict[str, int]:
    """Places gained by each model rated in both releases, counted among those models only.

    Positions are taken by rating (best first, ties broken by model key, as the boards sort), so a
    model that is new in ``now`` or missing from it changes nobody else's place."""
    common = set(now) & set(before)

    def places(ratings: Mapping[str, float]) -> dict[str, int]:
        order = sorted(common, key=lambda m: (-ratings[m], m))
        return {m: k for k, m in enumerate(order, start=1)}

    here, there = places(now), places(before)
    return {m: there[m] - here[m] for m in common}


def _link_shift(now: Mapping[str, float], before: Mapping[str, float]) -> float | None:
    """What to add to ``before``'s ratings to put them on ``now``'s scale (mean–mean linking over
    the models in both); None when fewer than MIN_LINK_MODELS are."""
    common = sorted(set(now) & set(before))
    if len(common) < MIN_LINK_MODELS:
        return None
    return float(np.mean([now[m] for m in common]) - np.mean([before[m] for m in common]))


def _slice(dimension: str, board: Board, before: Board | None) -> SliceBoard:
    now, then = _ratings(board), _ratings(before)
    positions = {m: k for k, m in enumerate(then, start=1)}
    changes = common_rank_changes(now, then)
    shift = _link_shift(now, then)
    rows = tuple(
        RatedModel(
            model=row.model,
            name=board.names.get(row.model, row.model),
            rating=row.rating,
            lower=row.lower,
            upper=row.upper,
            position=position,
            rank=row.rank,
            rank_worst=row.rank_worst,
            votes=row.votes,
            provisional=row.provisional,
            previous_position=positions.get(row.model),
            previous_rating=None if shift is None or row.model not in then else then[row.model] + shift,
            change=changes.get(row.model),
        )
        for position, row in enumerate(board.bt.rows if board.bt is not None else (), start=1)
    )
    return SliceBoard(dimension, board.n_votes, rows, tuple(m for m in then if m not in now))


def _columns(engine: Engine) -> VoteColumns:
    log = VoteLog()
    log.refresh(engine)
    return log.snapshot()


def _boards(
    columns: VoteColumns, release_id: int, before_id: int | None, options: ReportOptions
) -> tuple[SliceBoard, ...]:
    """The overall board and one per dimension, each against the previous release's when there is one."""
    boards: list[SliceBoard] = []
    for dimension in (OVERALL, *(d.value for d in Dimension)):
        now = compute_board(columns, _query(dimension, release_id, options), online=False)
        then = (
            None
            if before_id is None
            else compute_board(columns, _query(dimension, before_id, options), online=False)
        )
        boards.append(_slice(dimension, now, then))
    return tuple(boards)


def _judge_summaries(votes: Sequence[ArenaVote], options: ReportOptions) -> tuple[JudgeSummary, ...]:
    """Each LLM judge's agreement with the humans (judges by name; one bootstrap RNG for all)."""
    judges = sorted({v.rater for v in votes if v.source is Source.JUDGE and v.rater})
    boot = Bootstrap(np.random.default_rng(options.seed), rounds=options.agreement_rounds)
    judge_rows = []
    for judge in judges:
        agreement = judge_agreement(votes, judge, boot=boot)
        judge_rows.append(
            JudgeSummary(
                judge=judge,
                n_votes=agreement.n_votes,
                n_battles=agreement.n_battles,
                agreement_with_ties=agreement.agreement_with_ties,
                agreement_without_ties=agreement.agreement_without_ties,
                cohen_kappa=agreement.cohen_kappa,
                majority_agreement_with_ties=agreement.majority_agreement_with_ties,
            )
        )
    return tuple(judge_rows)


def _counts(summary: release_store.ReleaseSummary, votes: Sequence[ArenaVote]) -> ReportCounts:
    by_source = Counter(v.source.value if v.source is not None else "unknown" for v in votes)
    by_dimension = Counter(v.dimension or "unknown" for v in votes)
    battles = {(v.question_id, *sorted((v.model_a, v.model_b))) for v in votes}
    models = {m for v in votes for m in (v.model_a, v.model_b)}
    return ReportCounts(
        questions=summary.questions,
        anchors=summary.anchors,
        retired=summary.retired,
        questions_by_dimension=dict(summary.by_dimension),
        votes=len(votes),
        votes_by_source={s.value: by_source.get(s.value, 0) for s in Source},
        votes_by_dimension={d.value: by_dimension.get(d.value, 0) for d in Dimension},
        battles=len(battles),
        models=len(models),
    )


def build_report(
    engine: Engine,
    release: str,
    *,
    previous: str | None = None,
    compare: bool = True,
    options: ReportOptions | None = None,
    columns: VoteColumns | None = None,
) -> ReleaseReport:
    """The report of ``release`` compared with ``previous`` (default: ``previous_release``;
    ``compare=False``: no comparison, no rank changes).

    ``columns`` is a snapshot of the vote log to rate from (read from the database when None).
    """
    options = options or ReportOptions()
    columns = _columns(engine) if columns is None else columns
    if not compare:
        previous = None
    elif previous is None:
        previous = previous_release(engine, release)
    with read_session(engine) as session:
        target = release_store.release_by_tag(session=session, tag=release)
        before = None if previous is None else release_store.release_by_tag(session=session, tag=previous)
        summary = next(s for s in release_store.release_summaries(session=session) if s.tag == release)
        votes = arena_votes(session=session, release_id=target.id)
        last = latest_vote_id(session=session)
        facts = model_facts(session=session, keys=sorted({m for v in votes for m in (v.model_a, v.model_b)}))
    assert target.id is not None
    before_id = None if before is None else before.id
    return ReleaseReport(
        release=release,
        title=summary.title,
        status=summary.status,
        published_at=summary.published_at,
        previous=previous,
        generated_at=utcnow(),
        last_vote_id=last,
        options=options,
        counts=_counts(summary, votes),
        boards=_boards(columns, target.id, before_id, options),
        judges=_judge_summaries(votes, options),
        history=release_history(engine, up_to=release, options=options, columns=columns),
        harm_tags=harm_tag_summary(engine, release=release),
        models=facts,
    )


def link_releases(ratings: Sequence[tuple[str, Mapping[str, float]]]) -> tuple[ReleaseLink, ...]:
    """Link releases (oldest first, each with its own overall ratings) onto the newest one's scale.

    Walking back from the newest release, each release is shifted so that the models it has in
    common with the next one have the same mean there as in the next one (already shifted):
    ``offset[k] = offset[k+1] + mean(own[k+1][common]) - mean(own[k][common])``. With fewer than
    ``MIN_LINK_MODELS`` models in common the chain breaks: that release starts a scale of its own
    (offset 0) and it and every older release are marked not linked."""
    links: list[ReleaseLink] = []
    offset, linked = 0.0, True
    after: tuple[str, Mapping[str, float]] | None = None
    for release, own in reversed(ratings):
        if after is None:
            links.append(ReleaseLink(release, None, (), 0.0, True))
        else:
            common = tuple(sorted(set(own) & set(after[1])))
            shift = _link_shift(after[1], own)
            if shift is None:
                offset, linked = 0.0, False
            else:
                offset += shift
            links.append(ReleaseLink(release, after[0], common, offset, linked))
        after = (release, own)
    return tuple(reversed(links))


def release_history(
    engine: Engine,
    *,
    up_to: str | None = None,
    options: ReportOptions | None = None,
    columns: VoteColumns | None = None,
    include_drafts: bool = True,
) -> tuple[HistoryPoint, ...]:
    """Each model's overall rating in every release (oldest first) up to and including ``up_to``,
    linked onto the scale of the newest release with votes (``link_releases``).

    ``include_drafts=False`` leaves out draft releases (except ``up_to`` itself)."""
    options = options or ReportOptions()
    columns = _columns(engine) if columns is None else columns
    with read_session(engine) as session:
        summaries = release_store.release_summaries(session=session)
    if up_to is not None:
        cut = next((k for k, s in enumerate(summaries) if s.tag == up_to), None)
        if cut is None:
            raise release_store.ReleaseNotFoundError(f"release_history: no release {up_to!r}")
        summaries = summaries[: cut + 1]
    if not include_drafts:
        summaries = [s for s in summaries if not s.is_draft or s.tag == up_to]
    boards: list[tuple[str, Board]] = []
    for summary in summaries:
        board = compute_board(columns, _query(OVERALL, summary.id, options), online=False)
        if board.bt is not None:
            boards.append((summary.tag, board))
    links = link_releases([(tag, _ratings(board)) for tag, board in boards])
    points: list[HistoryPoint] = []
    for (tag, board), link in zip(boards, links, strict=True):
        assert board.bt is not None
        points.extend(
            HistoryPoint(
                release=tag,
                model=row.model,
                name=board.names.get(row.model, row.model),
                rating=row.rating + link.offset,
                lower=None if row.lower is None else row.lower + link.offset,
                upper=None if row.upper is None else row.upper + link.offset,
                votes=row.votes,
                own_rating=row.rating,
                linked=link.linked,
            )
            for row in board.bt.rows
        )
    return tuple(points)
