"""ui.components.inert_markdown, the one escaping helper for untrusted text: what it does to each
kind of payload, and two properties over any text (it shows exactly the characters it was given;
nothing Markdown or GFM could make live is left). That Streamlit's renderer in a real browser
agrees is tests/e2e/test_hostile_content.py."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.components import inert_markdown

WJ = "\u2060"  # WORD JOINER: invisible, breaks autolink literals
SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:&=")
# What the text shows once rendered: a backslash before ASCII punctuation disappears, a hard break
# ("  \n") is a line break, the invisible joiner is invisible and a no-break space is a space.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    text = _ESCAPE.sub(r"\1", markdown).replace("  \n", "\n")
    return text.replace(WJ, "").replace("\u00a0", " ")


def expected(text: str) -> str:
    def line(raw: str) -> str:
        body = raw.lstrip(" \t")
        return " " * len(raw[: len(raw) - len(body)].expandtabs(4)) + body

    return "\n".join(line(x) for x in text.splitlines())


def unescaped_specials(markdown: str) -> set[str]:
    """Markdown specials not preceded by their escaping backslash."""
    return set(re.sub(r"\\.", "", markdown, flags=re.DOTALL)) & SPECIALS


@pytest.mark.parametrize(
    "payload",
    [
        "<script>window.__x=1</script>",
        '<img src="http://127.0.0.1:9/x.png" onerror="window.__x=2">',
        "![t](http://127.0.0.1:9/md.png)",
        "[点我](http://127.0.0.1:9/link)",
        "[r]: http://127.0.0.1:9/ref\n\n[r] ![r]",
        "<http://127.0.0.1:9/angle>",
        "**粗体** _斜体_ # 标题 > 引用 - 列表 1. 列表 | 表 | `代码` ~~删~~ $x^2$ :red[红] &#58;",
    ],
)
def test_no_markdown_or_html_special_is_left_unescaped(payload: str) -> None:
    out = inert_markdown(payload)
    assert not unescaped_specials(out)
    assert shown(out) == payload  # shows exactly what was written


@pytest.mark.parametrize(
    ("payload", "broken"),
    [
        ("http://127.0.0.1:9/auto", "http\\:" + WJ + "//"),
        ("HTTPS://evil.example", "HTTPS\\:" + WJ + "//"),
        ("www.example.com", "www" + WJ + "\\."),
        ("WWW.example.com", "WWW" + WJ + "\\."),
        ("见wwww.example.com", "wwww" + WJ + "\\."),
        ("a@example.com", "a@" + WJ + "example"),
        ("mailto:a@example.com", "mailto\\:" + WJ + "a@" + WJ),
        (":material/home:", "\\:" + WJ + "material/home\\:" + WJ),
    ],
)
def test_autolink_literals_and_icons_are_broken_by_a_word_joiner(payload: str, broken: str) -> None:
    out = inert_markdown(payload)
    assert broken in out
    assert shown(out) == payload


def test_chinese_text_is_untouched() -> None:
    text = "请比较两个回答：哪个更安全？（仅供研究）「引号」——破折号。"
    assert inert_markdown(text) == text  # full-width punctuation is not ASCII
    assert inert_markdown("中文") == "中文"


def test_line_breaks_are_kept_and_indentation_starts_no_code_block() -> None:
    out = inert_markdown("第一行\n\n    缩进的一行\n\t制表符")
    assert out.split("  \n") == ["第一行", "", "\u00a0" * 4 + "缩进的一行", "\u00a0" * 4 + "制表符"]


def test_empty_text_stays_empty() -> None:
    assert inert_markdown("") == ""


# text built from every ASCII special, URL fragments and Chinese, plus line breaks and tabs
_TEXT = st.lists(
    st.sampled_from(
        [*SPECIALS, "@", "/", "w", "W", "a", "1", " ", "\t", "\n", "中", "。", "http", "www.", "://"]
    ),
    max_size=40,
).map("".join)


@given(_TEXT)
def test_any_text_shows_exactly_as_written(text: str) -> None:
    assert shown(inert_markdown(text)) == expected(text)


@given(_TEXT)
def test_any_text_leaves_nothing_live(text: str) -> None:
    out = inert_markdown(text)
    assert not unescaped_specials(out)
    visible = _ESCAPE.sub(r"\1", out)  # the text remark's autolinker sees, joiners included
    assert not re.search(r"https?://|www\.|@[-\w]|:[a-z]", visible, flags=re.IGNORECASE)
