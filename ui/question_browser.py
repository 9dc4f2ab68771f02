"""Read a release's questions (question bank page, every reviewer): experts see the published
releases, admins every release. Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from pipeline.bank.releases import release_questions
from ui.components import inert_markdown
from ui.i18n import current_lang, pick_placeholder, sub_dimension_label, t

__all__ = ["question_browser"]


def question_browser(engine: Engine, tags: Sequence[str]) -> None:
    """A picker over ``tags`` (the page passes what the reader may see), a dimension filter, the
    questions as a table and one question in full."""
    lang = current_lang()
    st.caption(t("qb.browse_help"))
    release = st.selectbox(
        t("qb.release"),
        tags,
        index=len(tags) - 1 if tags else None,
        key="qb_browse_release",
        placeholder=pick_placeholder(tags),
    )
    if release is None:
        return
    dimension = st.selectbox(
        t("vote.dimension"),
        [None, *Dimension],
        format_func=lambda d: t("lb.overall") if d is None else d.label(lang),
        key="qb_browse_dimension",
    )
    stored = [q for q in release_questions(engine, release) if dimension in (None, q.record.dimension)]
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("qb.question_id"): q.record.question_id,
                    t("vote.dimension"): q.record.dimension.label(lang),
                    t("vote.sub_dimension"): sub_dimension_label(q.record.sub_dimension, lang),
                    t("vote.question"): q.record.text,
                }
                for q in stored
            ]
        ),
        hide_index=True,
        key="qb_browse_table",
    )
    by_id = {q.record.question_id: q.record for q in stored}
    chosen = st.selectbox(
        t("qb.question"),
        list(by_id),
        format_func=lambda qid: f"{qid} · {by_id[qid].text[:40]}",
        key="qb_browse_question",
        placeholder=pick_placeholder(by_id),
    )
    if chosen is None:
        return
    record = by_id[chosen]
    with st.container(border=True):
        st.markdown(inert_markdown(record.text))
        for answer in record.reference_answers:
            st.caption(t("qb.reference_answer"))
            st.markdown(inert_markdown(answer))
