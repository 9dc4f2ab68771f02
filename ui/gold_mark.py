"""Mark the battle on screen as a gold item (admins): the verdict is chosen where the battle is
read, on the adjudication page and in the calibration drill-down, never by typing an id."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from judging.roles import Role
from judging.types import Verdict
from pipeline.workflow.gold import labels, mark_gold
from ui.components import verdict_label
from ui.errors import shown_errors
from ui.flash import flash
from ui.i18n import current_lang, t

__all__ = ["gold_action"]


def gold_action(engine: Engine, battle_id: int, *, key: str = "gold") -> None:
    """For an admin: the battle's gold verdict if it has one, else a form to give it one. The
    verdict is about the battle's canonical order (回答A / 回答B), as the panel above shows it."""
    if Role.ADMIN not in (st.session_state.get("roles") or ()):
        return
    lang = current_lang()
    gold = labels(engine).get(battle_id)
    if gold is not None:
        st.caption(t("gold.is_gold", verdict=verdict_label(gold, lang)))
        return
    with st.expander(t("gold.mark_here")), st.form(f"{key}_mark_{battle_id}"):
        verdict = st.radio(
            t("adj.verdict"),
            list(Verdict),
            index=None,
            format_func=lambda v: verdict_label(v, lang),
            horizontal=True,
            key=f"{key}_verdict_{battle_id}",
        )
        submitted = st.form_submit_button(t("gold.mark"))
    if not submitted:
        return
    if verdict is None:
        st.error(t("gold.no_verdict"))
        return
    with shown_errors("gold.refused", also=(LookupError,)) as marked:
        mark_gold(engine, battle_id=battle_id, verdict=verdict, actor=str(st.session_state.get("username")))
    if not marked.failed:
        flash(t("gold.marked", battle_id=battle_id))
        st.rerun()
