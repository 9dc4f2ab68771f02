"""The public surface of judging.ratings, and the import rules it must keep."""

from __future__ import annotations

import ast
from pathlib import Path

import judging.ratings

PACKAGE = Path(judging.ratings.__file__).parent
OWN_MODULES = [
    *PACKAGE.rglob("*.py"),
    *(PACKAGE.parent / "scheduling").glob("*.py"),
    *(PACKAGE.parent / "votes_file").glob("*.py"),
]


def test_public_surface_is_pinned() -> None:
    assert sorted(judging.ratings.__all__) == sorted(
        [
            "DEFAULT_ELO_K",
            "ELO_SCALE",
            "LIVESECBENCH_ELO_K",
            "TRUESKILL_SIGMAS",
            "BTFit",
            "BattleCells",
            "BoardSettings",
            "Boards",
            "BradleyTerry",
            "EloRater",
            "EloState",
            "IntervalMethod",
            "Leaderboard",
            "OnlineRow",
            "PairCounts",
            "PairMatrix",
            "PairWins",
            "RankRanges",
            "RatingIntervals",
            "RatingMethod",
            "RatingModel",
            "SliceableVote",
            "Standing",
            "TaggedComparison",
            "TieRule",
            "TrueSkillArrays",
            "TrueSkillRater",
            "TrueSkillState",
            "VoteSlice",
            "board_of",
            "interval_ranks",
            "leaderboard",
            "predicted_win_matrix",
            "rate_columns",
            "win_rate_matrix",
        ]
    )
    for name in judging.ratings.__all__:
        assert hasattr(judging.ratings, name)


def test_every_model_follows_the_protocol() -> None:
    from judging.ratings import BradleyTerry, EloRater, RatingModel, TrueSkillRater

    models: list[RatingModel] = [EloRater(), TrueSkillRater(), BradleyTerry()]
    for model in models:
        for method in ("initial", "update", "fit", "win_probability"):
            assert callable(getattr(model, method))


def test_ratings_import_no_app_layers() -> None:
    banned = {"streamlit", "storage", "pipeline", "ui", "pages"}
    for path in OWN_MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & banned, f"{path.name} imports {roots & banned}"
