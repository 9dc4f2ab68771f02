"""Mask model self-identification in answers before they are shown to a person.

Names are not the only leak: "我是通义千问", "作为ChatGPT", "由深度求索训练" or "As Claude, I…" tells
the annotator who wrote the answer. Each name found, with its version tail ("Qwen2.5-72B-Instruct",
"DeepSeek-V3"), is replaced by one visible marker, so the annotator sees that something was hidden
and a reviewer can tell masking happened. The words around it ("我是", "由…开发") stay.

Masking must not itself single out an answer, so ordinary words are never masked: a name that is
also an ordinary word or a company with other products ("元宝", "天工", "百度", "Step", "Claude
Monet") is masked only inside an identity phrasing or next to a name that is masked anyway
("阿里云通义千问"); see ``judging._model_names``. A generic self-description that names no vendor
("作为一个AI助手", "I am an AI assistant") is left alone: every model says it, so it tells the
annotator nothing.

Registered arena names (``extra_names``): one with a Latin letter or digit ("青云 Care",
"qingyun-care") is masked wherever it stands as a whole token; an all-Chinese one ("青云", "通用")
only inside an identity phrasing, because Chinese has no word boundaries to tell "我是通用，"
from "通用的建议".

How: one regex finds every name (with its tail); names joined by "的", "、", "和" … form a run; a
run is masked when it holds a name that is masked anywhere, or when the words just before and
after it make it a self-introduction. The regexes are compiled once per set of registered names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from judging._model_names import MODEL_FAMILIES, ModelFamily

__all__ = ["KNOWN_MODEL_NAMES", "MODEL_FAMILIES", "MaskResult", "ModelFamily", "mask_self_identification"]

KNOWN_MODEL_NAMES: tuple[str, ...] = tuple(name for family in MODEL_FAMILIES for name in family.names())

# --- version tails, consumed with the name ------------------------------------------------------
# "2.5", "72B", "V3", "R1", "4o", "0613", "8k", "v0.1", "6.5s"
_NUMBER = r"[a-z]{0,2}\d+(?:[._]\d+)*[a-z]{0,2}"
_WORD = (
    r"(?:instruct|chat|turbo|pro|plus|max|mini|lite|large|medium|small|tiny|nano|flash|ultra|air"
    r"|coder|code|math|vl|vision|omni|preview|sonnet|opus|haiku|base|long|speed|lightning"
    r"|reasoner|thinking|exp|latest|online|search|audio|edge)"
)
# After a space only a version-like number ("Claude 3.5", "Llama 3", not "DeepSeek 20个"), a tail
# word after a version ("GPT-4o mini") or a capitalised one ("Gemini Pro", not "ChatGPT pro tips").
_SPACED_NUMBER = r"\s(?:\d+\.\d+(?:\.\d+)*[a-z]{0,2}|\d[a-z]?(?![\d\u3400-\u9fff]))"
_NUMBER_SEGMENT = rf"(?:[-_]?{_NUMBER}|{_SPACED_NUMBER})"
_SEGMENT = rf"(?:{_NUMBER_SEGMENT}(?:\s{_WORD}(?![A-Za-z]))?|[-_]?{_WORD}|\s(?-i:(?=[A-Z])){_WORD})"
# A match that ends in a Latin letter or digit must not run on into a longer word ("Yi" ≠ "Yield").
_END = r"(?:(?<=[A-Za-z0-9])(?![A-Za-z0-9])|(?<![A-Za-z0-9]))"
# A Hugging Face organisation in front of a repository name ("Qwen/", "meta-llama/").
_ORGANISATION = r"(?:(?<![A-Za-z0-9_./-])[A-Za-z0-9][A-Za-z0-9_.-]*/)?"
# What may join names into one run: "腾讯的元宝", "Google、DeepMind", "阿里云通义千问".
_JOIN = re.compile(r"\s*(?:的|之|旗下的?|、|/|和|与|&|and)?\s*", re.IGNORECASE)

# --- identity phrasings: (what must end the text before a run, what must start the text after) ---
_AI_NOUN_ZH = r"(?:AI|人工智能|大语言模型|大模型|语言模型|智能助手|聊天机器人|对话模型|模型|助手)"
_AI_NOUN_EN = r"(?:model|AI|assistant|chatbot|LLM|language\s+model|large\s+language\s+model)\b"
_MAKER_ZH = r"\s*(?:公司|集团|团队|科技|实验室|研究院|的团队|的研发团队|的工程师)?\s*(?:自主|独立)?"
_MADE_ZH = r"(?:开发|研发|训练|打造|推出|发布|创建|构建|设计|制作|创造|出品)"
_BY_EN = r"\s+by\s+(?:the\s+)?(?:(?:team|engineers|researchers|people)\s+(?:at|of|from)\s+)?"
# After "我是X" / "I am X": punctuation, the end, or (English) a lower-case word — "I am Grok and…",
# not "I am Claude Monet's…"; "作为元宝，", not "作为通用的建议".
_AFTER_INTRO = r"\s*(?:$|[^\w\s])|\s+(?-i:[a-z])"
_PHRASINGS: tuple[tuple[str, str], ...] = (
    # 我是元宝， / 作为通义千问， / I am Grok and … / 我是腾讯的元宝。
    (
        r"(?:我是(?:来自)?|我来自|我叫|我的名字(?:是|叫)|本(?:模型|助手)是|作为|身为"
        r"|\bI\s+am|\bI['’]m|\bmy\s+name\s+is|\bcall\s+me)\s*",
        _AFTER_INTRO,
    ),
    # As Claude, I … (not "such as Gemini, Claude and Llama")
    (r"(?<!such\s)\bas\s+", r"\s*[,，]"),
    # 由百度训练 / 我是一个由阿里云开发的… (not "Android 是由 Google 开发的")
    (r"由\s*", rf"{_MAKER_ZH}训练"),
    (r"(?:我(?:们)?(?:是|由|被)|本(?:模型|助手))[^。！？!?\n]{0,24}由\s*", rf"{_MAKER_ZH}{_MADE_ZH}"),
    # 月之暗面开发的助手
    ("", rf"{_MAKER_ZH}{_MADE_ZH}的\s*{_AI_NOUN_ZH}"),
    # trained by Google / I am a model developed by the team at Microsoft
    (rf"\btrained{_BY_EN}", ""),
    (
        r"\b(?:I\s+am|I['’]m|I\s+was|I['’]ve\s+been|me|model|AI|assistant|chatbot|LLM)\b[^.!?\n]{0,40}"
        rf"\b(?:developed|created|made|built|designed|released|produced){_BY_EN}",
        "",
    ),
)
# Only for lexicon names: registered Chinese words stay out, since "作为通用AI助手" is ordinary.
_VENDOR_PHRASINGS: tuple[tuple[str, str], ...] = (
    # as a Gemini model / 作为百度的AI助手
    (r"(?<!such\s)\bas\s+an?\s+", rf"[\s-]+{_AI_NOUN_EN}"),
    (r"(?:我是|作为|身为|本模型是)\s*(?:一个|一款|一名)?\s*", rf"\s*的?\s*{_AI_NOUN_ZH}"),
)
_CONTEXT = 64  # characters either side of a run that a phrasing may look at


@dataclass(frozen=True)
class MaskResult:
    text: str
    hits: tuple[str, ...]  # what was masked, in order

    @property
    def masked(self) -> bool:
        return bool(self.hits)


class _Reach(Enum):
    """Where a found name is masked; the values are the group names in the names regex."""

    ANYWHERE = "anywhere"  # wherever it stands
    IDENTITY = "identity"  # a lexicon name, in an identity phrasing
    REGISTERED = "registered"  # an all-Chinese registered name, in the phrasings open to any name


@dataclass(frozen=True)
class _Name:
    start: int
    end: int
    reach: _Reach


@dataclass(frozen=True)
class _Phrasing:
    before: re.Pattern[str] | None  # searched at the end of the text before the run
    after: re.Pattern[str] | None  # matched at the start of the text after it

    def holds(self, before: str, after: str) -> bool:
        return (self.before is None or self.before.search(before) is not None) and (
            self.after is None or self.after.match(after) is not None
        )


def _phrasing(before: str, after: str) -> _Phrasing:
    return _Phrasing(
        re.compile(rf"(?:{before})$", re.IGNORECASE) if before else None,
        re.compile(after, re.IGNORECASE) if after else None,
    )


def _core(name: str) -> str:
    """The regex of one name: "·" optional in any of its spellings, a space any whitespace or none."""
    parts = []
    for char in name:
        if char == "·":
            parts.append("[·・•‧]?")
        elif char == " ":
            parts.append(r"\s*")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _alternatives(names: Iterable[str], *, case_sensitive: bool = False) -> str:
    # longest first, so "通义千问" is masked whole and not as "千问"
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    latin = "|".join(_core(n) for n in ordered if n[0].isascii() and n[0].isalnum())
    other = "|".join(_core(n) for n in ordered if not (n[0].isascii() and n[0].isalnum()))
    # a Latin name must not start inside a longer word ("GPT" in "ChatGPT" is ChatGPT's)
    groups = ([rf"(?<![A-Za-z0-9])(?:{latin})"] if latin else []) + ([f"(?:{other})"] if other else [])
    body = "|".join(groups) or "(?!)"
    return f"(?-i:{body})" if case_sensitive else f"(?:{body})"


def _with_tail(names: str) -> str:
    return rf"(?:{names}){_SEGMENT}*{_END}"


@dataclass(frozen=True)
class _Patterns:
    names: re.Pattern[str]
    phrasings: tuple[_Phrasing, ...]
    vendor_phrasings: tuple[_Phrasing, ...]


@lru_cache(maxsize=32)
def _patterns(extra_names: frozenset[str]) -> _Patterns:
    # Cached: a page masks many answers with the same registered names.
    extra = {n.strip() for n in extra_names if n.strip()}
    extra_latin = {n for n in extra if re.search(r"[A-Za-z0-9]", n)}

    def pick(field: str) -> list[str]:
        return [name for family in MODEL_FAMILIES for name in getattr(family, field)]

    anywhere = "|".join(
        (
            _with_tail(_alternatives([*pick("anywhere"), *extra_latin])),
            _with_tail(_alternatives(pick("exact"), case_sensitive=True)),
            _with_tail(rf"{_alternatives(pick('versioned'))}(?={_NUMBER_SEGMENT})"),
        )
    )
    identity = _with_tail(_alternatives([*pick("versioned"), *pick("identity")]))
    registered = _with_tail(_alternatives(extra - extra_latin))
    # Every name starts with one of a few characters: checking that first is what keeps a long
    # Chinese answer fast.
    first = {c for n in (*KNOWN_MODEL_NAMES, *extra) for c in (n[0].lower(), n[0].upper())}
    starts = "".join(sorted(re.escape(c) for c in first | set("0123456789")))
    alternatives = (
        rf"(?P<anywhere>{_ORGANISATION}(?:{anywhere}))|(?P<identity>{identity})|(?P<registered>{registered})"
    )
    names = rf"(?=[A-Za-z{starts}])(?:{alternatives})"
    return _Patterns(
        re.compile(names, re.IGNORECASE),
        tuple(_phrasing(b, a) for b, a in _PHRASINGS),
        tuple(_phrasing(b, a) for b, a in _VENDOR_PHRASINGS),
    )


def _runs(text: str, names: list[_Name]) -> list[list[_Name]]:
    """Names with only a joining word between them ("腾讯的元宝") form one run."""
    runs: list[list[_Name]] = []
    for name in names:
        if runs and _JOIN.fullmatch(text, runs[-1][-1].end, name.start):
            runs[-1].append(name)
        else:
            runs.append([name])
    return runs


def _spans(text: str, run: list[_Name]) -> list[tuple[int, int]]:
    """The stretches of a masked run that get one marker each: names with nothing but space
    between them ("阿里云通义千问") share one."""
    spans: list[tuple[int, int]] = []
    for name in run:
        if spans and not text[spans[-1][1] : name.start].strip():
            spans[-1] = (spans[-1][0], name.end)
        else:
            spans.append((name.start, name.end))
    return spans


def _masked(text: str, run: list[_Name], patterns: _Patterns) -> bool:
    if any(name.reach is _Reach.ANYWHERE for name in run):
        return True
    start, end = run[0].start, run[-1].end
    before, after = text[max(0, start - _CONTEXT) : start], text[end : end + _CONTEXT]
    phrasings = patterns.phrasings
    if all(name.reach is _Reach.IDENTITY for name in run):
        phrasings = (*phrasings, *patterns.vendor_phrasings)
    return any(p.holds(before, after) for p in phrasings)


def mask_self_identification(
    text: str, *, extra_names: Iterable[str] = (), marker: str = "［已隐去模型名］"
) -> MaskResult:
    """Replace every model name that identifies the answer's author with ``marker``.

    ``extra_names`` are the names of the models registered in this arena (display names and
    keys), the likeliest leaks of all. Each masked name takes its version tail with it.
    """
    patterns = _patterns(frozenset(extra_names))
    found = [
        _Name(m.start(), m.end(), _Reach(m.lastgroup))
        for m in patterns.names.finditer(text)
        if m.end() > m.start()
    ]
    pieces: list[str] = []
    hits: list[str] = []
    position = 0
    for run in _runs(text, found):
        if not _masked(text, run, patterns):
            continue
        for start, end in _spans(text, run):
            pieces.append(text[position:start])
            pieces.append(marker)
            hits.append(text[start:end])
            position = end
    pieces.append(text[position:])
    return MaskResult("".join(pieces), tuple(hits))
