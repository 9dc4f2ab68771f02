"""Exact and near duplicates by character n-gram (Jaccard) similarity.

Texts are normalised first (NFKC width folding, case folding, no whitespace or punctuation), so
"你好！" and "你好 。" are exact duplicates. Near duplicates share a large part of their
character 3-grams: Jaccard |A∩B| / |A∪B| at or above a threshold.

The fast path is prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007, "all-pairs"):
order every gram from rarest to most common; a text of ``s`` grams indexes only its first
``s - ceil(t·s) + 1`` grams. Two texts with Jaccard >= t must share one of those prefix grams, so
candidates come from short posting lists of rare grams and the exact similarity is computed
only for them. The answer is the same as comparing every pair, without the quadratic cost.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DEFAULT_NGRAM",
    "DEFAULT_THRESHOLD",
    "DuplicateKind",
    "DuplicateMatch",
    "SimilarPair",
    "char_ngrams",
    "find_duplicates",
    "jaccard",
    "normalise_text",
    "similar_pairs",
]

DEFAULT_THRESHOLD = 0.85
DEFAULT_NGRAM = 3
_EPS = 1e-9


class DuplicateKind(StrEnum):
    EXACT = "exact"  # the same text after normalisation
    NEAR = "near"  # n-gram Jaccard at or above the threshold


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """Candidate ``candidate`` duplicates ``other``: a bank text when ``in_bank``, otherwise an
    earlier candidate of the same batch."""

    candidate: int
    other: int
    in_bank: bool
    kind: DuplicateKind
    similarity: float


@dataclass(frozen=True, slots=True)
class SimilarPair:
    first: int
    second: int
    kind: DuplicateKind
    similarity: float


def normalise_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not (ch.isspace() or unicodedata.category(ch).startswith("P")))


def _grams(key: str, n: int) -> frozenset[str]:
    if len(key) < n:
        return frozenset((key,)) if key else frozenset()
    return frozenset(key[i : i + n] for i in range(len(key) - n + 1))


def char_ngrams(text: str, n: int = DEFAULT_NGRAM) -> frozenset[str]:
    """The set of character n-grams of the normalised text (the whole text when shorter)."""
    if n < 1:
        raise ValueError(f"char_ngrams: n must be at least 1, got {n}")
    return _grams(normalise_text(text), n)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 1.0 for two empty sets."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _check(threshold: float, n: int, caller: str) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"{caller}: threshold must be in (0, 1], got {threshold!r}")
    if n < 1:
        raise ValueError(f"{caller}: n must be at least 1, got {n!r}")


class _PrefixIndex:
    """Texts indexed by the prefix of their gram list (rarest first) for one fixed threshold."""

    def __init__(self, gram_sets: Sequence[frozenset[str]], threshold: float) -> None:
        frequency = Counter(g for grams in gram_sets for g in grams)
        order = sorted(frequency, key=lambda g: (frequency[g], g))
        self._rank = {g: i for i, g in enumerate(order)}
        self._t = threshold
        self._postings: defaultdict[str, list[int]] = defaultdict(list)
        self._by_key: defaultdict[str, list[int]] = defaultdict(list)
        self._entries: list[tuple[str, frozenset[str]]] = []

    def _prefix(self, grams: frozenset[str]) -> list[str]:
        ordered = sorted(grams, key=self._rank.__getitem__)
        keep = len(ordered) - math.ceil(self._t * len(ordered) - _EPS) + 1
        return ordered[:keep]

    def add(self, key: str, grams: frozenset[str]) -> int:
        entry = len(self._entries)
        self._entries.append((key, grams))
        self._by_key[key].append(entry)
        for g in self._prefix(grams):
            self._postings[g].append(entry)
        return entry

    def matches(self, key: str, grams: frozenset[str]) -> Iterator[tuple[int, DuplicateKind, float]]:
        """Every indexed entry at or above the threshold, in entry order."""
        found: set[int] = set(self._by_key.get(key, ()))
        size = len(grams)
        low, high = self._t * size - _EPS, size / self._t + _EPS
        for g in self._prefix(grams):
            for entry in self._postings.get(g, ()):
                if entry not in found and low <= len(self._entries[entry][1]) <= high:
                    found.add(entry)
        for entry in sorted(found):
            other_key, other = self._entries[entry]
            if other_key == key:
                yield entry, DuplicateKind.EXACT, 1.0
                continue
            inter = len(grams & other)
            union = size + len(other) - inter
            if union and inter >= self._t * union - _EPS:
                yield entry, DuplicateKind.NEAR, inter / union


def find_duplicates(
    candidates: Sequence[str],
    bank: Sequence[str] = (),
    *,
    threshold: float = DEFAULT_THRESHOLD,
    n: int = DEFAULT_NGRAM,
) -> tuple[DuplicateMatch, ...]:
    """For each candidate that duplicates a bank text or an earlier kept candidate, its best match.

    Candidates are taken in order; a candidate with no match is kept and later candidates are
    compared with it too; a duplicate is not kept. The best match is an exact one if any, else
    the most similar (ties: bank before batch, then the lower index).
    """
    _check(threshold, n, "find_duplicates")
    bank_keys = [normalise_text(t) for t in bank]
    cand_keys = [normalise_text(t) for t in candidates]
    bank_grams = [_grams(k, n) for k in bank_keys]
    cand_grams = [_grams(k, n) for k in cand_keys]
    index = _PrefixIndex([*bank_grams, *cand_grams], threshold)
    origin: list[tuple[bool, int]] = []  # index entry -> (in_bank, position)
    for position, (key, grams) in enumerate(zip(bank_keys, bank_grams, strict=True)):
        index.add(key, grams)
        origin.append((True, position))
    found: list[DuplicateMatch] = []
    for position, (key, grams) in enumerate(zip(cand_keys, cand_grams, strict=True)):
        best: DuplicateMatch | None = None
        for entry, kind, similarity in index.matches(key, grams):
            in_bank, other = origin[entry]
            match = DuplicateMatch(position, other, in_bank, kind, similarity)
            if best is None or (kind is DuplicateKind.EXACT, similarity) > (
                best.kind is DuplicateKind.EXACT,
                best.similarity,
            ):
                best = match
        if best is None:
            index.add(key, grams)
            origin.append((False, position))
        else:
            found.append(best)
    return tuple(found)


def similar_pairs(
    texts: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD, n: int = DEFAULT_NGRAM
) -> tuple[SimilarPair, ...]:
    """Every pair ``(i, j)``, ``i < j``, of texts that are exact or near duplicates."""
    _check(threshold, n, "similar_pairs")
    keys = [normalise_text(t) for t in texts]
    gram_sets = [_grams(k, n) for k in keys]
    index = _PrefixIndex(gram_sets, threshold)
    pairs: list[SimilarPair] = []
    for j, (key, grams) in enumerate(zip(keys, gram_sets, strict=True)):
        pairs.extend(SimilarPair(i, j, kind, sim) for i, kind, sim in index.matches(key, grams))
        index.add(key, grams)
    return tuple(pairs)
