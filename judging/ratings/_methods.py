"""The rating methods a board can be read by, and the comparisons' way into the one rating path
(``rate_columns``) that the leaderboard page, the report and ``cli.py ratings`` share."""

from __future__ import annotations

from collections.abc import Iterable

from judging.choices import Choice
from judging.ratings._boards import Boards, BoardSettings, rate_columns
from judging.ratings._encoding import encode
from judging.ratings._leaderboard import Leaderboard
from judging.types import Comparison

__all__ = ["RatingMethod", "board_of", "leaderboard"]


class RatingMethod(Choice):
    BT = "bt"
    ELO = "elo"
    TRUESKILL = "trueskill"

    @classmethod
    def noun(cls) -> str:
        return "method"


def board_of(boards: Boards, method: RatingMethod) -> Leaderboard:
    """The board ``method`` reads (Elo and TrueSkill need ``BoardSettings.online``)."""
    board = {
        RatingMethod.BT: boards.bt,
        RatingMethod.ELO: boards.elo,
        RatingMethod.TRUESKILL: boards.trueskill,
    }[method]
    if board is None:
        raise ValueError(f"board_of: {method.value} was not replayed (BoardSettings.online is off)")
    return board


def leaderboard(
    method: RatingMethod, comparisons: Iterable[Comparison], settings: BoardSettings | None = None
) -> Leaderboard:
    """Rate ``comparisons`` (in vote order, each its own battle) by ``method`` through
    ``rate_columns``."""
    encoded = encode((), comparisons)
    boards = rate_columns(
        encoded.a,
        encoded.b,
        encoded.score,
        tuple(encoded.models),
        settings or BoardSettings(),
        weight=encoded.weight,
    )
    if boards is None:
        raise ValueError("leaderboard: needs votes between at least two models")
    return board_of(boards, method)
