"""Strict parsing of a generator reply: one JSON object, every item complete, or an error.

The one concession to real models is a Markdown code fence around the whole reply (```json …```),
which many chat models add whatever they are told; anything else around the JSON is an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from judging.errors import ArenaError

__all__ = [
    "MAX_NOTE_CHARS",
    "MAX_QUESTION_CHARS",
    "GeneratedCandidate",
    "GenerationReplyError",
    "parse_generation_reply",
]

MAX_QUESTION_CHARS = 2_000
MAX_NOTE_CHARS = 4_000
_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(?P<body>.*)\n```\Z", re.DOTALL)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


class GenerationReplyError(ArenaError, ValueError):
    """The reply is not the JSON the prompt asked for; ``item``/``field`` say where (if known)."""

    def __init__(self, message: str, *, item: int | None = None, field: str | None = None) -> None:
        self.item = item
        self.field = field
        where = "" if item is None else f"questions[{item}]" + ("" if field is None else f".{field}")
        super().__init__(f"parse_generation_reply: {where + ': ' if where else ''}{message}")


@dataclass(frozen=True, slots=True)
class GeneratedCandidate:
    question: str
    reference_note: str


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _text(item: dict[str, Any], index: int, field: str, limit: int) -> str:
    if field not in item:
        raise GenerationReplyError("missing", item=index, field=field)
    value = item[field]
    if not isinstance(value, str) or not value.strip():
        raise GenerationReplyError(f"must be non-empty text, got {value!r:.80}", item=index, field=field)
    text = value.strip()
    if len(text) > limit:
        raise GenerationReplyError(f"is {len(text)} characters, longer than {limit}", item=index, field=field)
    if not _CJK.search(text):
        raise GenerationReplyError(f"is not Chinese: {text!r:.80}", item=index, field=field)
    return text


def parse_generation_reply(reply: str, *, expected: int) -> tuple[GeneratedCandidate, ...]:
    """The candidates of a reply asking for ``expected`` questions (1 to ``expected`` accepted)."""
    if expected < 1:
        raise ValueError(f"parse_generation_reply: expected must be at least 1, got {expected!r}")
    body = reply.strip()
    fenced = _FENCE.match(body)
    if fenced is not None:
        body = fenced.group("body").strip()
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        raise GenerationReplyError(f"the reply is not one JSON object ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise GenerationReplyError('expected an object {"questions": [...]}')
    items = data["questions"]
    if not 1 <= len(items) <= expected:
        raise GenerationReplyError(f"expected 1 to {expected} questions, got {len(items)}")
    out: list[GeneratedCandidate] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise GenerationReplyError(f"must be an object, got {type(item).__name__}", item=index)
        out.append(
            GeneratedCandidate(
                question=_text(item, index, "question", MAX_QUESTION_CHARS),
                reference_note=_text(item, index, "reference_note", MAX_NOTE_CHARS),
            )
        )
    return tuple(out)
