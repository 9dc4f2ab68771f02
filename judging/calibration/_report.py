"""The whole calibration view of a list of votes: per-judge agreement and biases, human position
and length figures (all humans and per annotator), and annotator reliability; and the slices it
can be computed on."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from judging.calibration._annotators import AnnotatorReport, annotator_report, gold_from_votes
from judging.calibration._battles import BattleKey, judge_names
from judging.calibration._bias import AnswerLengths, RaterBias, annotator_bias, human_bias, judge_bias
from judging.calibration._estimate import Bootstrap
from judging.calibration._judge_agreement import JudgeAgreement, judge_agreement
from judging.interchange import ArenaVote
from judging.types import Source, Verdict

__all__ = ["CalibrationReport", "CalibrationSlice", "JudgeReport", "calibration_report"]


@dataclass(frozen=True)
class CalibrationSlice:
    """Which votes a view looks at; ``None`` means any.

    ``model_pair`` keeps the votes between those two models (in either order); ``judges`` and
    ``annotators`` keep only those raters' judge and human votes (the other source is untouched).
    """

    dimension: str | None = None
    release: str | None = None
    model_pair: tuple[str, str] | None = None
    judges: frozenset[str] | None = None
    annotators: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.model_pair is not None and (
            len(self.model_pair) != 2 or self.model_pair[0] == self.model_pair[1]
        ):
            raise ValueError(
                f"CalibrationSlice: model_pair must be two different models, got {self.model_pair!r}"
            )
        for name in ("judges", "annotators"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))

    def keeps(self, vote: ArenaVote) -> bool:
        if self.dimension is not None and vote.dimension != self.dimension:
            return False
        if self.release is not None and vote.release != self.release:
            return False
        if self.model_pair is not None and {vote.model_a, vote.model_b} != set(self.model_pair):
            return False
        if self.judges is not None and vote.source is Source.JUDGE and vote.rater not in self.judges:
            return False
        return not (
            self.annotators is not None and vote.source is Source.HUMAN and vote.rater not in self.annotators
        )

    def select(self, votes: Iterable[ArenaVote]) -> tuple[ArenaVote, ...]:
        return tuple(v for v in votes if self.keeps(v))


@dataclass(frozen=True, eq=False)
class JudgeReport:
    """One judge: its agreement with the humans and its biases."""

    judge: str
    agreement: JudgeAgreement
    bias: RaterBias


@dataclass(frozen=True, eq=False)
class CalibrationReport:
    n_votes: int
    n_human_votes: int
    n_judge_votes: int
    n_expert_votes: int
    n_without_source: int  # votes that are neither human, judge nor expert: counted, not used
    judges: tuple[JudgeReport, ...]  # sorted by judge name
    human_bias: RaterBias
    annotators: AnnotatorReport
    annotator_bias: tuple[RaterBias, ...]  # per annotator, sorted by name

    def judge(self, name: str) -> JudgeReport:
        for report in self.judges:
            if report.judge == name:
                return report
        raise KeyError(f"CalibrationReport.judge: no judge {name!r}")


def calibration_report(
    votes: Sequence[ArenaVote],
    *,
    boot: Bootstrap,
    lengths: AnswerLengths | None = None,
    judge_models: Mapping[str, str] | None = None,
    gold: Mapping[BattleKey, Verdict] | None = None,
    judges: Collection[str] | None = None,
    agreement_votes: Sequence[ArenaVote] | None = None,
) -> CalibrationReport:
    """Everything the calibration view shows about ``votes`` (apply a ``CalibrationSlice`` first).

    ``lengths`` (answer length by ``(question_id, model)``) enables the longer-answer figures;
    ``judge_models`` maps a judge to its own model for self-preference; ``gold`` defaults to the
    plurality of the expert votes per battle; ``judges`` defaults to every ``source=judge`` rater.
    ``agreement_votes`` (default ``votes``) are what the agreement figures rest on — judge–human
    agreement and κ, agreement among annotators, accuracy on gold: pass only votes on battles
    chosen without looking at the judge's verdicts (a targeted spot check picks disagreements
    first and would understate agreement). Counts and biases use every vote.
    """
    agreeing = votes if agreement_votes is None else agreement_votes
    names = judge_names(votes) if judges is None else tuple(sorted(judges))
    own = judge_models or {}
    reports = tuple(
        JudgeReport(
            judge=name,
            agreement=judge_agreement(agreeing, name, boot=boot),
            bias=judge_bias(votes, name, boot=boot, lengths=lengths, own_model=own.get(name)),
        )
        for name in names
    )
    count = {source: sum(v.source is source for v in votes) for source in Source}
    return CalibrationReport(
        n_votes=len(votes),
        n_human_votes=count[Source.HUMAN],
        n_judge_votes=count[Source.JUDGE],
        n_expert_votes=count[Source.EXPERT],
        n_without_source=sum(v.source is None for v in votes),
        judges=reports,
        human_bias=human_bias(votes, boot=boot, lengths=lengths),
        annotators=annotator_report(
            agreeing, boot=boot, gold=gold_from_votes(votes) if gold is None else gold
        ),
        annotator_bias=annotator_bias(votes, boot=boot, lengths=lengths),
    )
