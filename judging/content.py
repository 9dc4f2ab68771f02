"""Content categories of a question, and a lexicon classifier that proposes them.

A question carries zero or more categories. Each has a label and its own warning text (the UI
strings ``content.<key>`` and ``content.<key>.warning``, zh and en). Only ``self_harm`` changes how
a battle is shown: its answers are collapsed until opened, and it counts toward the crisis break
reminder (``collapses`` / ``counts_toward_break``). The others show their warning and nothing else.

Where they come from (docs/question-import.md has the tables and the counts per public set):

- an import adapter maps the source set's own categories (Flames, JADE v1/v2, SafetyBench);
- a file in our own formats may list them (``content_categories``), checked against the enum;
- otherwise ``propose_categories`` (the lexicon below) proposes them: imports without categories,
  generated questions; no public set labels self-harm, so the lexicon's ``self_harm`` is added to
  every import (``with_self_harm``);
- experts edit them in the question bank and the verifier on a generated question.

The lexicon is deliberately phrase-based, not single characters: "杀" alone would flag 杀毒软件,
"违法" alone every labour-law question, "歧视" alone every question that asks how to avoid
discrimination (asking about discrimination is not hateful content; Flames and JADE label their
hateful items themselves). On the labelled set in tests/judging/test_content.py (116 sentences,
zh and en, 50 of them must-not-flag) it scores, per category:

==============  =========  ======
category        precision  recall
==============  =========  ======
self_harm       1.00       1.00
violence        1.00       1.00
sexual          1.00       1.00
hate            1.00       1.00
illegal         1.00       0.88
personal_data   1.00       1.00
==============  =========  ======

(the test recomputes these and fails below 0.9 precision or 0.85 recall for any category; a set
written by the lexicon's author flatters it: it is a regression guard, not an estimate of how it
does on new text.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Self

from judging._content_lexicon import LEXICON_TEXT
from judging.errors import ArenaError

__all__ = [
    "LEXICON",
    "ContentCategory",
    "ContentCategoryError",
    "categories_from_json",
    "categories_to_json",
    "collapses",
    "counts_toward_break",
    "parse_categories",
    "propose_categories",
    "with_self_harm",
]


class ContentCategoryError(ArenaError, ValueError):
    """A category that is not in ``ContentCategory``; nothing was changed."""


class ContentCategory(StrEnum):
    """The content categories; the stored strings are the values (question.categories, files)."""

    SELF_HARM = "self_harm"
    VIOLENCE = "violence"
    SEXUAL = "sexual"
    HATE = "hate"
    ILLEGAL = "illegal"
    PERSONAL_DATA = "personal_data"

    @property
    def label_key(self) -> str:
        """The UI string key of the category's name."""
        return f"content.{self.value}"

    @property
    def warning_key(self) -> str:
        """The UI string key of the category's warning."""
        return f"content.{self.value}.warning"

    @classmethod
    def parse(cls, value: str) -> Self:
        """The member named by ``value`` (surrounding blanks and case ignored); else
        ContentCategoryError naming the value and the categories there are."""
        text = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
        try:
            return cls(text)
        except ValueError:
            allowed = ", ".join(c.value for c in cls)
            raise ContentCategoryError(
                f"unknown content category {value!r} (expected one of {allowed})"
            ) from None


def parse_categories(values: Iterable[str] | str) -> tuple[ContentCategory, ...]:
    """Categories in the enum's order, each once. ``values`` is a list of names or one string
    separated by commas, semicolons, ``|`` or blanks; an unknown name raises ContentCategoryError."""
    if isinstance(values, str):
        values = [v for v in re.split(r"[,;|，；、\s]+", values) if v]
    chosen = {ContentCategory.parse(v) for v in values}
    return tuple(c for c in ContentCategory if c in chosen)


def categories_to_json(categories: Iterable[ContentCategory]) -> str:
    """The stored form: a JSON list of names in the enum's order (``[]`` for none)."""
    chosen = set(categories)
    return json.dumps([c.value for c in ContentCategory if c in chosen])


def categories_from_json(text: str | None) -> tuple[ContentCategory, ...]:
    """The stored JSON list read back; anything that is not a list of known names raises."""
    try:
        values = json.loads(text or "[]")
    except json.JSONDecodeError:
        raise ContentCategoryError(f"stored categories are not JSON: {text!r}") from None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ContentCategoryError(f"stored categories are not a list of names: {text!r}")
    return parse_categories(values)


def collapses(categories: Iterable[ContentCategory]) -> bool:
    """Whether a battle's answers start collapsed (self-harm only)."""
    return ContentCategory.SELF_HARM in set(categories)


def counts_toward_break(categories: Iterable[ContentCategory]) -> bool:
    """Whether an item counts toward the crisis break reminder (self-harm only)."""
    return ContentCategory.SELF_HARM in set(categories)


# --- the lexicon (data in judging/_content_lexicon.py) -------------------------------------------


def _lexicon() -> dict[ContentCategory, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    return {
        ContentCategory(name): (tuple(zh.split()), _lines(en), _lines(cancel))
        for name, (zh, en, cancel) in LEXICON_TEXT.items()
    }


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


# Per category: Chinese phrases, English patterns, cancelling phrases or patterns.
LEXICON: Mapping[ContentCategory, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = _lexicon()


def _compiled(zh: tuple[str, ...], en: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(p) for p in zh] + [rf"\b(?:{p})\b" for p in en]
    return re.compile("|".join(parts), re.IGNORECASE)


def _cancellers(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    parts = [p if re.search(r"[\\(]", p) else re.escape(p) for p in phrases]
    return re.compile("|".join(parts), re.IGNORECASE)


_PATTERNS: tuple[tuple[ContentCategory, re.Pattern[str], re.Pattern[str] | None], ...] = tuple(
    (category, _compiled(zh, en), _cancellers(cancel)) for category, (zh, en, cancel) in LEXICON.items()
)


def _flags(text: str, pattern: re.Pattern[str], cancel: re.Pattern[str] | None) -> bool:
    if cancel is not None:
        text = cancel.sub(" ", text)
    return pattern.search(text) is not None


def propose_categories(text: str) -> tuple[ContentCategory, ...]:
    """The categories the lexicon finds in ``text``, in the enum's order (a proposal: people
    confirm or edit it). "我觉得活着没有意义了" -> (self_harm,)."""
    return tuple(c for c, pattern, cancel in _PATTERNS if _flags(text, pattern, cancel))


def with_self_harm(categories: Iterable[ContentCategory], text: str) -> tuple[ContentCategory, ...]:
    """``categories`` plus ``self_harm`` when the lexicon finds it in ``text``: the public sets
    label no self-harm, and a missed one costs an annotator the care it needs."""
    chosen = set(categories)
    if ContentCategory.SELF_HARM in propose_categories(text):
        chosen.add(ContentCategory.SELF_HARM)
    return tuple(c for c in ContentCategory if c in chosen)
