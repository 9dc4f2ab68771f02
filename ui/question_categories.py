"""The question bank's content-category editor (experts and admins): see a release's questions by
category, and correct one question's categories. Published releases included: categories are care
metadata (which warnings show, whether answers start collapsed), not the item being rated."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from judging.content import ContentCategory
from pipeline.bank.questions import set_question_categories
from pipeline.bank.releases import release_questions
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.i18n import join_list, t

__all__ = ["categories_editor", "import_category_counts"]


def _label(category: ContentCategory) -> str:
    return t(category.label_key)


def _counts(records: Sequence[object]) -> None:
    cats = [getattr(r, "categories", ()) for r in records]
    row = {_label(c): sum(1 for got in cats if c in got) for c in ContentCategory}
    row[t("qb.categories_none")] = sum(1 for got in cats if not got)
    st.dataframe(pd.DataFrame([row]), hide_index=True, key="qb_cat_counts")


def categories_editor(engine: Engine, releases: Sequence[str], *, actor: str) -> None:
    """Pick a release and a question (optionally only those of some categories) and save its
    categories; the change is audited with the old and new ones."""
    if not releases:
        st.info(t("qb.categories_no_release"))
        return
    st.caption(t("qb.categories_help"))
    release = st.selectbox(t("qb.release"), releases, index=len(releases) - 1, key="qb_cat_release")
    if release is None:
        return
    records = [q.record for q in release_questions(engine, release)]
    _counts(records)
    only = st.multiselect(
        t("qb.categories_filter"),
        list(ContentCategory),
        format_func=_label,
        key="qb_cat_filter",
        placeholder=t("qb.categories_any"),
    )
    shown = [r for r in records if not only or set(only) & set(r.categories)]
    by_id = {r.question_id: r for r in shown}
    chosen = st.selectbox(
        t("qb.question"),
        list(by_id),
        format_func=lambda qid: (
            f"{qid} · [{join_list(_label(c) for c in by_id[qid].categories) or '—'}] · {by_id[qid].text[:40]}"
        ),
        key="qb_cat_question",
    )
    if chosen is None:
        st.info(t("qb.categories_no_match"))
        return
    record = by_id[chosen]
    st.markdown(inert_markdown(record.text))
    with st.form("qb_categories"):
        picked = st.multiselect(
            t("qb.categories"),
            list(ContentCategory),
            default=list(record.categories),
            format_func=_label,
            key=f"qb_cat_pick_{release}_{chosen}",
            placeholder=t("qb.categories_none"),
        )
        submitted = st.form_submit_button(t("qb.save_categories"), type="primary")
    if submitted:
        with shown_errors("qb.refused", also=(ValueError,)) as saved:
            set_question_categories(engine, release, chosen, [c.value for c in picked], actor=actor)
        if not saved.failed:
            st.session_state["qb_flash"] = t("qb.categories_saved")
            st.rerun()


def import_category_counts(by_category: dict[str, int]) -> None:
    """An import's questions per content category ("" = none), as the preview and report show it."""
    rows = [
        {
            t("qb.categories"): _label(ContentCategory(k)) if k else t("qb.categories_none"),
            t("qb.questions"): n,
        }
        for k, n in by_category.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
