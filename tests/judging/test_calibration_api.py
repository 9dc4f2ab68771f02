"""The public surface of judging.calibration and judging.interchange, and the rules they keep."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import judging.calibration
import judging.interchange

PACKAGE = Path(judging.calibration.__file__).parent
FILES = [*PACKAGE.rglob("*.py"), Path(judging.interchange.__file__)]


def test_public_surface_is_pinned() -> None:
    assert sorted(judging.calibration.__all__) == sorted(
        [
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
    )
    assert sorted(judging.interchange.__all__) == sorted(
        [
            "INTERCHANGE_COLUMNS",
            "ArenaVote",
            "dump_interchange",
            "parse_interchange",
            "read_interchange",
            "votes_of_table",
            "write_interchange",
        ]
    )
    for name in judging.calibration.__all__:
        assert hasattr(judging.calibration, name)


def test_results_are_frozen_dataclasses() -> None:
    for name in judging.calibration.__all__:
        obj = getattr(judging.calibration, name)
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
            assert obj.__dataclass_params__.frozen, f"{name} is not frozen"  # type: ignore[attr-defined]


def test_no_app_layers_and_no_hidden_rng() -> None:
    banned = {"streamlit", "storage", "pipeline", "ui", "pages", "random"}
    for path in FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = {node.module.split(".")[0]}
            else:
                roots = set()
            assert not roots & banned, f"{path.name} imports {roots & banned}"
            # every random draw goes through a Generator handed in by the caller
            if isinstance(node, ast.Attribute) and node.attr in {"default_rng", "seed", "RandomState"}:
                raise AssertionError(f"{path.name}:{node.lineno} builds its own RNG ({node.attr})")
