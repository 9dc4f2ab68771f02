"""Running the LLM judge: one order, both orders, a panel, or a whole batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from judging.harm_tags import HarmTag
from judging.judge._item import JudgeItem
from judging.judge._prompt import PROMPT_VERSION, build_judge_messages
from judging.judge._tags import ParsedTags, TagStatus, parse_tags
from judging.judge._verdict import ParsedVerdict, Unparsed, parse_verdict, to_canonical
from judging.llm import ChatClient, ChatFailure, ChatSuccess, Done, EndpointConfig, map_unordered
from judging.types import Side, Verdict

__all__ = [
    "JudgeSettings",
    "JudgeTask",
    "Judgement",
    "JudgementStatus",
    "PairJudgement",
    "PanelJudgement",
    "both_orders",
    "judge_many",
    "judge_once",
    "judge_pair",
    "judge_panel",
]


class JudgementStatus(StrEnum):
    PARSED = "parsed"  # a verdict on the menu
    UNPARSED = "unparsed"  # the judge replied, but without a strict verdict marker
    FAILED = "failed"  # the request itself failed (after the client's retries)


@dataclass(frozen=True, slots=True)
class JudgeSettings:
    """``max_parse_attempts`` counts the first ask: 3 means up to two re-asks of an unparsed reply."""

    max_parse_attempts: int = 3
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __post_init__(self) -> None:
        if self.max_parse_attempts < 1:
            raise ValueError(
                f"JudgeSettings: max_parse_attempts must be at least 1, got {self.max_parse_attempts!r}"
            )


@dataclass(frozen=True, slots=True)
class Judgement:
    """One judge's verdict on one battle in one shown order — one judge vote.

    ``shown_first`` is the canonical side shown first (as 回答A, on the left). ``parse`` is the
    parse of the last reply (None if no reply arrived); ``failure`` is set when the last call
    failed. ``replies`` holds every reply in order, unparsed re-asks included.

    Harm tags: ``tags_a`` / ``tags_b`` are in **canonical** order — the tags of the battle's
    response A (smaller id) and B, whichever was shown first — exactly what the vote's
    ``tags_a`` / ``tags_b`` columns store, like ``verdict``. ``shown_tags`` keeps the judge's own
    (回答A, 回答B) order, like ``shown_verdict``. Both are empty unless ``tag_status`` is
    ``TagStatus.PARSED``: a valid verdict with missing or malformed tag lines keeps its verdict
    and records no tags (``judging/judge/_tags.py``).
    """

    judge: str
    prompt_version: str
    shown_first: Side
    parse: ParsedVerdict | Unparsed | None
    failure: ChatFailure | None
    replies: tuple[ChatSuccess, ...]

    def __post_init__(self) -> None:
        if self.parse is None and self.failure is None:
            raise ValueError("Judgement: needs a parsed reply or a failure")

    @property
    def status(self) -> JudgementStatus:
        if isinstance(self.parse, ParsedVerdict):
            return JudgementStatus.PARSED
        if self.failure is not None:
            return JudgementStatus.FAILED
        return JudgementStatus.UNPARSED

    @property
    def shown_verdict(self) -> Verdict | None:
        """The verdict as the judge gave it, about the shown order (A = shown first)."""
        return self.parse.verdict if isinstance(self.parse, ParsedVerdict) else None

    @property
    def verdict(self) -> Verdict | None:
        """The verdict about the canonical sides; None unless parsed."""
        shown = self.shown_verdict
        return None if shown is None else to_canonical(shown, self.shown_first)

    @property
    def tag_parse(self) -> ParsedTags | None:
        """The tag lines of the last reply; None unless the verdict parsed."""
        if not isinstance(self.parse, ParsedVerdict) or not self.replies:
            return None
        return parse_tags(self.replies[-1].content, self.parse)

    @property
    def tag_status(self) -> TagStatus | None:
        """PARSED, MISSING or INVALID for a parsed verdict; None when there is no verdict."""
        parsed = self.tag_parse
        return None if parsed is None else parsed.status

    @property
    def shown_tags(self) -> tuple[tuple[HarmTag, ...], tuple[HarmTag, ...]]:
        """(tags of the answer shown first, tags of the answer shown second), as the judge wrote them."""
        parsed = self.tag_parse
        return ((), ()) if parsed is None else (parsed.first, parsed.second)

    @property
    def tags_a(self) -> tuple[HarmTag, ...]:
        """Tags of canonical response A (whichever side it was shown on)."""
        first, second = self.shown_tags
        return first if self.shown_first is Side.A else second

    @property
    def tags_b(self) -> tuple[HarmTag, ...]:
        """Tags of canonical response B (whichever side it was shown on)."""
        first, second = self.shown_tags
        return second if self.shown_first is Side.A else first

    @property
    def raw(self) -> str | None:
        """The last reply's text, stored with the vote (also for unparsed replies)."""
        return self.replies[-1].content if self.replies else None

    @property
    def attempts(self) -> int:
        """Judge calls made, including the one that failed, if any."""
        return len(self.replies) + (1 if self.failure is not None else 0)


