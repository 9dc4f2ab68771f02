"""Adapters for public Chinese safety sets, each with an explicit mapping onto our five dimensions.

The mappings are data, not code paths: docs/question-import.md shows them as tables together with
the counts they give on the published files. A category that a mapping does not list is an error
(naming the file, line and field), never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from judging.dimensions import Dimension
from judging.questions._categories import flames_categories, jade_categories, proposed, safetybench_categories
from judging.questions._fields import Fields
from judging.questions._record import JsonValue, QuestionRecord

__all__ = [
    "CVALUES_MAPPING",
    "FLAMES_MAPPING",
    "JADE_SUBTYPE_RULES",
    "JADE_TYPE_MAPPING",
    "JADE_V3_DIMENSION",
    "SAFETYBENCH_MAPPING",
    "SAFETYQA_DIMENSION",
    "cvalues_record",
    "flames_record",
    "jade_record",
    "safetybench_record",
    "safetyqa_record",
]

D = Dimension

# Flames (dimension, subcomponent) -> ours. Morality has no dimension of its own here: its
# subcomponents are social-norm and values questions, judged like public safety; Flames'
# "Non-anthropomorphism" asks the model to speak as a person, which is a question of honesty
# about what the model is (truthfulness).
FLAMES_MAPPING: Mapping[tuple[str, str], Dimension] = {
    ("Fairness", "Bias and discrimination"): D.FAIRNESS,
    ("Fairness", "Toxic language"): D.FAIRNESS,
    ("Data protection", "Personal data"): D.PRIVACY,
    ("Data protection", "Sensitive information"): D.PRIVACY,
    ("Safety", "Mental harm"): D.MENTAL_HEALTH,
    ("Safety", "Physical harm"): D.PUBLIC_SAFETY,
    ("Safety", "Property safety"): D.PUBLIC_SAFETY,
    ("Safety", "Non-anthropomorphism"): D.TRUTHFULNESS,
    ("Morality", "Chinese values"): D.PUBLIC_SAFETY,
    ("Morality", "Disobey social norm"): D.PUBLIC_SAFETY,
    ("Morality", "Non-environmental friendly"): D.PUBLIC_SAFETY,
    ("Legality", "Law violation"): D.PUBLIC_SAFETY,
}

# JADE-DB v1/v2: the first listed sub-type (违规子类, before any "|") decides when it contains
# one of these keywords, checked in order; otherwise the type (违规类型) decides.
JADE_SUBTYPE_RULES: tuple[tuple[str, Dimension], ...] = (
    ("歧视", D.FAIRNESS),
    ("隐私", D.PRIVACY),
    ("个人信息", D.PRIVACY),
    ("私人信息", D.PRIVACY),
    ("肖像", D.PRIVACY),
    ("身心健康", D.MENTAL_HEALTH),
    ("虚假有害信息", D.TRUTHFULNESS),
)
JADE_TYPE_MAPPING: Mapping[str, Dimension] = {
    "违法犯罪": D.PUBLIC_SAFETY,
    "侵犯权益": D.PUBLIC_SAFETY,  # v1 spelling
    "侵害权益": D.PUBLIC_SAFETY,  # v2 spelling
    "歧视偏见": D.FAIRNESS,
}
# JADE-DB v3 has no categories: prompt, unsafe answer, safe helpful answer. Its prompts are the
# high-risk questions of v1/v2, mostly crimes; all go to public safety.
JADE_V3_DIMENSION = D.PUBLIC_SAFETY

# ChineseSafetyQA: knowledge questions with one standard answer; what a reply can get wrong is
# the fact, so every category is truthfulness (the category is kept as sub-dimension).
SAFETYQA_DIMENSION = D.TRUTHFULNESS

CVALUES_MAPPING: Mapping[str, Dimension] = {
    "psychology": D.MENTAL_HEALTH,
    "intimate_relationship": D.MENTAL_HEALTH,
    "barrier_free": D.FAIRNESS,
    "social_science": D.FAIRNESS,
    "law": D.PUBLIC_SAFETY,
    "environmental_science": D.PUBLIC_SAFETY,
    "data_science": D.PRIVACY,
    "lesser_known_major": D.TRUTHFULNESS,
}

SAFETYBENCH_MAPPING: Mapping[str, Dimension] = {
    "Offensiveness": D.FAIRNESS,
    "Unfairness and Bias": D.FAIRNESS,
    "Physical Health": D.PUBLIC_SAFETY,
    "Mental Health": D.MENTAL_HEALTH,
    "Illegal Activities": D.PUBLIC_SAFETY,
    "Ethics and Morality": D.PUBLIC_SAFETY,
    "Privacy and Property": D.PRIVACY,
}

_LETTERS = "ABCDEFGHIJ"


def _stem(name: str) -> str:
    stem = PurePath(name).stem
    # JADE v3 ships each file twice (GB18030 and .utf8.csv): both give the same ids.
    return stem.removesuffix(".utf8")


def _metadata(
    *, type_: str, category: str, source: str, more: Mapping[str, JsonValue] | None = None
) -> dict[str, JsonValue]:
    """LiveSecBench metadata keys first, then what the source set adds."""
    meta: dict[str, JsonValue] = {
        "type": type_,
        "difficulty": "",
        "category": category,
        "adversarial_level": "",
        "tags": [],
        "source": source,
    }
    meta.update(more or {})
    return meta


def _mapped(fields: Fields, field: str, key: Any, mapping: Mapping[Any, Dimension]) -> Dimension:
    if key not in mapping:
        known = ", ".join(str(k) for k in mapping)
        raise fields.fail(field, f"{key!r} is not in the dimension mapping (known: {known})")
    return mapping[key]


def flames_record(fields: Fields, *, name: str) -> QuestionRecord:
    flames_dimension = fields.text("dimension").strip()
    subcomponent = fields.text("subcomponent").strip()
    dimension = _mapped(fields, "subcomponent", (flames_dimension, subcomponent), FLAMES_MAPPING)
    text = fields.text("prompt")
    return QuestionRecord(
        question_id=f"flames/{_stem(name)}/{fields.line}",
        dimension=dimension,
        text=text,
        sub_dimension=subcomponent,
        metadata=_metadata(type_=subcomponent, category=flames_dimension, source="Flames"),
        categories=flames_categories(flames_dimension, subcomponent, text),
    )


def _jade_dimension(fields: Fields, violation: str, subtype: str) -> Dimension:
    first = subtype.split("|", 1)[0].strip()
    for keyword, dimension in JADE_SUBTYPE_RULES:
        if keyword in first:
            return dimension
    return _mapped(fields, "违规类型", violation, JADE_TYPE_MAPPING)


def jade_record(fields: Fields, *, name: str) -> QuestionRecord:
    """A JADE-DB row: v1/v2 (``ID,问题,违规类型,违规子类``) or v3 (``ID,问题,违规回答,安全有用回答``)."""
    row_id = fields.identifier("ID").strip()
    question_id = f"jade/{_stem(name)}/{row_id}"
    text = fields.text("问题")
    if "违规回答" in fields.row:  # v3: a prompt with an unsafe and a safe helpful answer
        unsafe = fields.text("违规回答", max_chars=fields.limits.max_answer_chars)
        safe = fields.text("安全有用回答", max_chars=fields.limits.max_answer_chars)
        return QuestionRecord(
            question_id=question_id,
            dimension=JADE_V3_DIMENSION,
            text=text,
            reference_answers=(safe,),
            metadata=_metadata(type_="", category="", source="JADE-DB v3.0", more={"unsafe_answer": unsafe}),
            categories=proposed(text),
        )
    violation = fields.text("违规类型").strip()
    subtype = fields.optional_text("违规子类").strip()
    return QuestionRecord(
        question_id=question_id,
        dimension=_jade_dimension(fields, violation, subtype),
        text=text,
        sub_dimension=subtype,
        metadata=_metadata(type_=subtype, category=violation, source="JADE-DB"),
        categories=jade_categories(violation, subtype, text),
    )


def safetyqa_record(fields: Fields, *, name: str) -> QuestionRecord:
    category = fields.text("cate").strip()
    text = fields.text("question")
    more: dict[str, JsonValue] = {}
    for key in ("standard_source_url", "options", "correct_answer"):
        value = fields.optional_text(key, max_chars=fields.limits.max_answer_chars)
        if value:
            more[key] = value
    return QuestionRecord(
        question_id=f"safetyqa/{_stem(name)}/{fields.line}",
        dimension=SAFETYQA_DIMENSION,
        text=text,
        sub_dimension=category.split("-", 1)[0],
        reference_answers=(fields.text("standard_answer", max_chars=fields.limits.max_answer_chars),),
        metadata=_metadata(
            type_=category, category=category.split("-", 1)[0], source="ChineseSafetyQA", more=more
        ),
        categories=proposed(text),
    )


def cvalues_record(fields: Fields, *, name: str) -> QuestionRecord:
    domain = fields.text("domain_en").strip()
    domain_zh = fields.optional_text("domain_zh").strip()
    text = fields.text("prompt")
    return QuestionRecord(
        question_id=f"cvalues/{_stem(name)}/{fields.identifier('id_').strip()}",
        dimension=_mapped(fields, "domain_en", domain, CVALUES_MAPPING),
        text=text,
        sub_dimension=domain_zh or domain,
        metadata=_metadata(type_=domain, category=domain_zh, source="CValues"),
        categories=proposed(text),
    )


def safetybench_record(
    fields: Fields, *, name: str, answers: Mapping[str, Mapping[str, Any]] | None
) -> QuestionRecord:
    """A SafetyBench multiple-choice item; the options are written under the question, and the
    correct option becomes the reference answer when the answers file is given."""
    item_id = fields.identifier("id").strip()
    category = fields.text("category").strip()
    dimension = _mapped(fields, "category", category, SAFETYBENCH_MAPPING)
    question = fields.text("question")
    options = fields.text_list("options", required=True)
    if not 2 <= len(options) <= len(_LETTERS):
        raise fields.fail("options", f"expected 2 to {len(_LETTERS)} options, got {len(options)}")
    lines = [question, "选项："] + [f"({_LETTERS[i]}) {option}" for i, option in enumerate(options)]
    more: dict[str, JsonValue] = {"question": question, "options": list(options)}
    references: tuple[str, ...] = ()
    if answers is not None:
        entry = answers.get(item_id)
        if not isinstance(entry, Mapping) or "answer" not in entry:
            raise fields.fail("id", f"no answer for id {item_id} in the answers file")
        answer = entry["answer"]
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(options):
            raise fields.fail(
                "id", f"answers file: answer {answer!r} for id {item_id} is not an option index"
            )
        if entry.get("category", category) != category:
            raise fields.fail("category", f"answers file says {entry.get('category')!r} for id {item_id}")
        references = (f"({_LETTERS[answer]}) {options[answer]}",)
        more["answer"] = answer
    return QuestionRecord(
        question_id=f"safetybench/{_stem(name)}/{item_id}",
        dimension=dimension,
        text="\n".join(lines),
        sub_dimension=category,
        reference_answers=references,
        metadata=_metadata(type_=category, category=category, source="SafetyBench", more=more),
        categories=safetybench_categories(category, question),
    )
