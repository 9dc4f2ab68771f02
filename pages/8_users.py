"""Users (admin): accounts, roles, dimension qualifications, progress, gold accuracy, audit log."""

import json
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.roles import ALL_ROLES, Role
from pipeline.people.users import (
    Issued,
    UserExistsError,
    audit_log,
    invite_user,
    progress_rows,
    reset_password,
    set_active,
    set_qualifications,
    set_roles,
    unlock_user,
)
from pipeline.workflow.campaigns import Campaign
from pipeline.workflow.progress import annotator_stats, stats_csv
from ui.auth import require_role
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.flash import flash
from ui.i18n import join_list, t
from ui.resources import get_engine

ctx = require_role(Role.ADMIN)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
now = datetime.now(UTC)
st.title(t("users.title"))

# A one-time password (new account or reset) is shown in the run after the action and then
# forgotten: it is popped from the session, never stored, and a rerun no longer shows it.
notice = st.session_state.pop("users_notice", None)
if notice is not None:
    st.success(notice)
issued: Issued | None = st.session_state.pop("users_issued", None)
if issued is not None:
    st.success(t("acct.one_time", username=inert_markdown(issued.user.username)))
    st.code(issued.password, language=None)

rows = progress_rows(engine)
st.dataframe(
    pd.DataFrame(
        [
            {
                t("users.username"): r.user.username,
                t("users.name"): r.user.name,
                t("users.roles"): join_list(t(f"role.{x}") for x in r.user.roles),
                t("users.qualifications"): join_list(Dimension(d).label(lang) for d in r.user.qualifications)
                or t("users.all_dimensions"),
                t("users.active"): r.user.active,
                t("users.votes"): r.progress.votes,
                t("users.open"): r.progress.open_assignments,
                # "—", not an empty cell: Streamlit writes an empty cell as "None"
                t("users.gold_accuracy"): "—" if r.gold.accuracy is None else round(100 * r.gold.accuracy, 1),
                t("users.gold_n"): r.gold.total,
                t("users.last_vote"): r.progress.last_vote_at or "—",
                t("acct.col_locked"): r.user.locked_until
                if r.user.locked(now) and r.user.locked_until
                else "—",
                t("acct.col_must_change"): r.user.must_change_password,
            }
            for r in rows
        ]
    ),
    hide_index=True,
)

st.subheader(t("progress.title"))
st.caption(t("progress.explain"))
stats = annotator_stats(engine, now=now)


def campaign_text(campaign: Campaign | None) -> str:
    if campaign is None:
        return t("progress.no_campaign")
    mix = join_list(f"{Dimension(d).label(lang)} {w:g}" for d, w in campaign.weights.items())
    return f"{campaign.release} · {mix}"


st.dataframe(
    pd.DataFrame(
        [
            {
                t("users.username"): s.user.username,
                t("users.name"): s.user.name,
                t("progress.col_campaign"): campaign_text(s.progress.campaign),
                t("progress.col_own"): s.progress.override,
                t("progress.today"): s.progress.today,
                t("progress.col_in_campaign"): s.progress.in_campaign,
                t("progress.remaining"): s.progress.remaining,
                t("users.votes"): s.overall.votes,
            }
            for s in stats
        ]
    ),
    hide_index=True,
)
st.download_button(
    t("progress.download"),
    data=stats_csv(stats).encode("utf-8"),
    file_name=f"annotators-{now:%Y%m%d-%H%M}.csv",
    mime="text/csv",
    key="progress_csv",
)

with st.form("add_user", clear_on_submit=True):
    st.subheader(t("users.add"))
    st.caption(t("acct.invite_help"))
    username = st.text_input(t("users.username"), max_chars=64)
    name = st.text_input(t("users.name"), max_chars=100)
    roles = st.multiselect(
        t("users.roles"), ALL_ROLES, default=[Role.ANNOTATOR], format_func=lambda r: t(f"role.{r}")
    )
    quals = st.multiselect(
        t("users.qualifications"),
        list(Dimension),
        format_func=lambda d: d.label(lang),
        placeholder=t("users.all_dimensions"),  # empty means every dimension
    )
    if st.form_submit_button(t("users.add")):
        try:
            st.session_state["users_issued"] = invite_user(
                engine,
                actor=ctx.username,
                username=username,
                name=name,
                roles=roles,
                qualifications=[d.value for d in quals],
            )
        except UserExistsError:
            st.error(t("users.exists"))
        except ValueError as exc:
            st.error(t("users.error", error=inert_markdown(str(exc))))
        else:
            st.rerun()

st.subheader(t("users.edit"))
others = [r.user for r in rows]
chosen = st.selectbox(t("users.username"), [u.username for u in others], key="edit_user")
user = next(u for u in others if u.username == chosen)
with st.form(f"edit_{user.username}"):
    new_roles = st.multiselect(
        t("users.roles"), ALL_ROLES, default=list(user.roles), format_func=lambda r: t(f"role.{r}")
    )
    new_quals = st.multiselect(
        t("users.qualifications"),
        list(Dimension),
        default=[Dimension(d) for d in user.qualifications],
        format_func=lambda d: d.label(lang),
        help=t("users.qualifications_help"),
        placeholder=t("users.all_dimensions"),
    )
    active = st.checkbox(t("users.active"), value=user.active, disabled=user.username == ctx.username)
    if st.form_submit_button(t("users.save")):
        with shown_errors("users.error", also=(ValueError,)) as edited:
            set_roles(engine, actor=ctx.username, username=user.username, roles=new_roles)
            set_qualifications(
                engine, actor=ctx.username, username=user.username, dimensions=[d.value for d in new_quals]
            )
            if active != user.active and user.username != ctx.username:
                set_active(engine, actor=ctx.username, username=user.username, active=active)
        if not edited.failed:
            flash(t("users.saved"))
            st.rerun()

st.markdown(f"**{t('acct.account')}**")
locked = (
    t("acct.locked_until", until=f"{user.locked_until:%Y-%m-%d %H:%M} UTC")
    if user.locked(now) and user.locked_until
    else t("acct.not_locked")
)
st.caption(
    t(
        "acct.status_line",
        failures=user.failed_logins,
        locked=locked,
        must_change=t("acct.yes") if user.must_change_password else t("acct.no"),
    )
)
cols = st.columns(2)
if cols[0].button(
    t("acct.unlock"), key=f"unlock_{user.username}", disabled=not (user.failed_logins or user.locked_until)
):
    unlock_user(engine, actor=ctx.username, username=user.username)
    st.session_state["users_notice"] = t("acct.unlocked", username=inert_markdown(user.username))
    st.rerun()
if user.username == ctx.username:
    cols[1].caption(t("acct.reset_self"))
elif cols[1].button(t("acct.reset"), key=f"reset_{user.username}"):
    st.session_state["users_issued"] = reset_password(engine, actor=ctx.username, username=user.username)
    st.rerun()

with st.expander(t("users.audit")):
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("users.audit_at"): e.at,
                    t("users.audit_actor"): e.actor,
                    t("users.audit_action"): e.action,
                    t("users.audit_detail"): json.dumps(e.detail, ensure_ascii=False),
                }
                for e in audit_log(engine)
            ]
        ),
        hide_index=True,
    )
