"""Rating models for pairwise comparisons and what the leaderboard shows about them.

- online: ``EloRater`` and ``TrueSkillRater`` fold votes forward (state in, new state out);
- batch: ``BradleyTerry`` fits aggregated ``PairCounts`` (draws as half wins, dropped, or Davidson's
  third outcome), with bootstrap and sandwich intervals that treat the battle as the sampled unit
  (``BattleCells``);
- shared: the ``RatingModel`` protocol, interval-respecting ranks, win-rate matrices, slices,
  the ``Leaderboard`` rows, and ``rate_columns`` from vote columns to every board of a slice
  (the one path the pages, the report and the CLI share).
"""

from judging.ratings._battles import BattleCells
from judging.ratings._boards import Boards, BoardSettings, OnlineRow, rate_columns
from judging.ratings._bradley_terry import ELO_SCALE, BradleyTerry, BTFit
from judging.ratings._elo import DEFAULT_ELO_K, LIVESECBENCH_ELO_K, EloRater, EloState
from judging.ratings._intervals import IntervalMethod, RankRanges, RatingIntervals, interval_ranks
from judging.ratings._leaderboard import TRUESKILL_SIGMAS, Leaderboard, Standing
from judging.ratings._matrices import PairMatrix, predicted_win_matrix, win_rate_matrix
from judging.ratings._methods import RatingMethod, board_of, leaderboard
from judging.ratings._pairs import PairCounts, PairWins, TieRule
from judging.ratings._protocol import RatingModel
from judging.ratings._slices import SliceableVote, TaggedComparison, VoteSlice
from judging.ratings._trueskill import TrueSkillArrays, TrueSkillRater, TrueSkillState

__all__ = [
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
