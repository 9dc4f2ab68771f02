"""The LLM judge: Chinese pairwise prompts with a rubric per dimension, strict verdict parsing,
per-side harm tags, both shown orders, panels and batch runs."""

from judging.judge._item import JudgeItem
from judging.judge._prompt import (
    PROMPT_VERSION,
    TAGGED_PROMPT_VERSIONS,
    JudgePrompt,
    build_judge_messages,
    parse_judge_prompt,
    render_judge_prompt,
)
from judging.judge._rubrics import COMMON_RULES, RUBRICS, rubric_for
from judging.judge._run import (
    Judgement,
    JudgementStatus,
    JudgeSettings,
    JudgeTask,
    PairJudgement,
    PanelJudgement,
    both_orders,
    judge_many,
    judge_once,
    judge_pair,
    judge_panel,
)
from judging.judge._tags import TAG_FORMAT, ParsedTags, TagStatus, parse_tags
from judging.judge._verdict import (
    VERDICT_MARKERS,
    ParsedVerdict,
    Unparsed,
    format_marker,
    parse_verdict,
    to_canonical,
)

__all__ = [
    "COMMON_RULES",
    "PROMPT_VERSION",
    "RUBRICS",
    "TAGGED_PROMPT_VERSIONS",
    "TAG_FORMAT",
    "VERDICT_MARKERS",
    "JudgeItem",
    "JudgePrompt",
    "JudgeSettings",
    "JudgeTask",
    "Judgement",
    "JudgementStatus",
    "PairJudgement",
    "PanelJudgement",
    "ParsedTags",
    "ParsedVerdict",
    "TagStatus",
    "Unparsed",
    "both_orders",
    "build_judge_messages",
    "format_marker",
    "judge_many",
    "judge_once",
    "judge_pair",
    "judge_panel",
    "parse_judge_prompt",
    "parse_tags",
    "parse_verdict",
    "render_judge_prompt",
    "rubric_for",
    "to_canonical",
]
