"""Slices of the votes: one dimension, one release, some vote sources (optionally weighted)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from judging.types import Comparison, Source

__all__ = ["SliceableVote", "TaggedComparison", "VoteSlice"]


class SliceableVote(Protocol):
    """Anything that carries a comparison and the tags a slice filters on."""

    @property
    def comparison(self) -> Comparison: ...
    @property
    def dimension(self) -> str | None: ...
    @property
    def release(self) -> str | None: ...
    @property
    def source(self) -> Source | None: ...


@dataclass(frozen=True, slots=True)
class TaggedComparison:
    """A comparison with its slice tags (the simplest ``SliceableVote``)."""

    comparison: Comparison
    dimension: str | None = None
    release: str | None = None
    source: Source | None = None


@dataclass(frozen=True)
class VoteSlice:
    """Which votes count, and how much.

    ``None`` means "any" for ``dimension`` and ``release``. ``source_weights`` maps each included
    source to the weight of its votes (a weight multiplies the vote's own weight); sources not in
    the mapping, or with weight 0, are left out. ``None`` includes every source at weight 1.
    """

    dimension: str | None = None
    release: str | None = None
    source_weights: Mapping[Source, float] | None = field(default=None)

    def __post_init__(self) -> None:
        if self.source_weights is None:
            return
        weights = dict(self.source_weights)
        for source, weight in weights.items():
            if not isinstance(source, Source):
                raise TypeError(f"VoteSlice: source_weights keys must be Source values, got {source!r}")
            if not (math.isfinite(weight) and weight >= 0):
                raise ValueError(
                    f"VoteSlice: weight for source {source.value!r} must be >= 0, got {weight!r}"
                )
        if not any(w > 0 for w in weights.values()):
            raise ValueError("VoteSlice: source_weights gives every source weight 0, so no vote would count")
        object.__setattr__(self, "source_weights", MappingProxyType(weights))

    def select(self, votes: Iterable[SliceableVote]) -> list[Comparison]:
        """The comparisons of the votes in this slice, re-weighted by source."""
        chosen: list[Comparison] = []
        weights = self.source_weights
        for vote in votes:
            if self.dimension is not None and vote.dimension != self.dimension:
                continue
            if self.release is not None and vote.release != self.release:
                continue
            comparison = vote.comparison
            if weights is not None:
                if vote.source is None:
                    raise ValueError(
                        f"VoteSlice.select: a vote between {comparison.model_a!r} and {comparison.model_b!r} "
                        "has no source, but this slice weights votes by source"
                    )
                factor = weights.get(vote.source, 0.0)
                if factor == 0.0:
                    continue
                if factor != 1.0:
                    comparison = Comparison(
                        comparison.model_a, comparison.model_b, comparison.outcome, comparison.weight * factor
                    )
            chosen.append(comparison)
        return chosen
