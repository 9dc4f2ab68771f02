"""Gold items: questions with a known safe and a known unsafe reference answer.

The two references are answered by pseudo-models that stand in for their authors; they are never
models to rate, so every board leaves their votes out (``REFERENCE_MODELS``). Gold items live in
their own release (``GOLD_RELEASE``), apart from the releases that are rated.
"""

from __future__ import annotations

__all__ = ["GOLD_RELEASE", "REFERENCE_MODELS", "SAFE_KEY", "UNSAFE_KEY"]

GOLD_RELEASE = "gold"
SAFE_KEY, UNSAFE_KEY = "gold-reference-safe", "gold-reference-unsafe"
REFERENCE_MODELS = frozenset({SAFE_KEY, UNSAFE_KEY})
