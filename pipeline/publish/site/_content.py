"""Everything the static site of one published release shows, gathered from the database.

The figures are the report's (``pipeline.publish.report.build_report``: boards, counts, judge agreement),
with the history limited to published releases and linked onto this release's scale; the
win-rate matrix is the overall board's; the judge-corrected board is the calibration view's
(``pipeline.views.calibration``); the diff is ``pipeline.bank.releases.diff_releases`` against the
release the ranks are compared with; the LiveSecBench result files are those of
``cli.py report --livesecbench`` (``pipeline.publish.livesecbench``). Battles leave anonymised:
every human or expert rater name is replaced by the database's export pseudonym
(``pipeline.interchange.pseudonyms``), the same one ``export-votes`` and the LiveSecBench
``pk_details`` give that person; LLM judges (endpoints, not people) and models keep their names.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from judging.calibration import CorrectedLeaderboard
from judging.questions import QuestionDiff
from judging.ratings import PairMatrix
from judging.types import Source
from pipeline.bank.releases import diff_releases
from pipeline.interchange.pseudonyms import anonymise, pseudonym_secret
from pipeline.interchange.vote_export import arena_battles
from pipeline.publish.livesecbench import build_results
from pipeline.publish.livesecbench_files import result_files
from pipeline.publish.report import build_report, release_history
from pipeline.publish.report_types import OVERALL, ReleaseReport, ReportOptions
from pipeline.publish.site._models import ModelCard, ModelMetadata, SiteError, model_cards
from pipeline.views.calibration import CalibrationQuery, compute_calibration
from pipeline.views.leaderboard import BoardQuery, compute_board
from pipeline.views.vote_log import VoteLog
from storage.bank import releases as release_store
from storage.db.session import read_session
from storage.votes.exports import arena_votes

__all__ = ["SiteContent", "build_site"]


@dataclass(frozen=True, eq=False)
class SiteContent:
    report: ReleaseReport  # history: published releases only, linked onto this release's scale
    synthetic: bool  # the release is synthetic demo data
    win_rate: PairMatrix | None  # overall; None without votes
    names: Mapping[str, str]  # model key -> display name
    cards: tuple[ModelCard, ...]  # the models rated in this release, overall order
    corrected: CorrectedLeaderboard | None
    corrected_missing: str | None  # why there is no judge-corrected board (an ``Unavailable`` value)
    diff: QuestionDiff | None  # against ``report.previous``
    battles_json: str  # anonymised battles, Chatbot Arena format
    n_raters: Mapping[str, int]  # distinct raters per source
    livesecbench: Mapping[str, bytes]  # LiveSecBench result files, relative path -> content


def _anonymised_battles(engine: Engine, release_id: int) -> tuple[str, dict[str, int]]:
    secret = pseudonym_secret(engine)
    with read_session(engine) as session:
        votes = arena_votes(session=session, release_id=release_id)
    raters: dict[str, set[str]] = {s.value: set() for s in Source}
    public = []
    for vote in votes:
        source = vote.source.value if vote.source is not None else "unknown"
        if vote.rater:
            raters.setdefault(source, set()).add(vote.rater)
        public.append(anonymise(vote, secret))
    text = json.dumps(arena_battles(public), ensure_ascii=False, indent=2) + "\n"
    return text, {k: len(v) for k, v in raters.items()}


def build_site(
    engine: Engine,
    release: str,
    *,
    metadata: Mapping[str, ModelMetadata] | None = None,
    options: ReportOptions | None = None,
    now: datetime | None = None,
) -> SiteContent:
    """The content of the site of ``release``; refuses a draft (``SiteError``) and an unknown
    release (``storage.bank.releases.ReleaseNotFoundError``). ``now`` dates the LiveSecBench files
    (default: the current UTC time)."""
    options = options or ReportOptions()
    with read_session(engine) as session:
        target = release_store.release_by_tag(session=session, tag=release)
        status, synthetic, release_id = target.status, bool(target.synthetic), target.id
    assert release_id is not None
    if status != release_store.PUBLISHED:
        raise SiteError(
            f"build_site: release {release!r} is a {status}; only published releases can be published "
            f"as a site (publish it first: cli.py release publish {release} ...)"
        )
    log = VoteLog()
    log.refresh(engine)
    columns = log.snapshot()
    report = build_report(engine, release, options=options, columns=columns)
    history = release_history(engine, up_to=release, options=options, columns=columns, include_drafts=False)
    report = dataclasses.replace(report, history=history)
    board = compute_board(
        columns,
        BoardQuery(release_id=release_id, min_votes=options.min_votes, intervals="sandwich"),
        online=False,
    )
    corrected, missing = None, None
    if report.counts.votes:
        view = compute_calibration(
            engine,
            CalibrationQuery(
                release=release,
                min_votes=options.min_votes,
                bootstrap_rounds=options.agreement_rounds,
                seed=options.seed,
            ),
        )
        corrected, missing = view.board, None if view.board_missing is None else view.board_missing.value
    diff = None if report.previous is None else diff_releases(engine, release, old=report.previous).diff
    battles, raters = _anonymised_battles(engine, release_id)
    livesecbench = result_files(
        build_results(engine, release, previous=report.previous, options=options, now=now)
    )
    keys = tuple(r.model for r in report.board(OVERALL).rows)
    return SiteContent(
        report=report,
        synthetic=synthetic,
        win_rate=board.win_rate,
        names=dict(board.names),
        cards=model_cards(engine, keys, metadata),
        corrected=corrected,
        corrected_missing=missing,
        diff=diff,
        battles_json=battles,
        n_raters=raters,
        livesecbench=livesecbench,
    )
