"""Vote: a question and two anonymous answers side by side; identities only after the vote.

After the vote: the reveal, Next, and an undo of that vote (pipeline.workflow.voting's ledger rules: your
own latest vote, within 10 minutes). Before it: a skip with an optional reason. A click that
lands on a new item's vote buttons right after Next, Skip or Undo put it on screen is ignored."""

import random
import time
from dataclasses import dataclass

import streamlit as st

from judging.content import collapses
from judging.roles import ALL_ROLES
from judging.types import Verdict
from pipeline.workflow.guidelines import ReadingState, confirm_read, reading_for
from pipeline.workflow.progress import person_progress
from pipeline.workflow.queue import load_queue_config, next_assignment
from pipeline.workflow.voting import (
    SKIP_REASONS,
    TAGS,
    UNDO_WINDOW,
    LedgerError,
    UnknownTagError,
    VoteItem,
    VoteNotSavedError,
    flag_item,
    last_undoable_vote,
    retract_vote,
    skip_item,
    submit_vote,
    view_item,
)
from ui.auth import require_role
from ui.care import break_reminder, content_warnings, open_first_notice
from ui.components import answer_pair, battle_heading, inert_markdown, question_box
from ui.i18n import join_list, t
from ui.resources import get_engine

ctx = require_role(*ALL_ROLES)

# The second click of an impatient double click on Next (or Skip, or Undo) arrives a few hundred
# milliseconds after the new item is on screen; nobody has read two answers that fast.
CLICK_GUARD_SECONDS = 0.8
# Every row of actions uses these columns: the vote buttons (and Skip, a row lower) in the four left
# lanes, a spacer, and the right lane, which holds only Next and which nothing uses before the vote.
# So a second click where Next was never lands on the next item's buttons, however long the answers
# are. (On a phone the columns stack; the time guard above still holds there.)
LANES = (1, 1, 1, 1, 0.4, 1.4)
UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)


@dataclass(frozen=True)
class Notice:
    """A one-off message shown above the next row of actions."""

    key: str
    level: str = "info"  # info | success | warning
    reason: str = ""


def show_notice() -> None:
    notice = st.session_state.pop("vote_notice", None)
    if notice is None:
        return
    # unused fields are ignored; the reason is an error message, which may echo input
    text = t(notice.key, minutes=UNDO_MINUTES, reason=inert_markdown(notice.reason))
    {"success": st.success, "warning": st.warning}.get(notice.level, st.info)(text)


def clicked_too_soon() -> bool:
    """A click less than CLICK_GUARD_SECONDS after an in-page action (Next, Skip, Undo) changed the
    screen: counted from that click until the new item is painted, then from the painting."""
    painted = st.session_state.get("vote_painted_at")
    return painted is not None and time.monotonic() - painted < CLICK_GUARD_SECONDS


def move_on(notice: Notice | None = None) -> None:
    # The next item is chosen in the very run this click triggers. The guard holds from this
    # moment: while the browser swaps the page, the old page's buttons shift under the pointer too.
    state = st.session_state
    state["vote_item"] = None
    state["vote_result"] = None
    state["vote_seq"] += 1
    state["vote_painted_at"] = time.monotonic()
    state["vote_armed"] = True
    state["vote_notice"] = notice


engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.session_state.setdefault("vote_seq", 0)
st.session_state.setdefault("vote_reopened", set())  # battle ids whose models this person has seen
rng = st.session_state.setdefault("vote_rng", random.Random())
config = load_queue_config(engine)

st.title(t("vote.title"))
st.page_link("pages/12_guidelines.py", label=t("guide.link"), icon="📖")

reading = reading_for(engine, username=ctx.username)
if reading.state is ReadingState.MUST_READ and st.session_state.get("vote_item") is None:
    # Before a first vote: the guidelines, and no item is handed out until they are confirmed.
    st.info(t("guide.must_read"))
    with st.container(border=True):
        st.markdown(reading.guidelines.text(lang))  # rendering: trusted (written by us or an admin)

    def confirm_guidelines() -> None:
        confirm_read(engine, username=ctx.username, guidelines=reading.guidelines)
        # the first item is painted where this button was: the click guard holds from here
        move_on(Notice("guide.confirmed", "success"))

    st.button(t("guide.confirm"), type="primary", on_click=confirm_guidelines, key="guide_confirm")
    st.stop()
