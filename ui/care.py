"""Care that fits the content (judging/content.py): each category's own warning; self-harm answers
collapsed until the reader opens them, a verdict only once both were opened, and nothing reopened
or closed behind the reader's back; the break reminder after K self-harm items or N minutes of
continuous work. Shared by the vote, adjudication and verify pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import streamlit as st

from judging.content import ContentCategory, counts_toward_break
from ui.i18n import translate

__all__ = [
    "IDLE_RESET_SECONDS",
    "answers_behind_toggles",
    "break_reminder",
    "content_warnings",
    "open_first_notice",
]

# A pause this long between two runs of the vote page counts as a break: continuous work restarts.
IDLE_RESET_SECONDS = 10 * 60


def content_warnings(categories: Sequence[ContentCategory], lang: str) -> None:
    """One warning per category, each in its own words (trusted: our strings)."""
    for category in categories:
        st.warning(translate(category.warning_key, lang), icon="⚠️")


def answers_behind_toggles(
    answers: Sequence[tuple[str, str]],
    lang: str,
    *,
    collapsed: bool,
    key: str,
    show: Callable[[str, str], None],
) -> bool:
    """Answers ``(title, text)`` side by side, each drawn by ``show`` (``ui.components.answer_box``:
    the text is untrusted and rendered inert). When ``collapsed``, each
    stays behind its own switch and shows only while the reader has it on. The switches keep
    their state under ``key`` for as long as the page shows the same ``key`` (after a vote too),
    so nothing opens or closes on its own. Returns whether every answer has been opened at least
    once (always True when not collapsed)."""
    opened: set[int] = st.session_state.setdefault(f"{key}_opened", set())
    for index, (column, (title, text)) in enumerate(zip(st.columns(len(answers)), answers, strict=True)):
        with column:
            if not collapsed:
                show(title, text)
                continue
            if st.toggle(translate("vote.open_answer", lang, side=title), key=f"{key}_open_{index}"):
                opened.add(index)
                show(title, text)
    return not collapsed or len(opened) == len(answers)


def open_first_notice(lang: str) -> None:
    """Why the verdict is not available yet."""
    st.info(translate("care.open_first", lang), icon="🔒")


def break_reminder(
    *, item: object, categories: Sequence[ContentCategory], every: int, minutes: int, lang: str
) -> None:
    """Count a self-harm item once per session (an undone item comes back: still once) and remind
    at every ``every``-th; remind after ``minutes`` of continuous work (a pause of
    IDLE_RESET_SECONDS restarts it). A reminder stays on the item it was shown on."""
    state = st.session_state
    state.setdefault("distressing_seen", 0)
    counted: set[object] = state.setdefault("distress_counted", set())
    if counts_toward_break(categories):
        if item not in counted:
            counted.add(item)
            state["distressing_seen"] += 1
        if state["distressing_seen"] % every == 0:
            st.info(translate("vote.break_reminder", lang, n=state["distressing_seen"]), icon="🌿")
    now = time.monotonic()
    since = state.setdefault("care_work_since", now)
    if now - state.get("care_last_run", now) >= IDLE_RESET_SECONDS:
        since = now
    state["care_last_run"] = now
    if now - since >= minutes * 60:
        state["care_break_item"] = item
        since = now
    state["care_work_since"] = since
    if state.get("care_break_item") == item:
        st.info(translate("care.break_minutes", lang, minutes=minutes), icon="🌿")
