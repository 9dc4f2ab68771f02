"""Verification queue (expert, admin): approve, edit or reject generated candidate questions with a
reason. Approved questions join the current draft release with a link back to their event. The
queue is served oldest first, counted per dimension against the release's target mix; candidates
not verified in time go stale (an admin can put them back)."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from judging.content import ContentCategory, collapses
from judging.dimensions import Dimension
from judging.roles import REVIEWER_ROLES, Role
from pipeline.bank.events import CandidateStatus, event_candidates
from pipeline.bank.releases import open_drafts
from pipeline.bank.verification import (
    Decision,
    approvals_of,
    mark_stale_candidates,
    proposed_categories,
    requeue_candidate,
    review_candidate,
    review_queue,
    stale_candidates,
)
from pipeline.bank.verification_config import (
    MAX_REQUIRED_APPROVALS,
    MAX_STALE_DAYS,
    ReleaseTarget,
    VerificationConfig,
    draft_progress,
    load_release_target,
    load_verification_config,
    save_release_target,
    save_verification_config,
)
from ui.auth import require_role
from ui.care import answers_behind_toggles, content_warnings, open_first_notice
from ui.components import answer_box, inert_markdown
from ui.errors import shown_errors
from ui.formatting import review_lines
from ui.i18n import join_list, t
from ui.resources import get_engine

ctx = require_role(*REVIEWER_ROLES)


engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("ev.verify_title"))
st.caption(t("ev.verify_explain"))

flash = st.session_state.pop("ev_verify_flash", None)
if flash:
    st.success(flash)

config = load_verification_config(engine)
if "admin" in ctx.roles:
    with st.expander(t("ev.rule")), st.form("ev_rule"):
        required = st.number_input(
            t("ev.required"), 1, MAX_REQUIRED_APPROVALS, config.required_approvals, key="ev_required"
        )
        stale_days = st.number_input(
            t("evv.stale_days"), 1, MAX_STALE_DAYS, config.stale_after_days, key="ev_stale_days"
        )
        if st.form_submit_button(t("queue.save")):
            config = VerificationConfig(required_approvals=int(required), stale_after_days=int(stale_days))
            save_verification_config(engine, config, actor=ctx.username)
            st.success(t("queue.saved"))
st.caption(
    t("ev.rule_now", n=config.required_approvals) + " " + t("evv.rule_now", days=config.stale_after_days)
)
went_stale = mark_stale_candidates(engine, config=config)
if went_stale:
    st.info(t("evv.went_stale", n=len(went_stale), days=config.stale_after_days))

drafts = [d.tag for d in open_drafts(engine)]
target: str | None = None
if len(drafts) > 1:
    target = st.selectbox(t("ev.target"), drafts, index=len(drafts) - 1, key="ev_target")
elif drafts:
    st.caption(t("ev.target_one", tag=inert_markdown(drafts[0])))
else:
    st.caption(t("ev.target_new"))

target_mix = load_release_target(engine)
if "admin" in ctx.roles:
    with st.expander(t("evv.target_form")), st.form("ev_target_mix"):
        counts = {
            d: st.number_input(
                d.label(lang), 0, 10_000, target_mix.new_per_dimension[d], key=f"ev_mix_{d.value}"
            )
            for d in Dimension
        }
        min_anchors = st.number_input(
            t("evv.min_anchors"), 0, 10_000, target_mix.min_anchors_per_dimension, key="ev_min_anchors"
        )
        if st.form_submit_button(t("queue.save")):
            target_mix = ReleaseTarget({d: int(n) for d, n in counts.items()}, int(min_anchors))
            save_release_target(engine, target_mix, actor=ctx.username)
            st.success(t("evv.target_saved"))
shown_draft = target or (drafts[0] if len(drafts) == 1 else None)
progress = draft_progress(engine, shown_draft, target_mix)
st.subheader(t("evv.mix", draft=inert_markdown(shown_draft)) if shown_draft else t("evv.mix_none"))
st.dataframe(
    pd.DataFrame(
        [
            {
                t("vote.dimension"): d.dimension.label(lang),
                t("evv.target"): d.target,
                t("evv.verified"): d.verified,
                t("evv.anchors"): d.anchors,
                t("evv.waiting"): d.pending,
                t("evv.missing"): d.missing,
            }
            for d in progress.dimensions
        ]
    ),
    hide_index=True,
    key="ev_mix",
)

queue = review_queue(engine, reviewer=ctx.username)
now = datetime.now(UTC)
if not queue:
    st.info(t("ev.queue_empty"))
else:
    by_id = {c.id: c for c in queue}
    chosen = st.selectbox(
        t("ev.queue", n=len(queue)),
        list(by_id),
        format_func=lambda i: f"#{i} · {Dimension(by_id[i].dimension).label(lang)} · {by_id[i].event_title}",
        key="ev_candidate",
    )
    candidate = by_id[chosen]
    st.markdown(
        f"**{t('ev.event')}**: {inert_markdown(candidate.event_title)} · "
        f"**{t('vote.dimension')}**: {Dimension(candidate.dimension).label(lang)}"
    )
    queued = candidate.queued_at or candidate.created_at
    age = (now - queued).days
    st.caption(t("evv.queued", days=age, left=max(0, config.stale_after_days - age)))
    # The lexicon's proposal: its warnings now, the verifier confirms or edits it in the form.
    # A self-harm candidate's reference answer stays collapsed until opened (ui/care.py).
    proposed = proposed_categories(candidate)
    content_warnings(proposed, lang)
    answer_box(t("ev.question"), candidate.text)
    opened = answers_behind_toggles(
        [(t("ev.note"), candidate.reference_note)],
        lang,
        collapsed=collapses(proposed),
        key=f"ev_note_{candidate.id}",
        show=answer_box,
    )
    if candidate.edited:
        st.caption(t("ev.generated_text") + ": " + inert_markdown(candidate.generated_text))
    approvers = approvals_of(candidate)
    st.caption(
        t(
            "ev.approvals_now",
            n=len(approvers),
            required=config.required_approvals,
            names=inert_markdown(join_list(approvers)) or "—",
        )
    )
    if candidate.reviews:  # what the reviewers before chose, the categories included
        st.caption(t("ev.reviews_so_far", reviews=inert_markdown(review_lines(candidate.reviews))))
    with st.form("ev_review"):
        decision = st.radio(
            t("ev.decision"),
            list(Decision),
            format_func=lambda d: t(f"ev.decision.{d.value}"),
            horizontal=True,
            key="ev_decision",
        )
        edited = st.text_area(t("ev.edited_text"), value=candidate.text, key=f"ev_edit_{candidate.id}")
        reason = st.text_input(t("ev.reason"), help=t("ev.reason_help"), key=f"ev_reason_{candidate.id}")
        picked = st.multiselect(
            t("ev.categories"),
            list(ContentCategory),
            default=list(proposed),
            format_func=lambda c: t(c.label_key),
            key=f"ev_categories_{candidate.id}",
            placeholder=t("qb.categories_none"),
        )
        if not opened:
            open_first_notice(lang)
        # a radio without index=None always holds a decision
        submit = st.form_submit_button(t("ev.submit"), type="primary", disabled=not opened)
        if submit and decision is not None:
            with shown_errors("ev.invalid") as reviewed:
                outcome = review_candidate(
                    engine,
                    candidate.id,
                    reviewer=ctx.username,
                    decision=decision,
                    reason=reason,
                    edited_text=edited if decision is Decision.EDIT else None,
                    release=target,
                    config=config,
                    categories=[c.value for c in picked],
                )
            if not reviewed.failed:
                st.session_state["ev_verify_flash"] = t(
                    f"ev.outcome.{outcome.status.value}",
                    n=len(outcome.approvals),
                    required=outcome.required,
                    release=inert_markdown(outcome.release or ""),
                )
                st.rerun()

stale = stale_candidates(engine)
if stale:
    with st.expander(t("evv.stale", n=len(stale))):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "id": c.id,
                        t("ev.event"): c.event_title,
                        t("vote.dimension"): Dimension(c.dimension).label(lang),
                        t("ev.question"): c.text,
                        t("ev.approvals"): len(approvals_of(c)),
                    }
                    for c in stale
                ]
            ),
            hide_index=True,
            key="ev_stale",
        )
        if Role.ADMIN in ctx.roles:
            with st.form("ev_requeue"):
                back = st.selectbox(t("evv.requeue"), [c.id for c in stale], key="ev_requeue_id")
                if st.form_submit_button(t("evv.requeue")):
                    with shown_errors("ev.invalid", also=(LookupError,)) as requeued:
                        requeue_candidate(engine, int(back), actor=ctx.username)
                    if not requeued.failed:
                        st.session_state["ev_verify_flash"] = t("evv.requeued", id=back)
                        st.rerun()

st.subheader(t("ev.recent"))
decided = event_candidates(engine, statuses=[CandidateStatus.APPROVED, CandidateStatus.REJECTED])
decided = sorted(decided, key=lambda c: c.decided_at or c.created_at, reverse=True)[:50]
if not decided:
    st.caption(t("ev.none_decided"))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": c.id,
                    t("ev.event"): c.event_title,
                    t("vote.dimension"): Dimension(c.dimension).label(lang),
                    t("ev.status"): t(f"ev.status.{c.status}"),
                    t("ev.question"): c.text,
                    t("ev.reviewers"): review_lines(c.reviews),
                }
                for c in decided
            ]
        ),
        hide_index=True,
        key="ev_decided",
    )
