"""The one small protocol every rating model follows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from judging.types import Comparison

__all__ = ["RatingModel"]

State = TypeVar("State")


class RatingModel(Protocol[State]):
    """A rating model turns comparisons into an immutable state and predicts from it.

    ``update`` never changes its input state. Online models (Elo, TrueSkill) fold the new
    comparisons forward; Bradley–Terry refits on the merged pair counts.
    """

    def initial(self, models: Iterable[str] = ()) -> State: ...

    def update(self, state: State, comparisons: Iterable[Comparison]) -> State: ...

    def fit(self, comparisons: Iterable[Comparison]) -> State: ...

    def win_probability(self, state: State, model_a: str, model_b: str) -> float: ...