@dataclass(frozen=True, slots=True)
class PairJudgement:
    """One judge on one battle in both orders."""

    item: JudgeItem
    a_first: Judgement
    b_first: Judgement

    @property
    def judgements(self) -> tuple[Judgement, Judgement]:
        return (self.a_first, self.b_first)

    @property
    def consistent(self) -> bool | None:
        """Whether both orders gave the same canonical verdict; None unless both parsed."""
        first, second = self.a_first.verdict, self.b_first.verdict
        return None if first is None or second is None else first is second


@dataclass(frozen=True, slots=True)
class PanelJudgement:
    """Several judges on one battle, each in both orders."""

    item: JudgeItem
    pairs: tuple[PairJudgement, ...]

    def majority(self) -> Verdict | None:
        """The most frequent parsed canonical verdict, or None if none parsed or the top is shared."""
        counts = Counter(j.verdict for pair in self.pairs for j in pair.judgements if j.verdict is not None)
        ranked = counts.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]


@dataclass(frozen=True, slots=True)
class JudgeTask:
    """One unit of judging work: judge × battle × shown order (the unit a resumable run skips)."""

    judge: EndpointConfig
    item: JudgeItem
    shown_first: Side


async def judge_once(
    client: ChatClient, judge: EndpointConfig, item: JudgeItem, shown_first: Side, settings: JudgeSettings
) -> Judgement:
    """Ask ``judge`` about ``item`` in one order; re-ask an unparsed reply up to the limit."""
    messages = build_judge_messages(item, shown_first)
    replies: list[ChatSuccess] = []
    parse: ParsedVerdict | Unparsed | None = None
    for _ in range(settings.max_parse_attempts):
        result = await client.complete(judge, messages, params=settings.params)
        if isinstance(result, ChatFailure):
            return Judgement(judge.key, PROMPT_VERSION, Side(shown_first), parse, result, tuple(replies))
        replies.append(result)
        parse = parse_verdict(result.content)
        if isinstance(parse, ParsedVerdict):
            break
    return Judgement(judge.key, PROMPT_VERSION, Side(shown_first), parse, None, tuple(replies))


async def judge_pair(
    client: ChatClient, judge: EndpointConfig, item: JudgeItem, settings: JudgeSettings
) -> PairJudgement:
    """Judge ``item`` in both orders (A shown first, then B shown first), concurrently."""
    a_first, b_first = await asyncio.gather(
        judge_once(client, judge, item, Side.A, settings),
        judge_once(client, judge, item, Side.B, settings),
    )
    return PairJudgement(item, a_first, b_first)


async def judge_panel(
    client: ChatClient, judges: Sequence[EndpointConfig], item: JudgeItem, settings: JudgeSettings
) -> PanelJudgement:
    """Every judge of the panel on ``item``, each in both orders."""
    if not judges:
        raise ValueError("judge_panel: judges is empty")
    pairs = await asyncio.gather(*(judge_pair(client, judge, item, settings) for judge in judges))
    return PanelJudgement(item, tuple(pairs))


async def judge_many(
    client: ChatClient, tasks: Iterable[JudgeTask], settings: JudgeSettings
) -> AsyncGenerator[Done[JudgeTask, Judgement], None]:
    """Run judge tasks concurrently (bounded by the client), yielding each as it finishes.

    Build one task per judge × battle × order still missing from storage; a rerun after a crash
    then asks only for what is missing.
    """

    async def run(task: JudgeTask) -> Judgement:
        return await judge_once(client, task.judge, task.item, task.shown_first, settings)

    async for done in map_unordered(tasks, run, concurrency=client.settings.max_concurrency):
        yield done


def both_orders(judges: Iterable[EndpointConfig], items: Iterable[JudgeItem]) -> Iterator[JudgeTask]:
    """Tasks for every judge × item × order, lazily."""
    judge_list = tuple(judges)
    for item in items:
        for judge in judge_list:
            for side in (Side.A, Side.B):
                yield JudgeTask(judge, item, side)
