"""How far to trust the LLM judge, the annotators and the ratings.

- agreement statistics: Cohen's kappa, Krippendorff's alpha (nominal), Fleiss' kappa, confusion
  matrices; every figure of a report carries a bootstrap interval over battles (``Bootstrap``
  takes the caller's numpy ``Generator``);
- one category convention for every agreement figure: the three preference classes A, B, tie
  (``PREFERENCES``; both_unsafe is a tie);
- judge vs human: per-vote and per-battle-majority agreement, with and without ties
  (``judge_agreement``, drill-down via ``pair_with_humans``);
- biases: first-shown win rate, swap consistency, longer-answer win rate, self-preference, and the
  human position/length figures, all humans and per annotator (``judge_bias``, ``human_bias``,
  ``annotator_bias``);
- annotators: alpha, Fleiss' kappa, MT-Bench human–human agreement with and without ties, each
  annotator against consensus and gold (``annotator_report``);
- ratings: Brier, log-loss, ECE and reliability bins of Elo, TrueSkill and Bradley–Terry on
  held-out battles (``holdout_split``, ``rating_calibration``);
- the judge-corrected (prediction-powered) Bradley–Terry board on the valid human draws
  (``judge_corrected_leaderboard``, ``valid_draws``);
- ``calibration_report`` puts the vote-level views together for one slice of the votes.
"""

from judging.calibration._agreement import (
    ConfusionMatrix,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    kappa_from_table,
    krippendorff_alpha,
)
from judging.calibration._annotators import (
    AnnotatorAgreement,
    AnnotatorReport,
    annotator_report,
    gold_from_votes,
)
from judging.calibration._battles import (
    PREFERENCES,
    BattleKey,
    battle_key,
    consensus,
    oriented_verdict,
    plurality,
    preference,
)
from judging.calibration._bias import (
    AnswerLengths,
    RaterBias,
    SelfPreference,
    annotator_bias,
    human_bias,
    judge_bias,
)
from judging.calibration._corrected import (
    CorrectedLeaderboard,
    battle_scores,
    judge_corrected_leaderboard,
    valid_draws,
)
from judging.calibration._estimate import Bootstrap, Estimate
from judging.calibration._judge_agreement import (
    JudgeAgreement,
    VotePair,
    judge_agreement,
    pair_with_humans,
)
from judging.calibration._ppi import BattleScores, PPIFit, ppi_bradley_terry
from judging.calibration._rating_calibration import (
    HoldoutSplit,
    MethodCalibration,
    RatingCalibration,
    RatingMethod,
    holdout_split,
    rating_calibration,
)
from judging.calibration._report import CalibrationReport, CalibrationSlice, JudgeReport, calibration_report
from judging.calibration._scores import (
    ReliabilityBin,
    brier_score,
    expected_calibration_error,
    log_loss,
    reliability_bins,
)

__all__ = [
    "PREFERENCES",
    "AnnotatorAgreement",
    "AnnotatorReport",
    "AnswerLengths",
    "BattleKey",
    "BattleScores",
    "Bootstrap",
    "CalibrationReport",
    "CalibrationSlice",
    "ConfusionMatrix",
    "CorrectedLeaderboard",
    "Estimate",
    "HoldoutSplit",
    "JudgeAgreement",
    "JudgeReport",
    "MethodCalibration",
    "PPIFit",
    "RaterBias",
    "RatingCalibration",
    "RatingMethod",
    "ReliabilityBin",
    "SelfPreference",
    "VotePair",
    "annotator_bias",
    "annotator_report",
    "battle_key",
    "battle_scores",
    "brier_score",
    "calibration_report",
    "cohen_kappa",
    "confusion_matrix",
    "consensus",
    "expected_calibration_error",
    "fleiss_kappa",
    "gold_from_votes",
    "holdout_split",
    "human_bias",
    "judge_agreement",
    "judge_bias",
    "judge_corrected_leaderboard",
    "kappa_from_table",
    "krippendorff_alpha",
    "log_loss",
    "oriented_verdict",
    "pair_with_humans",
    "plurality",
    "ppi_bradley_terry",
    "preference",
    "rating_calibration",
    "reliability_bins",
    "valid_draws",
]
