"""Guidelines: how to judge a pair — the standard per dimension, over-refusal, when both answers
are safe or unsafe, examples — in Chinese and English. Anyone who votes reads them here and
confirms; admins edit them (each save is a new version, for one release or every release)."""

import pandas as pd
import streamlit as st

from judging.roles import ALL_ROLES, Role
from pipeline.bank.releases import list_release_summaries
from pipeline.workflow.guidelines import (
    Guidelines,
    ReadingState,
    confirm_read,
    current_guidelines,
    guideline_history,
    reading_for,
    save_guidelines,
)
from ui.auth import require_role
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role(*ALL_ROLES)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("guide.title"))

notice = st.session_state.pop("guide_notice", None)
if notice is not None:
    st.success(notice)


def scope_name(release: str | None) -> str:
    return t("guide.every_release") if release is None else release


reading = reading_for(engine, username=ctx.username)
scopes: list[str | None] = [None, *(s.tag for s in list_release_summaries(engine))]
scope = st.selectbox(
    t("guide.release"),
    scopes,
    index=scopes.index(reading.release) if reading.release in scopes else 0,
    format_func=scope_name,
    key="guide_scope",
)
shown = current_guidelines(engine, release=scope)

if shown.id is None:
    st.caption(t("guide.built_in"))
else:
    st.caption(
        t(
            "guide.version_line",
            number=shown.number,
            scope=inert_markdown(scope_name(shown.release)),
            who=inert_markdown(shown.created_by),
            when=f"{shown.created_at:%Y-%m-%d %H:%M} UTC" if shown.created_at else "-",
        )
    )
if scope is not None and shown.release != scope:
    st.caption(t("guide.fallback", release=inert_markdown(scope)))

with st.container(border=True):
    # Written by us or by an admin, and meant to be formatted (headings, lists, bold); Streamlit
    # never renders HTML in it.
    st.markdown(shown.text(lang))  # rendering: trusted


def confirm(guidelines: Guidelines) -> None:
    confirm_read(engine, username=ctx.username, guidelines=guidelines)
    st.session_state["guide_notice"] = t("guide.confirmed")


if shown == reading.guidelines:
    if reading.state is ReadingState.READ:
        st.caption(t("guide.read_already"))
    else:
        st.button(t("guide.confirm"), type="primary", on_click=confirm, args=(shown,), key="guide_confirm")

with st.expander(t("guide.history")):
    history = guideline_history(engine)
    if not history:
        st.caption(t("guide.no_history"))
    else:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("guide.col_version"): g.number,
                        t("guide.col_scope"): scope_name(g.release),
                        t("guide.col_who"): g.created_by,
                        t("guide.col_when"): g.created_at,
                        t("guide.col_note"): g.note,
                    }
                    for g in history
                ]
            ),
            hide_index=True,
        )

if Role.ADMIN in ctx.roles:
    st.subheader(t("guide.edit"))
    st.caption(t("guide.edit_help"))
    version = "builtin" if shown.id is None else shown.id
    with st.form(f"guidelines_edit_{scope}_{version}"):
        text_zh = st.text_area(t("guide.text_zh"), value=shown.text_zh, height=400)
        text_en = st.text_area(t("guide.text_en"), value=shown.text_en, height=400)
        note = st.text_input(t("guide.note"), max_chars=200)
        if st.form_submit_button(t("guide.save"), type="primary"):
            with shown_errors("guide.refused") as saved_now:
                saved = save_guidelines(
                    engine, text_zh=text_zh, text_en=text_en, release=scope, note=note, actor=ctx.username
                )
            if not saved_now.failed:
                st.session_state["guide_notice"] = t(
                    "guide.saved", number=saved.number, scope=inert_markdown(scope_name(saved.release))
                )
                st.rerun()
