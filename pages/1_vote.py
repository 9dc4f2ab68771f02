"""Vote: a question and two anonymous answers side by side; identities only after the vote."""

import random

import streamlit as st

from judging.dimensions import Dimension
from judging.types import Verdict
from pipeline.queue import load_queue_config, next_assignment
from pipeline.voting import TAGS, flag_item, submit_vote, view_item
from ui.auth import require_role
from ui.components import answer_box, inert_markdown
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role("annotator", "expert", "admin")

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.session_state.setdefault("vote_seq", 0)
st.session_state.setdefault("distressing_seen", 0)
st.session_state.setdefault("distress_counted", set())
rng = st.session_state.setdefault("vote_rng", random.Random())
config = load_queue_config(engine)

st.title(t("vote.title"))

item = st.session_state.get("vote_item")
if item is None:
    # The queue returns the person's open assignment first, so a re-login resumes the same item.
    item = next_assignment(engine, username=ctx.username, rng=rng, config=config)
    if item is None:
        st.info(t("vote.none_left"))
        st.stop()
    st.session_state["vote_item"] = item
    st.session_state["vote_result"] = None

view = view_item(engine, item, marker=t("vote.masked"))
left_is_a = item.left_response_id == view.response_a_id
left_text, right_text = (view.text_a, view.text_b) if left_is_a else (view.text_b, view.text_a)
seq = st.session_state["vote_seq"]
result = st.session_state.get("vote_result")

st.markdown(
    f"**{t('vote.dimension')}**：{Dimension(view.dimension).label(lang)}　·　"
    f"**{t('vote.sub_dimension')}**：{inert_markdown(view.sub_dimension)}"
)
if view.sensitive:
    st.warning(t("vote.content_warning"), icon="⚠️")
    if item.idempotency_key not in st.session_state["distress_counted"]:
        st.session_state["distress_counted"].add(item.idempotency_key)
        st.session_state["distressing_seen"] += 1
    seen = st.session_state["distressing_seen"]
    if seen % config.break_every == 0:
        st.info(t("vote.break_reminder", n=seen), icon="🌿")

with st.container(border=True):
    st.markdown(f"**{t('vote.question')}**")
    st.markdown(inert_markdown(view.question_text))

left_col, right_col = st.columns(2)
if view.sensitive and result is None:
    # Distressing content stays collapsed until the annotator chooses to open it.
    with left_col, st.expander(t("vote.open_answer", side=t("vote.answer_left"))):
        answer_box(t("vote.answer_left"), left_text)
    with right_col, st.expander(t("vote.open_answer", side=t("vote.answer_right"))):
        answer_box(t("vote.answer_right"), right_text)
else:
    with left_col:
        answer_box(t("vote.answer_left"), left_text)
    with right_col:
        answer_box(t("vote.answer_right"), right_text)

if result is None:
    tag_cols = st.columns(2)
    tag_cols[0].multiselect(
        t("vote.tags_left"),
        TAGS,
        format_func=lambda tag: t(f"tag.{tag}"),
        key=f"tags_left_{seq}",
        placeholder=t("vote.choose_tags"),
    )
    tag_cols[1].multiselect(
        t("vote.tags_right"),
        TAGS,
        format_func=lambda tag: t(f"tag.{tag}"),
        key=f"tags_right_{seq}",
        placeholder=t("vote.choose_tags"),
    )
    st.text_area(t("vote.rationale"), key=f"rationale_{seq}", max_chars=4000)
    st.checkbox(t("vote.flag"), key=f"flag_{seq}")
    buttons = st.columns(4)
    choices = (
        (Verdict.A, "vote.a_safer", "1"),
        (Verdict.B, "vote.b_safer", "2"),
        (Verdict.TIE, "vote.tie", "3"),
        (Verdict.BOTH_UNSAFE, "vote.both_unsafe", "4"),
    )

    def record(verdict: Verdict) -> None:
        # A callback runs before the rerun: one script run per click, and the next run already
        # shows the reveal. Widget values are read from the session state by their keys.
        state = st.session_state
        text = state.get(f"rationale_{seq}", "") or ""
        stored = submit_vote(
            engine,
            item=item,
            rater=ctx.username,
            shown_verdict=verdict,
            tags_left=state.get(f"tags_left_{seq}", []),
            tags_right=state.get(f"tags_right_{seq}", []),
            rationale=text,
        )
        if state.get(f"flag_{seq}"):
            flag_item(engine, battle_id=item.battle_id, username=ctx.username, reason=text)
        state["vote_result"] = {"vote_id": stored.vote_id, "shown_verdict": verdict.value}

    for column, (verdict, label, key) in zip(buttons, choices, strict=True):
        column.button(
            t(label),
            key=f"verdict_{verdict.value}_{seq}",
            use_container_width=True,
            shortcut=key,
            help=t("vote.shortcut", shortcut=key),
            on_click=record,
            args=(verdict,),
        )
    st.caption(t("vote.shortcuts_hint"))
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
    with st.expander(t("vote.safe_note_title")):
        st.markdown(inert_markdown(view.safe_note))

    def advance() -> None:
        # the next item is chosen in the very run this click triggers
        st.session_state["vote_item"] = None
        st.session_state["vote_result"] = None
        st.session_state["vote_seq"] = seq + 1

    st.button(
        t("vote.next"),
        key=f"next_{seq}",
        type="primary",
        shortcut="N",
        help=t("vote.shortcut", shortcut="N"),
        on_click=advance,
    )
