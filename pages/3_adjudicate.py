"""Adjudication (experts): disagreements and flags, all votes side by side, a final verdict."""

import uuid

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.types import Verdict
from pipeline.adjudication import adjudicate, adjudication_queue, final_label_of, votes_of
from pipeline.voting import masked_view
from ui.auth import require_role
from ui.components import answer_box, inert_markdown
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role("expert", "admin")

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("adj.title"))
st.caption(t("adj.explain"))

cases = adjudication_queue(engine)
if not cases:
    st.info(t("adj.none"))
    st.stop()

labels = {
    c.battle_id: f"#{c.battle_id} · {Dimension(c.dimension).label(lang)} · "
    + "、".join(t(f"adj.reason.{r.value}") for r in c.reasons)
    for c in cases
}
battle_id = st.selectbox(t("adj.case"), list(labels), format_func=lambda b: labels[b], key="adj_case")
case = next(c for c in cases if c.battle_id == battle_id)
view = masked_view(engine, battle_id, marker=t("vote.masked"))

st.markdown(
    f"**{t('vote.dimension')}**：{Dimension(view.dimension).label(lang)}　·　"
    f"**{t('vote.sub_dimension')}**：{inert_markdown(view.sub_dimension)}"
)
if view.sensitive:
    st.warning(t("vote.content_warning"), icon="⚠️")
with st.container(border=True):
    st.markdown(f"**{t('vote.question')}**")
    st.markdown(inert_markdown(view.question_text))
    st.caption(t("vote.safe_note_title") + "：" + view.safe_note)
cols = st.columns(2)
with cols[0]:
    answer_box(t("vote.answer_left"), view.text_a)
with cols[1]:
    answer_box(t("vote.answer_right"), view.text_b)

st.subheader(t("adj.votes"))
votes = votes_of(engine, battle_id)
st.dataframe(
    pd.DataFrame(
        [
            {
                t("adj.source"): t(f"source.{v.source.value}"),
                t("adj.rater"): v.rater,
                t("adj.verdict"): t(f"verdict.{v.verdict.value}"),
                t("adj.tags_a"): "、".join(t(f"tag.{x}") for x in v.tags_a),
                t("adj.tags_b"): "、".join(t(f"tag.{x}") for x in v.tags_b),
                t("adj.rationale"): v.rationale,
            }
            for v in votes
        ]
    ),
    hide_index=True,
)
if case.flags:
    st.markdown(f"**{t('adj.flags')}**")
    for reason in case.flags:
        st.markdown("- " + inert_markdown(reason))

current = final_label_of(engine, battle_id)
if current.verdict is not None:
    st.caption(
        t("adj.current", verdict=t(f"verdict.{current.verdict.value}"), source=t(f"source.{current.source}"))
    )

key_name = f"adj_key_{battle_id}"
st.session_state.setdefault(key_name, uuid.uuid4().hex)
with st.form(f"adjudicate_{battle_id}"):
    verdict = st.radio(
        t("adj.your_verdict"),
        list(Verdict),
        format_func=lambda v: t(f"verdict.{v.value}"),
        horizontal=True,
    )
    rationale = st.text_area(t("vote.rationale"), max_chars=4000)
    if st.form_submit_button(t("adj.submit"), type="primary"):
        adjudicate(
            engine,
            battle_id=battle_id,
            expert=ctx.username,
            verdict=verdict,
            left_response_id=view.response_a_id,
            rationale=rationale,
            idempotency_key=st.session_state[key_name],
        )
        del st.session_state[key_name]
        st.success(t("adj.done"))
        st.rerun()
