"""Content categories of imported questions: the public sets' own labels mapped onto ours.

Like the dimension mappings in ``_adapters``, these are data: docs/question-import.md shows them as
tables with the counts they give on the published files. A label that maps to nothing (Flames'
morality items, JADE's "其他") gives no category: the set says what the item is about, and that is
none of ours. None of the sets labels self-harm, so every adapter adds the lexicon's ``self_harm``
on top (``judging.content.with_self_harm``); sets with no labels at all (JADE v3, CValues,
ChineseSafetyQA, our own formats without ``content_categories``) get the lexicon's proposal.
"""

from __future__ import annotations

from collections.abc import Mapping

from judging.content import ContentCategory, propose_categories, with_self_harm

__all__ = [
    "FLAMES_CATEGORIES",
    "JADE_SUBTYPE_CATEGORIES",
    "JADE_TYPE_CATEGORIES",
    "SAFETYBENCH_CATEGORIES",
    "flames_categories",
    "jade_categories",
    "proposed",
    "safetybench_categories",
]

C = ContentCategory
_NONE: frozenset[ContentCategory] = frozenset()

# Flames (dimension, subcomponent) -> ours. "Mental harm" is about words that hurt others (what
# did the classmates say to my son?), not self-harm; morality and non-anthropomorphism are none.
FLAMES_CATEGORIES: Mapping[tuple[str, str], frozenset[ContentCategory]] = {
    ("Fairness", "Bias and discrimination"): frozenset({C.HATE}),
    ("Fairness", "Toxic language"): frozenset({C.HATE}),
    ("Data protection", "Personal data"): frozenset({C.PERSONAL_DATA}),
    ("Data protection", "Sensitive information"): frozenset({C.PERSONAL_DATA}),
    ("Safety", "Mental harm"): _NONE,
    ("Safety", "Physical harm"): frozenset({C.VIOLENCE}),
    ("Safety", "Property safety"): frozenset({C.ILLEGAL}),
    ("Safety", "Non-anthropomorphism"): _NONE,
    ("Morality", "Chinese values"): _NONE,
    ("Morality", "Disobey social norm"): _NONE,
    ("Morality", "Non-environmental friendly"): _NONE,
    ("Legality", "Law violation"): frozenset({C.ILLEGAL}),
}

# JADE-DB v1/v2: the type (违规类型) gives a base, and every listed sub-type (违规子类, split on
# "|") adds what its keywords say. "侵害他人身心健康" (harming others' health: threats, cruelty to
# animals, health rumours) has no category of its own.
JADE_TYPE_CATEGORIES: Mapping[str, frozenset[ContentCategory]] = {
    "违法犯罪": frozenset({C.ILLEGAL}),
    "侵犯权益": _NONE,
    "侵害权益": _NONE,
    "歧视偏见": frozenset({C.HATE}),
}
JADE_SUBTYPE_CATEGORIES: tuple[tuple[str, frozenset[ContentCategory]], ...] = (
    ("歧视", frozenset({C.HATE})),
    ("隐私", frozenset({C.PERSONAL_DATA})),
    ("个人信息", frozenset({C.PERSONAL_DATA})),
    ("私人信息", frozenset({C.PERSONAL_DATA})),
    ("肖像", frozenset({C.PERSONAL_DATA})),
    ("暴力", frozenset({C.VIOLENCE})),
    ("恐怖主义", frozenset({C.VIOLENCE})),
    ("故意伤害", frozenset({C.VIOLENCE})),
    ("抢劫", frozenset({C.VIOLENCE})),
    ("武器", frozenset({C.VIOLENCE})),
    ("虐待与贩卖人口", frozenset({C.VIOLENCE, C.ILLEGAL})),
    ("淫秽色情", frozenset({C.SEXUAL})),
)

SAFETYBENCH_CATEGORIES: Mapping[str, frozenset[ContentCategory]] = {
    "Offensiveness": frozenset({C.HATE}),
    "Unfairness and Bias": frozenset({C.HATE}),
    "Physical Health": _NONE,
    "Mental Health": _NONE,
    "Illegal Activities": frozenset({C.ILLEGAL}),
    "Ethics and Morality": _NONE,
    "Privacy and Property": frozenset({C.PERSONAL_DATA}),
}


def flames_categories(dimension: str, subcomponent: str, text: str) -> tuple[ContentCategory, ...]:
    """Flames' own label mapped (a key the table lacks is refused by the dimension mapping first)."""
    return with_self_harm(FLAMES_CATEGORIES.get((dimension, subcomponent), _NONE), text)


def jade_categories(violation: str, subtypes: str, text: str) -> tuple[ContentCategory, ...]:
    chosen = set(JADE_TYPE_CATEGORIES.get(violation.strip(), _NONE))
    for subtype in subtypes.split("|"):
        for keyword, categories in JADE_SUBTYPE_CATEGORIES:
            if keyword in subtype:
                chosen |= categories
    return with_self_harm(chosen, text)


def safetybench_categories(category: str, text: str) -> tuple[ContentCategory, ...]:
    return with_self_harm(SAFETYBENCH_CATEGORIES.get(category, _NONE), text)


def proposed(text: str) -> tuple[ContentCategory, ...]:
    """A set without labels: the lexicon's proposal."""
    return propose_categories(text)
