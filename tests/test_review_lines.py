"""How the Verify page lists a candidate's reviews (ui.formatting.review_line / review_lines):
the separators follow the session's language, not only the words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import streamlit as st

from judging.content import ContentCategory
from pipeline.bank.verification import ReviewInfo
from ui.formatting import review_line, review_lines
from ui.i18n import join_list


@pytest.fixture
def lang() -> Iterator[None]:
    """Run with the session's language set (as the app's tests do: ``session_state["lang"]``)."""
    yield
    st.session_state.pop("lang", None)


def _review(
    reviewer: str, decision: str, reason: str, categories: tuple[ContentCategory, ...] | None
) -> ReviewInfo:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return ReviewInfo(1, reviewer, decision, reason, None, "问题", at, categories)


REVIEWS = (
    _review("doc1", "approve", "来源可靠", (ContentCategory.PERSONAL_DATA, ContentCategory.SELF_HARM)),
    _review("doc2", "reject", "", ()),
    _review("doc3", "edit", "", None),
)


@pytest.mark.usefixtures("lang")
@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "zh",
            [
                "doc1: 通过 · 类别：个人信息、自伤/自杀（来源可靠）",
                "doc2: 拒绝 · 类别：无类别",
                "doc3: 修改后通过",
            ],
        ),
        (
            "en",
            [
                "doc1: Approve · categories: Personal data, Self-harm / suicide (来源可靠)",
                "doc2: Reject · categories: No category",
                "doc3: Edit and approve",
            ],
        ),
    ],
)
def test_a_review_reads_in_the_session_language(language: str, lines: list[str]) -> None:
    st.session_state["lang"] = language
    assert [review_line(r) for r in REVIEWS] == lines
    assert review_lines(REVIEWS) == ("；" if language == "zh" else "; ").join(lines)
    assert review_lines([]) == ""


@pytest.mark.usefixtures("lang")
def test_a_list_joins_by_language() -> None:
    assert join_list(["甲", "乙"]) == "甲、乙"  # no language chosen: Chinese
    st.session_state["lang"] = "en"
    assert join_list(["a", "b", "c"]) == "a, b, c" and join_list([]) == ""
