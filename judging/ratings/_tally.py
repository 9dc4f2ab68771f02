"""Per-model game counts (games, wins, losses, draws) shared by the online raters."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from judging.types import Outcome

__all__ = ["Tally", "frozen"]


N = TypeVar("N", int, float)


def frozen(values: dict[str, N]) -> Mapping[str, N]:
    """A read-only view on a dict the caller no longer touches."""
    return MappingProxyType(values)


class Tally(NamedTuple):
    """Working copies of the four count tables, updated in place during one ``update`` call."""

    games: dict[str, int]
    wins: dict[str, int]
    losses: dict[str, int]
    draws: dict[str, int]

    @classmethod
    def copy_of(
        cls,
        games: Mapping[str, int],
        wins: Mapping[str, int],
        losses: Mapping[str, int],
        draws: Mapping[str, int],
    ) -> Tally:
        return cls(dict(games), dict(wins), dict(losses), dict(draws))

    def add_model(self, model: str) -> None:
        for table in self:
            table.setdefault(model, 0)

    def record(self, model_a: str, model_b: str, outcome: Outcome) -> None:
        self.games[model_a] += 1
        self.games[model_b] += 1
        if outcome is Outcome.A_WINS:
            self.wins[model_a] += 1
            self.losses[model_b] += 1
        elif outcome is Outcome.B_WINS:
            self.wins[model_b] += 1
            self.losses[model_a] += 1
        else:
            self.draws[model_a] += 1
            self.draws[model_b] += 1
