"""Mask model self-identification in answers before they are shown to a person.

Names alone are not the only leak: "我是通义千问", "作为ChatGPT" or a product name in the text
tells the annotator who wrote the answer. Matches are replaced by a visible marker, so the
annotator sees that something was hidden (and a reviewer can tell masking happened).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["KNOWN_MODEL_NAMES", "MaskResult", "mask_self_identification"]

# Model, product and vendor names that identify a Chinese or international LLM. Longer names
# come first in the compiled pattern so "通义千问" is masked whole, not as "千问".
KNOWN_MODEL_NAMES: tuple[str, ...] = (
    "通义千问",
    "通义",
    "千问",
    "Qwen",
    "QwQ",
    "阿里云",
    "文心一言",
    "文心",
    "ERNIE Bot",
    "ERNIE",
    "百度",
    "豆包",
    "Doubao",
    "字节跳动",
    "云雀",
    "Kimi",
    "月之暗面",
    "Moonshot",
    "DeepSeek",
    "深度求索",
    "ChatGPT",
    "GPT-4o",
    "GPT-4",
    "GPT-3.5",
    "GPT",
    "OpenAI",
    "Claude",
    "Anthropic",
    "智谱清言",
    "智谱",
    "ChatGLM",
    "GLM",
    "讯飞星火",
    "星火认知",
    "科大讯飞",
    "腾讯混元",
    "混元",
    "Hunyuan",
    "百川",
    "Baichuan",
    "零一万物",
    "Yi-Lightning",
    "MiniMax",
    "海螺",
    "商汤",
    "日日新",
    "SenseChat",
    "盘古",
    "Gemini",
    "Bard",
    "Llama",
    "LLaMA",
    "Mistral",
)

# "I am X" / "as X" constructions: the whole phrase is masked when X is a known name.
_INTRO = r"(?:我是|我叫|作为|身为|本模型是|这里是|I am|I'm|as an? |As an? )\s*"


@dataclass(frozen=True)
class MaskResult:
    text: str
    hits: tuple[str, ...]  # what was masked, in order

    @property
    def masked(self) -> bool:
        return bool(self.hits)


@lru_cache(maxsize=64)
def _pattern(names: frozenset[str]) -> re.Pattern[str]:
    # cached: the same name set is used for every answer shown
    unique = sorted({n for n in names if n and n.strip()}, key=lambda n: (-len(n), n))
    alternatives = "|".join(_escape(n) for n in unique)
    # ASCII names must not match inside a longer word ("GPT" in "GPTQ" is fine to mask, but
    # "Yi" inside "Yield" is not): require non-letter boundaries around ASCII-initial names.
    return re.compile(rf"(?:{_INTRO})?(?:{alternatives})", re.IGNORECASE)


def _escape(name: str) -> str:
    escaped = re.escape(name)
    if name[0].isascii() and name[0].isalnum():
        escaped = rf"(?<![A-Za-z]){escaped}"
    if name[-1].isascii() and name[-1].isalnum():
        escaped = rf"{escaped}(?![A-Za-z])"
    return escaped


def mask_self_identification(
    text: str, *, extra_names: Iterable[str] = (), marker: str = "［已隐去模型名］"
) -> MaskResult:
    """Replace every known model name (and "我是…"/"作为…" phrases around it) with ``marker``.

    ``extra_names`` adds the names of the models registered in this arena (display names and
    keys), which are the likeliest leaks of all.
    """
    pattern = _pattern(frozenset((*KNOWN_MODEL_NAMES, *extra_names)))
    hits: list[str] = []

    def replace(match: re.Match[str]) -> str:
        hits.append(match.group(0))
        return marker

    return MaskResult(pattern.sub(replace, text), tuple(hits))
