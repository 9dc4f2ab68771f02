"""Reusable rendering: model output is untrusted text and is always rendered inert."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

from judging.content import collapses
from judging.dimensions import Dimension
from judging.ledger import EntryKind, Status
from judging.types import Source, Verdict
from ui.care import answers_behind_toggles, content_warnings
from ui.i18n import STRINGS, join_list, sub_dimension_label, translate

if TYPE_CHECKING:
    from pipeline.workflow.adjudication import VoteDetail
    from pipeline.workflow.voting import BattleView

__all__ = [
    "answer_box",
    "answer_pair",
    "battle_heading",
    "battle_panel",
    "inert_markdown",
    "question_box",
    "ruling_history",
    "verdict_label",
]

# Every character Markdown (and Streamlit's extensions: $ for LaTeX, : for emoji shortcodes and
# icons, ~ for strikethrough) could interpret, plus < and > so no raw HTML is ever parsed.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")
# Spots a backslash escape does not defuse, because Streamlit finds them again in the text the
# escapes resolve to: GFM autolink literals ("http://", "www.", the "@" of an e-mail address) and
# Streamlit's ":material/icon:". An invisible WORD JOINER after every ":", after "www" before "."
# and after every "@" does (checked in Chromium by tests/e2e/test_hostile_content.py).
_AUTOLINK_SPOTS = re.compile(r"(?<=:)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
_LEADING_BLANKS = re.compile(r"^[ \t]+")


def _keep_indent(line: str) -> str:
    # four leading spaces would start a code block, which shows the escapes' backslashes
    return _LEADING_BLANKS.sub(lambda m: "\u00a0" * len(m.group().expandtabs(4)), line)


def inert_markdown(text: str) -> str:
    """``text`` as Markdown that renders exactly as the characters it holds: nothing in it is live.

    The one helper for every untrusted string (questions, notes, answers, rationales, names,
    event text, error messages that echo input) shown through anything that renders Markdown:
    ``st.markdown``, ``st.caption``, ``st.info``/``success``/``warning``/``error``, and the labels
    of expanders, tabs, metrics, buttons and most widgets. Plain-text widgets (``st.dataframe``
    cells, ``st.code``, ``st.text``, ``st.selectbox``/``st.multiselect`` options) need no escaping.

    - Every Markdown and HTML special character is backslash-escaped, so raw HTML, images, links
      (inline, reference, ``<angle>``), emphasis, headings, lists, tables, LaTeX, emoji
      shortcodes and Streamlit's ``:color[...]``/``:material/...:`` all show as typed. Formatting
      is deliberately *not* kept: a model answer's ``**bold**`` is part of what is being judged.
    - GFM autolink literals (``https://...``, ``www....``, ``a@b.example``) and Streamlit's
      ``:material/icon:`` survive backslash escapes, so a WORD JOINER (U+2060, invisible) is put
      after every ``:``, after every ``www`` before ``.`` and after every ``@``. A URL still reads
      the same; copying it carries the invisible character along, so it is no link there either.
    - Line breaks are kept (as hard breaks) and leading indentation becomes no-break spaces, so
      no line turns into a code block. Chinese characters and full-width punctuation are never
      touched, so Chinese text reads as written.
    """
    if not text:
        return text
    unlinked = _AUTOLINK_SPOTS.sub(_WORD_JOINER, text)
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", unlinked)
    return "  \n".join(_keep_indent(line) for line in escaped.splitlines())


def answer_box(title: str, text: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{title}**")
        st.markdown(inert_markdown(text))


def verdict_label(verdict: Verdict, lang: str) -> str:
    """A verdict about the battle's canonical order, said as 回答A / 回答B."""
    return translate(f"battle.verdict.{verdict.value}", lang)


def _status(status: Status | None, lang: str) -> str:
    return translate(f"ledger.status.{status.value if status is not None else 'none'}", lang)


def _when(vote: VoteDetail) -> str:
    # stored in UTC (storage.db.models.utcnow); SQLite hands them back naive
    return vote.created_at.strftime("%Y-%m-%d %H:%M") + " UTC"


def _dimension(code: str, lang: str) -> str:
    try:
        return Dimension(code).label(lang)
    except ValueError:  # a dimension this version does not know: show its code, inert
        return inert_markdown(code)


def _tags(tags: Sequence[str], lang: str) -> str:
    return join_list(
        (translate(f"tag.{tag}", lang) if f"tag.{tag}" in STRINGS else inert_markdown(tag) for tag in tags),
        lang,
    )


def battle_heading(view: BattleView, lang: str) -> None:
    """The battle's dimension and sub-dimension (untrusted: inert), one line."""
    st.markdown(
        f"**{translate('vote.dimension', lang)}**：{_dimension(view.dimension, lang)}　·　"
        f"**{translate('vote.sub_dimension', lang)}**：{inert_markdown(sub_dimension_label(view.sub_dimension, lang))}"
    )


def question_box(view: BattleView, lang: str, *, safe_note: bool) -> None:
    """The question (untrusted: inert), and its safe note under it when ``safe_note``."""
    with st.container(border=True):
        st.markdown(f"**{translate('vote.question', lang)}**")
        st.markdown(inert_markdown(view.question_text))
        if safe_note and view.safe_note:
            st.caption(translate("vote.safe_note_title", lang) + "：" + inert_markdown(view.safe_note))


def answer_pair(
    left: tuple[str, str], right: tuple[str, str], lang: str, *, collapsed: bool = False, key: str = "answers"
) -> bool:
    """Two answers side by side, each ``(title, text)``; the text is untrusted (inert). When
    ``collapsed`` (self-harm), each stays behind its own switch until the reader opens it, and
    stays as the reader left it while ``key`` is the same (``ui.care``). Returns whether both
    have been opened (always True when not collapsed): a verdict waits for that."""
    return answers_behind_toggles((left, right), lang, collapsed=collapsed, key=key, show=answer_box)


def battle_panel(view: BattleView, votes: Sequence[VoteDetail], lang: str, *, key: str = "battle") -> bool:
    """A battle and every row of its vote history, in the battle's canonical order: 回答A is the
    response with the smaller id, whatever order a rater saw. Verdicts are stored about that order
    and shown so; each vote says which answer its rater saw on the left, and its rationale (written
    about the order the rater saw) is shown under that explicit order, so the two never read as a
    contradiction. Every untrusted text (answers, question, rationales, rater names) is inert.
    Each content category shows its warning; self-harm answers start collapsed (``answer_pair``
    under ``key``). Returns whether both answers have been opened."""
    battle_heading(view, lang)
    content_warnings(view.categories, lang)
    question_box(view, lang, safe_note=True)
    st.caption(translate("battle.convention", lang))
    opened = answer_pair(
        (translate("battle.answer_a", lang), view.text_a),
        (translate("battle.answer_b", lang), view.text_b),
        lang,
        collapsed=collapses(view.categories),
        key=key,
    )
    st.markdown(f"**{translate('battle.votes', lang)}**")
    if not votes:
        st.caption(translate("battle.no_votes", lang))
    for vote in votes:
        _vote_card(view, vote, lang)
    return opened


def _vote_card(view: BattleView, vote: VoteDetail, lang: str) -> None:
    left, right = ("A", "B") if vote.left_response_id == view.response_a_id else ("B", "A")
    with st.container(border=True):
        st.markdown(
            translate(
                "battle.vote_head",
                lang,
                source=translate(f"source.{vote.source.value}", lang),
                rater=inert_markdown(vote.rater),
                vote_id=vote.vote_id,
                at=_when(vote),
                status=_status(vote.status, lang),
            )
        )
        if vote.kind is EntryKind.RETRACTION:
            st.markdown(translate("battle.retraction", lang, target=vote.supersedes_id))
            return
        if vote.supersedes_id is not None:
            st.markdown(translate("battle.correction", lang, target=vote.supersedes_id))
        line = translate("battle.verdict_line", lang, verdict=verdict_label(vote.verdict, lang))
        if vote.verdict in (Verdict.A, Verdict.B):
            # the same verdict in the words of the order the rater saw (A on the left or B)
            shown = vote.verdict if left == "A" else vote.verdict.swapped()
            line += translate(
                "battle.seen_verdict", lang, shown=translate(f"battle.shown.{shown.value}", lang)
            )
        st.markdown(line)
        st.markdown(translate("battle.seen_order", lang, left=left, right=right))
        if vote.tags_a or vote.tags_b:
            st.markdown(
                translate(
                    "battle.tags", lang, a=_tags(vote.tags_a, lang) or "—", b=_tags(vote.tags_b, lang) or "—"
                )
            )
        if vote.rationale:
            st.caption(translate("battle.rationale", lang, left=left, right=right))
            st.markdown(inert_markdown(vote.rationale))


_RULING_STATUS = {
    Status.STANDING: "adj.ruling.standing",
    Status.SUPERSEDED: "adj.ruling.superseded",
    Status.RETRACTED: "adj.ruling.retracted",
}


def ruling_history(votes: Sequence[VoteDetail], lang: str) -> None:
    """The battle's expert rulings, oldest first: who, when, the verdict (about 回答A/回答B),
    whether it stands or a later ruling superseded it, and the rationale."""
    rulings = [v for v in votes if v.source is Source.EXPERT and v.kind is EntryKind.VOTE]
    if not rulings:
        st.caption(translate("adj.history_none", lang))
        return
    for ruling in rulings:
        key = _RULING_STATUS.get(ruling.status) if ruling.status is not None else None
        status = translate(key, lang) if key is not None else _status(ruling.status, lang)
        with st.container(border=True):
            st.markdown(
                translate(
                    "adj.ruling_head",
                    lang,
                    expert=inert_markdown(ruling.rater),
                    vote_id=ruling.vote_id,
                    at=_when(ruling),
                    status=status,
                )
            )
            st.markdown(translate("battle.verdict_line", lang, verdict=verdict_label(ruling.verdict, lang)))
            if ruling.rationale:
                st.caption(translate("adj.ruling_rationale", lang))
                st.markdown(inert_markdown(ruling.rationale))