if reading.state is ReadingState.CHANGED:
    st.info(t("guide.changed", number=reading.guidelines.number), icon="📖")

progress = person_progress(engine, username=ctx.username, remaining=False)  # indexed counts only


@st.cache_data(ttl=120, show_spinner=False)
def _remaining(url: str, username: str) -> tuple[int | None, int]:
    # What the campaign still needs scans the slice's battles: recounted at most every two
    # minutes; in between, each of the person's own votes (or undos) moves it by one.
    fresh = person_progress(get_engine(), username=username)
    return fresh.remaining, fresh.in_campaign


counted, done_then = _remaining(engine.url.render_as_string(hide_password=True), ctx.username)
remaining = None if counted is None else max(0, counted - (progress.in_campaign - done_then))
done_label = (
    t("progress.all_time")
    if progress.campaign is None
    else t("progress.in_campaign", release=inert_markdown(progress.campaign.release))
)
today_col, campaign_col, remaining_col = st.columns(3)
today_col.metric(t("progress.today"), progress.today)
campaign_col.metric(done_label, progress.in_campaign)
remaining_col.metric(t("progress.remaining"), remaining, help=t("progress.remaining_help"))

item = st.session_state.get("vote_item")
if item is None:
    # The queue returns the person's open assignment first, so a re-login resumes the same item,
    # and an undone vote's item comes back (with a fresh idempotency key for the re-vote).
    item = next_assignment(engine, username=ctx.username, rng=rng, config=config)
    if not st.session_state.get("vote_armed"):
        # Only an in-page click (Next, Skip, Undo) can leave the pointer over where this item's
        # vote buttons appear; opening the page cannot.
        st.session_state["vote_painted_at"] = None
    if item is None:
        st.session_state.pop("vote_armed", None)
        show_notice()
        st.info(t("vote.none_left"))
        st.stop()
    st.session_state["vote_item"] = item
    st.session_state["vote_result"] = None

view = view_item(engine, item, marker=t("vote.masked"))
left_is_a = item.left_response_id == view.response_a_id
left_text, right_text = (view.text_a, view.text_b) if left_is_a else (view.text_b, view.text_a)
seq = st.session_state["vote_seq"]
result = st.session_state.get("vote_result")

battle_heading(view, lang)
if result is None and view.battle_id in st.session_state["vote_reopened"]:
    # the identities were revealed before the undo; say so, without naming them again
    st.info(t("vote.identities_seen"), icon="👁️")
content_warnings(view.categories, lang)
break_reminder(
    item=view.battle_id,
    categories=view.categories,
    every=config.break_every,
    minutes=config.break_minutes,
    lang=lang,
)

