"""The calibration view of a slice of the votes: how far to trust the judges, the annotators and
the ratings, and the judge-corrected leaderboard.

The votes of a slice (dimension, release, judges, annotators, model pair) are read from the
database as interchange votes (``judging.interchange.ArenaVote``): the question is the database
question id, ``shown_first`` comes from the response shown on the left, answer lengths from the
stored answers, and gold verdicts from the gold labels (else the experts' plurality). Superseded
votes are left out. The judge-corrected leaderboard rests only on human votes whose battle was a
valid draw (``judging.spot_check.Selection``, read from the assignment each vote answered).
Everything is computed by ``judging.calibration``; a votes file gets the same view without the
database (``file_calibration``; it records no selection, so every human vote is an assumed draw).

``compute_calibration`` is a pure function of (query, last vote id, gold labels): callers cache by
the query (a hashable frozen dataclass) and ``calibration_version(engine)``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from judging.calibration import (
    BattleKey,
    Bootstrap,
    CalibrationReport,
    CorrectedLeaderboard,
    RatingCalibration,
    battle_key,
    battle_scores,
    calibration_report,
    gold_from_votes,
    holdout_split,
    judge_corrected_leaderboard,
    rating_calibration,
    valid_draws,
)
from judging.interchange import ArenaVote, votes_of_table
from judging.spot_check import Selection
from judging.types import Side, Source, Verdict
from judging.votes_file import VotesFormat, parse_vote_table, without_duplicates
from pipeline.views.calibration_types import (
    BattleRef,
    CalibrationQuery,
    CalibrationView,
    FilterOptions,
    Unavailable,
)
from storage.bank.releases import list_releases, release_by_tag
from storage.db.session import read_session
from storage.runs.endpoints import list_endpoints
from storage.votes.battles import ModelInfo, list_models
from storage.votes.calibration import (
    CalibrationVoteRow,
    answer_lengths,
    calibration_votes,
    raters_by_source,
    voted_model_pairs,
)
from storage.votes.ledger import current_revision
from storage.votes.log import latest_vote_id
from storage.workflow.gold import gold_labels
from storage.workflow.spot_checks import human_vote_selections

__all__ = [
    "BattleRef",
    "CalibrationQuery",
    "CalibrationView",
    "FilterOptions",
    "Unavailable",
    "calibration_filters",
    "calibration_version",
    "compute_calibration",
    "file_calibration",
]

MIN_RATING_VOTES = 10  # fewer votes in a slice make a held-out split meaningless


# -- reading the database ---------------------------------------------------------------------------


def calibration_version(engine: Engine) -> tuple[int, int, str]:
    """The cache key of the data: the last vote id, the ledger revision (an undo or a ruling
    changes which votes stand) and a digest of the gold labels."""
    with read_session(engine) as session:
        last = latest_vote_id(session=session)
        revision = current_revision(session=session)
        gold = sorted(gold_labels(session=session).items())
    digest = hashlib.sha256(repr([(b, v.value) for b, v in gold]).encode()).hexdigest()[:16]
    return last, revision, digest


def calibration_filters(engine: Engine) -> FilterOptions:
    with read_session(engine) as session:
        raters = raters_by_source(session=session)
        pairs = voted_model_pairs(session=session)
        models = list_models(session=session)
        releases = list_releases(session=session)
    return FilterOptions(
        releases=tuple(r.tag for r in releases),
        judges=raters[Source.JUDGE],
        annotators=raters[Source.HUMAN],
        model_pairs=tuple(pairs),
        names={m.key: m.display_name for m in models},
    )


def _arena_vote(row: CalibrationVoteRow) -> ArenaVote:
    return ArenaVote.of(
        row.model_a,
        row.model_b,
        row.verdict,
        source=row.source,
        rater=row.rater,
        shown_first=Side.A if row.left_is_a else Side.B,
        dimension=row.dimension,
        release=row.release,
        question_id=str(row.question_id),
        turn=1,
        tstamp=row.created_at.timestamp(),
    )


def compute_calibration(
    engine: Engine, query: CalibrationQuery, *, last_vote_id: int | None = None
) -> CalibrationView:
    """The view of the slice over the votes up to ``last_vote_id`` (default: the newest)."""
    with read_session(engine) as session:
        last = latest_vote_id(session=session) if last_vote_id is None else last_vote_id
        release_id = None if query.release is None else release_by_tag(session=session, tag=query.release).id
        rows = calibration_votes(
            session=session, up_to_vote_id=last, dimension=query.dimension, release_id=release_id
        )
        models = list_models(session=session)
        labels = gold_labels(session=session)
        endpoints = list_endpoints(session=session)
        lengths = answer_lengths(session=session, question_ids={r.question_id for r in rows})
        drawn = human_vote_selections(session=session, up_to_vote_id=last)
    keep = query.slice()
    votes_list: list[ArenaVote] = []
    selections: list[Selection] = []
    battles: dict[BattleKey, BattleRef] = {}
    for row in rows:
        vote = _arena_vote(row)
        if not keep.keeps(vote):
            continue
        votes_list.append(vote)
        selections.append(drawn.get(row.vote_id, Selection.UNRECORDED))
        key = battle_key(vote)
        assert key is not None  # every database vote has a question
        battles.setdefault(key, BattleRef(row.battle_id, row.dimension, row.model_a <= row.model_b))
    votes = tuple(votes_list)
    # gold: the experts' plurality, overridden by the gold labels (the known correct verdicts)
    gold = gold_from_votes(votes)
    for key, ref in battles.items():
        label = labels.get(ref.battle_id)
        if label is not None:
            gold[key] = label if ref.a_is_low else label.swapped()
    judges = {v.rater for v in votes if v.source is Source.JUDGE and v.rater is not None}
    figures = _figures(
        query,
        votes,
        lengths={(str(q), m): float(n) for (q, m), n in lengths.items()},
        judge_models=_judge_models(judges, models, {e.key: e.model for e in endpoints}),
        gold=gold,
        reference={m.key for m in models if m.reference},
        selections=selections,
    )
    return CalibrationView(
        query=query,
        last_vote_id=last,
        votes=votes,
        report=figures.report,
        ratings=figures.ratings,
        ratings_missing=figures.ratings_missing,
        board=figures.board.board,
        board_missing=figures.board.missing,
        board_untuned=figures.board.untuned,
        names={m.key: m.display_name for m in models},
        battles=battles,
        n_gold=len(gold),
        n_targeted=figures.n_targeted,
    )


def _judge_models(
    judges: set[str], models: Sequence[ModelInfo], endpoint_models: Mapping[str, str]
) -> dict[str, str]:
    """Each judge's own model among the rated ones: the model registered under the judge's key, or
    the one whose endpoint serves the same model id as the judge's endpoint. A judge without one
    gets no self-preference figure (model families are not guessed)."""
    own: dict[str, str] = {}
    for judge in sorted(judges):
        served = endpoint_models.get(judge)
        for model in models:
            if model.reference:
                continue
            if model.key == judge or (served is not None and endpoint_models.get(model.key) == served):
                own[judge] = model.key
                break
    return own


# -- computing --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Board:
    board: CorrectedLeaderboard | None
    missing: Unavailable | None
    untuned: bool  # PPI++ tuning failed and lam was fixed at 0


@dataclass(frozen=True, eq=False)
class _Figures:
    report: CalibrationReport
    ratings: RatingCalibration | None
    ratings_missing: Unavailable | None
    board: _Board
    n_targeted: int  # human votes on targeted spot checks: counted, left out of the agreement figures


def _figures(
    query: CalibrationQuery,
    votes: Sequence[ArenaVote],
    *,
    lengths: Mapping[tuple[str, str], float] | None,
    judge_models: Mapping[str, str] | None,
    gold: Mapping[BattleKey, Verdict] | None,
    reference: set[str],
    selections: Sequence[Selection] | None,
) -> _Figures:
    """``selections``: one per vote, how its battle was chosen (``None``: unrecorded, a file)."""
    seeds = np.random.SeedSequence(query.seed).spawn(4)

    def boot(k: int) -> Bootstrap:
        return Bootstrap(np.random.default_rng(seeds[k]), rounds=query.bootstrap_rounds)

    # agreement figures rest on battles chosen without looking at the judge (``Selection.judge_blind``)
    blind = list(votes)
    if selections is not None:
        blind = [v for v, s in zip(votes, selections, strict=True) if s.judge_blind]
    report = calibration_report(
        votes, boot=boot(0), lengths=lengths, judge_models=judge_models, gold=gold, agreement_votes=blind
    )
    # reference models (authors of imported gold answers) are never rated
    keep = [v.model_a not in reference and v.model_b not in reference for v in votes]
    rated = [v for v, k in zip(votes, keep, strict=True) if k]
    rated_selections = None
    if selections is not None:
        rated_selections = [s for s, k in zip(selections, keep, strict=True) if k]
    ratings, ratings_missing = _rating_calibration(query, rated, boot(1), np.random.default_rng(seeds[2]))
    board = _board(query, rated, rated_selections)
    return _Figures(report, ratings, ratings_missing, board, len(votes) - len(blind))


def _rating_calibration(
    query: CalibrationQuery, votes: Sequence[ArenaVote], boot: Bootstrap, rng: np.random.Generator
) -> tuple[RatingCalibration | None, Unavailable | None]:
    chosen = [v for v in votes if query.rating_source is None or v.source is query.rating_source]
    if len(chosen) < MIN_RATING_VOTES:
        return None, Unavailable.FEW_VOTES
    split = holdout_split(chosen, rng, test_fraction=query.test_fraction)
    if not split.train or not split.test:
        return None, Unavailable.FEW_VOTES
    return rating_calibration(split.train, split.test, boot=boot), None


def _board(
    query: CalibrationQuery, votes: Sequence[ArenaVote], selections: Sequence[Selection] | None
) -> _Board:
    if not any(v.source is Source.JUDGE for v in votes):
        return _Board(None, Unavailable.NO_JUDGE_VOTES, False)
    scores, _ = battle_scores(votes)
    if len(scores.models) < 2:
        return _Board(None, Unavailable.FEW_MODELS, False)
    if int(scores.labelled.sum()) < 2:
        return _Board(None, Unavailable.FEW_HUMAN_BATTLES, False)
    valid, _ = battle_scores(valid_draws(votes, selections))
    if int(valid.labelled.sum()) < 2:
        return _Board(None, Unavailable.FEW_VALID_DRAWS, False)
    # (with human votes on every judged battle, ppi_bradley_terry itself fixes lam = 0)
    try:
        board = judge_corrected_leaderboard(votes, selections=selections, min_votes=query.min_votes)
        return _Board(board, None, False)
    except np.linalg.LinAlgError:
        # A guard: PPI++ tunes lam at the human-only fit with a ridge, so this should not happen;
        # if the linear algebra still fails, lam = 0 keeps valid intervals and the page says the
        # judge was not used.
        board = judge_corrected_leaderboard(
            votes, selections=selections, min_votes=query.min_votes, power=0.0
        )
        return _Board(board, None, True)


def file_calibration(text: str, name: str, *, query: CalibrationQuery | None = None) -> CalibrationView:
    """The view of a votes file in the interchange format (``name`` gives the format by its
    suffix); the database is not touched. Raises ``VotesFileError`` naming the line and field."""
    chosen = query or CalibrationQuery()
    kind = VotesFormat.of_path(Path(name))
    # identical rows count once, as ``cli.py calibrate`` counts them (judging.votes_file._duplicates)
    table, duplicates = without_duplicates(parse_vote_table(io.StringIO(text, newline=""), kind, name=name))
    votes = chosen.slice().select(votes_of_table(table))
    figures = _figures(
        chosen, votes, lengths=None, judge_models=None, gold=None, reference=set(), selections=None
    )
    return CalibrationView(
        query=chosen,
        last_vote_id=None,
        votes=votes,
        report=figures.report,
        ratings=figures.ratings,
        ratings_missing=figures.ratings_missing,
        board=figures.board.board,
        board_missing=figures.board.missing,
        board_untuned=figures.board.untuned,
        names={},
        duplicate_lines=tuple(duplicates.lines.tolist()),
    )
