"""Adjudication (experts): disagreements and flags, every vote in the battle's A/B order, a final
ruling (which a later ruling may supersede)."""

import uuid

import streamlit as st

from judging.dimensions import Dimension
from judging.ledger import Status
from judging.roles import REVIEWER_ROLES
from judging.types import Source, Verdict
from pipeline.workflow.adjudication import (
    adjudicate,
    adjudication_queue,
    conflict_of_interest,
    final_label_of,
    load_adjudication_settings,
    ruled_battles,
    votes_of,
)
from pipeline.workflow.gold import labels as gold_labels
from pipeline.workflow.voting import masked_view
from ui.auth import require_role
from ui.care import open_first_notice
from ui.components import battle_panel, inert_markdown, ruling_history, verdict_label
from ui.errors import shown_errors
from ui.gold_mark import gold_action
from ui.i18n import join_list, t
from ui.resources import get_engine

ctx = require_role(*REVIEWER_ROLES)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("adj.title"))
st.caption(t("adj.explain"))
st.caption(t("adj.final_note"))

# what the last submit did, said after the rerun that follows it
flash = st.session_state.pop("adj_flash", None)
if flash == "adj.done":
    st.success(t("adj.done"))
elif flash == "adj.duplicate":
    st.info(t("adj.duplicate"))

flags: tuple[str, ...] = ()
if st.toggle(t("adj.show_ruled"), key="adj_show_ruled"):
    ruled = {r.battle_id: r for r in ruled_battles(engine)}
    if not ruled:
        st.info(t("adj.none_ruled"))
        st.stop()
    battle_id = st.selectbox(
        t("adj.ruled_case"),
        list(ruled),
        format_func=lambda b: t(
            "adj.ruled_label",
            battle_id=b,
            dimension=Dimension(ruled[b].dimension).label(lang),
            verdict=verdict_label(ruled[b].verdict, lang),
        ),
        key="adj_ruled",
    )
else:
    cases = {c.battle_id: c for c in adjudication_queue(engine)}
    if not cases:
        st.info(t("adj.none"))
        st.stop()
    battle_id = st.selectbox(
        t("adj.case"),
        list(cases),
        format_func=lambda b: (
            f"#{b} · {Dimension(cases[b].dimension).label(lang)} · "
            + join_list(t(f"adj.reason.{r.value}") for r in cases[b].reasons)
        ),
        key="adj_case",
    )
    flags = cases[battle_id].flags

view = masked_view(engine, battle_id, marker=t("vote.masked"))
votes = votes_of(engine, battle_id)
# Self-harm answers start collapsed; a ruling waits until both were opened (ui/care.py).
opened = battle_panel(view, votes, lang, key=f"adj_answers_{battle_id}")
if flags:
    st.markdown(f"**{t('adj.flags')}**")
    for reason in flags:
        st.markdown("- " + inert_markdown(reason))

gold_action(engine, battle_id, key="adj_gold")  # admins: mark this battle as a gold item

st.subheader(t("adj.history"))
ruling_history(votes, lang)
current = final_label_of(engine, battle_id)
if current.verdict is not None:
    st.caption(
        t("adj.current", verdict=verdict_label(current.verdict, lang), source=t(f"source.{current.source}"))
    )

# -- the ruling, or why this expert may not give one ---------------------------------------------

st.subheader(t("adj.form_title"))
if battle_id in gold_labels(engine):
    st.info(t("adj.gold"))
    st.stop()
settings = load_adjudication_settings(engine)
conflict = conflict_of_interest(engine, battle_id=battle_id, expert=ctx.username)
if conflict is not None:
    if not settings.allow_self_adjudication:
        if conflict == "voted on":
            st.warning(t("adj.conflict.voted_on"))
        elif conflict == "flagged":
            st.warning(t("adj.conflict.flagged"))
        else:
            st.warning(t("adj.conflict.other", how=inert_markdown(conflict)))
        st.stop()
    st.caption(t("adj.conflict_allowed"))
if any(v.source is Source.EXPERT and v.status is Status.STANDING for v in votes):
    st.caption(t("adj.rule_again"))

# One idempotency key per ruling: a double click submits it twice and records one ruling. The
# widgets are keyed by it too, so each new ruling starts with no verdict chosen.
key_name = f"adj_key_{battle_id}"
st.session_state.setdefault(key_name, uuid.uuid4().hex)
ruling_key = st.session_state[key_name]
with st.form(f"adjudicate_{battle_id}"):
    verdict = st.radio(
        t("adj.your_verdict"),
        list(Verdict),
        index=None,
        format_func=lambda v: verdict_label(v, lang),
        horizontal=True,
        key=f"adj_verdict_{ruling_key}",
    )
    rationale = st.text_area(t("vote.rationale"), max_chars=4000, key=f"adj_rationale_{ruling_key}")
    if not opened:
        open_first_notice(lang)
    submitted = st.form_submit_button(t("adj.submit"), type="primary", disabled=not opened)
if submitted:
    if verdict is None:
        st.error(t("adj.no_verdict"))
        st.stop()
    with shown_errors("adj.refused", field="reason") as ruling:
        record = adjudicate(
            engine,
            battle_id=battle_id,
            expert=ctx.username,
            verdict=verdict,
            left_response_id=view.response_a_id,  # the form shows the canonical order
            rationale=rationale,
            idempotency_key=ruling_key,
            settings=settings,
        )
    if ruling.failed:
        st.stop()
    del st.session_state[key_name]
    st.session_state["adj_flash"] = "adj.done" if record.created else "adj.duplicate"
    st.rerun()
