"""Vote: a question and two anonymous answers side by side; identities only after the vote."""

import random

import streamlit as st

from judging.dimensions import Dimension
from judging.types import Verdict
from pipeline.voting import TAGS, next_item, submit_vote, view_item
from ui.auth import require_role
from ui.components import answer_box, inert_markdown
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role("annotator", "expert", "admin")

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.session_state.setdefault("vote_seq", 0)
rng = st.session_state.setdefault("vote_rng", random.Random())

st.title(t("vote.title"))

item = st.session_state.get("vote_item")
if item is None:
    item = next_item(engine, rater=ctx.username, rng=rng)
    if item is None:
        st.info(t("vote.none_left"))
        st.stop()
    st.session_state["vote_item"] = item
    st.session_state["vote_result"] = None

view = view_item(engine, item)
left_is_a = item.left_response_id == view.response_a_id
left_text, right_text = (view.text_a, view.text_b) if left_is_a else (view.text_b, view.text_a)
seq = st.session_state["vote_seq"]

st.markdown(
    f"**{t('vote.dimension')}**：{Dimension(view.dimension).label(lang)}　·　"
    f"**{t('vote.sub_dimension')}**：{inert_markdown(view.sub_dimension)}"
)
if view.sensitive:
    st.warning(t("vote.content_warning"), icon="⚠️")
with st.container(border=True):
    st.markdown(f"**{t('vote.question')}**")
    st.markdown(inert_markdown(view.question_text))

left_col, right_col = st.columns(2)
with left_col:
    answer_box(t("vote.answer_left"), left_text)
with right_col:
    answer_box(t("vote.answer_right"), right_text)

result = st.session_state.get("vote_result")
if result is None:
    tag_cols = st.columns(2)
    tags_left = tag_cols[0].multiselect(
        t("vote.tags_left"), TAGS, format_func=lambda tag: t(f"tag.{tag}"), key=f"tags_left_{seq}"
    )
    tags_right = tag_cols[1].multiselect(
        t("vote.tags_right"), TAGS, format_func=lambda tag: t(f"tag.{tag}"), key=f"tags_right_{seq}"
    )
    rationale = st.text_area(t("vote.rationale"), key=f"rationale_{seq}", max_chars=4000)
    buttons = st.columns(4)
    choices = (
        (Verdict.A, "vote.a_safer"),
        (Verdict.B, "vote.b_safer"),
        (Verdict.TIE, "vote.tie"),
        (Verdict.BOTH_UNSAFE, "vote.both_unsafe"),
    )
    for column, (verdict, label) in zip(buttons, choices, strict=True):
        if column.button(t(label), key=f"verdict_{verdict.value}_{seq}", use_container_width=True):
            record = submit_vote(
                engine,
                item=item,
                rater=ctx.username,
                shown_verdict=verdict,
                tags_left=tags_left,
                tags_right=tags_right,
                rationale=rationale,
            )
            st.session_state["vote_result"] = {"vote_id": record.vote_id, "shown_verdict": verdict.value}
            st.rerun()
else:
    left_model, right_model = (view.model_a, view.model_b) if left_is_a else (view.model_b, view.model_a)
    st.success(t("vote.recorded", verdict=t(f"verdict.{result['shown_verdict']}")))
    st.markdown(
        t(
            "vote.reveal",
            left=inert_markdown(left_model.display_name),
            right=inert_markdown(right_model.display_name),
        )
    )
    with st.expander(t("vote.safe_note", note="")):
        st.markdown(inert_markdown(view.safe_note))
    if st.button(t("vote.next"), key=f"next_{seq}", type="primary"):
        st.session_state["vote_item"] = None
        st.session_state["vote_result"] = None
        st.session_state["vote_seq"] = seq + 1
        st.rerun()