question_box(view, lang, safe_note=False)  # the safe note is shown after the vote
# Self-harm answers stay collapsed until the annotator opens them, and stay as they were left
# after the vote (the switches are keyed by this item's seq). A verdict waits until both were opened.
answers_key = f"vote_answers_{seq}"
opened = answer_pair(
    (t("vote.answer_left"), left_text),
    (t("vote.answer_right"), right_text),
    lang,
    collapsed=collapses(view.categories),
    key=answers_key,
)

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
    show_notice()
    if not opened:
        open_first_notice(lang)
    lanes = st.columns(LANES)
    choices = (
        (Verdict.A, "vote.a_safer", "1"),
        (Verdict.B, "vote.b_safer", "2"),
        (Verdict.TIE, "vote.tie", "3"),
        (Verdict.BOTH_UNSAFE, "vote.both_unsafe", "4"),
    )

    def record(item: VoteItem, verdict: Verdict) -> None:
        # A callback runs before the rerun: one script run per click, and the next run already
        # shows the reveal. Widget values are read from the session state by their keys. The item
        # is the one the button was drawn for.
        state = st.session_state
        if clicked_too_soon():
            state["vote_notice"] = Notice("vote.too_fast")
            return
        if collapses(view.categories) and len(state.get(f"{answers_key}_opened", ())) < 2:
            state["vote_notice"] = Notice("care.not_opened", "warning")  # a shortcut key, a stale page
            return
        text = state.get(f"rationale_{seq}", "") or ""
        try:
            stored = submit_vote(
                engine,
                item=item,
                rater=ctx.username,
                shown_verdict=verdict,
                tags_left=state.get(f"tags_left_{seq}", []),
                tags_right=state.get(f"tags_right_{seq}", []),
                rationale=text,
            )
        except UnknownTagError as err:
            # a tag this page offered that the pipeline no longer accepts: nothing was stored, and
            # the person stays on the item with their choices
            state["vote_notice"] = Notice("vote.tags_refused", "warning", join_list(err.tags))
            return
        except VoteNotSavedError:
            # the database stayed busy (a bulk job holding the write lock): nothing was stored, the
            # person stays on the item with their choices and can submit again
            state["vote_notice"] = Notice("vote.not_saved", "warning")
            return
        if state.get(f"flag_{seq}"):
            flag_item(engine, battle_id=item.battle_id, username=ctx.username, reason=text)
        state["vote_result"] = {"vote_id": stored.vote_id, "shown_verdict": verdict.value}

    def skip(item: VoteItem) -> None:
        state = st.session_state
        if clicked_too_soon():
            state["vote_notice"] = Notice("vote.too_fast")
            return
        skip_item(engine, item=item, username=ctx.username, reason=state.get(f"skip_reason_{seq}", ""))
        move_on(Notice("vote.skipped", "success"))

    for column, (verdict, label, key) in zip(lanes[:4], choices, strict=True):
        column.button(
            t(label),
            key=f"verdict_{verdict.value}_{seq}",
            use_container_width=True,
            shortcut=key,
            help=t("vote.shortcut", shortcut=key),
            disabled=not opened,
            on_click=record,
            args=(item, verdict),
        )
    st.caption(t("vote.shortcuts_hint"))
    # Skip sits in the vote lanes, not the right one: the second click of a double click on Next
    # must find nothing to press there either.
    skip_row = st.columns(LANES, vertical_alignment="bottom")
    skip_row[0].selectbox(
        t("vote.skip_reason"),
        ("", *SKIP_REASONS),
        format_func=lambda reason: t(f"vote.skip_reason.{reason or 'none'}"),
        key=f"skip_reason_{seq}",
    )
    skip_row[1].button(
        t("vote.skip"),
        key=f"skip_{seq}",
        use_container_width=True,
        help=t("vote.skip_help"),
        on_click=skip,
        args=(item,),
    )
    if st.session_state.pop("vote_armed", False):
        # The guard counts from when this run sent the buttons (server time; time.monotonic is
        # never set back), not from when the item was chosen: on a slow run that can be long before.
        st.session_state["vote_painted_at"] = time.monotonic()
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

    def undo(vote_id: int) -> None:
        # The vote on screen, not "whatever is newest": if this person has voted since (another
        # tab), the ledger refuses instead of undoing a vote they are not looking at.
        state = st.session_state
        if clicked_too_soon():
            state["vote_notice"] = Notice("vote.too_fast")
            return
        try:
            undone = retract_vote(engine, vote_id=vote_id, actor=ctx.username, lease=config.lease)
        except LedgerError as err:
            state["vote_notice"] = Notice("vote.undo_refused", "warning", str(err))
            return
        state["vote_reopened"].add(undone.battle_id)
        move_on(Notice("vote.undone", "success"))

    show_notice()
    # Undo sits high in the left lanes: not in Next's lane (a double click on Next must not undo
    # the vote), and well above where the vote buttons were (a double click on a vote neither).
    if last_undoable_vote(engine, rater=ctx.username) == result["vote_id"]:
        st.columns(LANES)[0].button(
            t("vote.undo"),
            key=f"undo_{seq}",
            use_container_width=True,
            help=t("vote.undo_help", minutes=UNDO_MINUTES),
            on_click=undo,
            args=(result["vote_id"],),
        )
    with st.expander(t("vote.safe_note_title")):
        st.markdown(inert_markdown(view.safe_note))
    st.columns(LANES)[-1].button(
        t("vote.next"),
        key=f"next_{seq}",
        type="primary",
        use_container_width=True,
        shortcut="N",
        help=t("vote.shortcut", shortcut="N"),
        on_click=move_on,
    )
