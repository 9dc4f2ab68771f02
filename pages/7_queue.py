"""Queue & gold (admin): the queue policy, overlap k, gold rate; mark or import gold items."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.roles import Role
from pipeline.people.users import all_users
from pipeline.workflow.adjudication import (
    AdjudicationSettings,
    load_adjudication_settings,
    save_adjudication_settings,
)
from pipeline.workflow.campaigns import (
    Campaign,
    campaign_releases,
    clear_campaign,
    load_campaigns,
    set_campaign,
)
from pipeline.workflow.gold import import_gold_pairs, labels, parse_gold_csv
from pipeline.workflow.queue import QueuePolicy, active_status, load_queue_config, save_queue_config
from ui.auth import require_role
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.i18n import join_list, t
from ui.public_board import public_board_setting
from ui.resources import get_engine
from ui.uploader import file_upload

ctx = require_role(Role.ADMIN)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("queue.title"))

config = load_queue_config(engine)
with st.form("queue_config"):
    policy = st.radio(
        t("queue.policy"),
        list(QueuePolicy),
        index=list(QueuePolicy).index(config.policy),
        format_func=lambda p: t(f"queue.policy.{p.value}"),
    )
    overlap_k = st.number_input(t("queue.overlap_k"), min_value=1, max_value=20, value=config.overlap_k)
    gold_rate = st.slider(t("queue.gold_rate"), 0.0, 0.5, float(config.gold_rate), 0.01)
    break_every = st.number_input(
        t("queue.break_every"), min_value=1, max_value=100, value=config.break_every
    )
    break_minutes = st.number_input(
        t("queue.break_minutes"), min_value=1, max_value=8 * 60, value=config.break_minutes
    )
    lease_minutes = st.number_input(
        t("queue.lease_minutes"),
        min_value=1,
        max_value=24 * 60,
        value=config.lease_minutes,
        help=t("queue.lease_minutes_help"),
    )
    calibration_share = st.slider(
        t("queue.calibration_share"),
        0.0,
        1.0,
        float(config.calibration_share),
        0.05,
        help=t("queue.calibration_share_help"),
    )
    # a radio with an index always holds an option
    if st.form_submit_button(t("queue.save"), type="primary") and policy is not None:
        save_queue_config(
            engine,
            replace(  # settings this form does not show keep their values
                config,
                policy=policy,
                overlap_k=int(overlap_k),
                gold_rate=float(gold_rate),
                break_every=int(break_every),
                break_minutes=int(break_minutes),
                lease_minutes=int(lease_minutes),
                calibration_share=float(calibration_share),
            ),
            actor=ctx.username,
        )
        st.success(t("queue.saved"))

if config.policy is QueuePolicy.ACTIVE:
    # where the active policy stands: once the slice's human ranking has settled it opens no new battles
    status = active_status(engine)
    st.caption(
        t(
            "queue.active_converged" if status.converged else "queue.active_running",
            votes=status.human_votes,
            short=status.neighbours_short,
        )
    )

st.subheader(t("camp.title"))
st.caption(t("camp.help"))
notice = st.session_state.pop("camp_notice", None)
if notice is not None:
    st.success(notice)
campaigns = load_campaigns(engine)
choices = {c.tag: c for c in campaign_releases(engine)}


def mix_text(campaign: Campaign) -> str:
    return join_list(f"{Dimension(d).label(lang)} {w:g}" for d, w in campaign.weights.items())


def scope_text(username: str | None) -> str:
    return t("camp.everyone") if username is None else username


in_force = ([(None, campaigns.everyone)] if campaigns.everyone else []) + sorted(campaigns.per_user.items())
if not in_force:
    st.caption(t("camp.none"))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("camp.col_scope"): scope_text(who),
                    t("camp.col_release"): c.release,
                    t("camp.col_weights"): mix_text(c),
                    t("camp.col_started"): c.started_at,
                }
                for who, c in in_force
            ]
        ),
        hide_index=True,
    )
    for _who, c in in_force:
        choice = choices.get(c.release)
        if choice is not None and choice.successor is not None:
            st.warning(
                t(
                    "camp.now_retired",
                    tag=inert_markdown(c.release),
                    successor=inert_markdown(choice.successor),
                )
            )

scope = st.selectbox(
    t("camp.scope"),
    [None, *(u.username for u in all_users(engine))],
    format_func=scope_text,
    key="camp_scope",
)
current = campaigns.everyone if scope is None else campaigns.per_user.get(scope)
suffix = "" if scope is None else scope  # widgets keyed per scope show that scope's campaign
tags = list(choices)
published = [tag for tag in tags if choices[tag].state == "published"] or tags
with st.form(f"campaign:{suffix}"):
    release = st.selectbox(
        t("camp.release"),
        tags,
        index=tags.index(current.release if current and current.release in tags else published[0])
        if tags
        else None,
        format_func=lambda tag: t(
            f"camp.release_state.{choices[tag].state}", tag=tag, successor=choices[tag].successor or ""
        ),
        key=f"camp_release:{suffix}",
    )
    st.markdown(t("camp.weights"))
    weight_cols = st.columns(len(Dimension))
    weights = {
        d.value: weight_cols[i].number_input(
            d.label(lang),
            min_value=0.0,
            max_value=1000.0,
            value=float(current.weights.get(d.value, 0.0)) if current else 1.0,
            step=1.0,
            key=f"camp_weight_{d.value}:{suffix}",
        )
        for i, d in enumerate(Dimension)
    }
    save_clicked = st.form_submit_button(t("camp.save"), type="primary")
    clear_clicked = st.form_submit_button(t("camp.clear"), disabled=current is None)
if save_clicked:
    with shown_errors("camp.refused") as campaign_set:
        set_campaign(engine, Campaign(str(release or ""), weights), actor=ctx.username, username=scope)
    if not campaign_set.failed:
        st.session_state["camp_notice"] = t(
            "camp.saved", scope=inert_markdown(scope_text(scope)), release=inert_markdown(str(release))
        )
        st.rerun()
if clear_clicked:
    clear_campaign(engine, actor=ctx.username, username=scope)
    st.session_state["camp_notice"] = t("camp.cleared", scope=inert_markdown(scope_text(scope)))
    st.rerun()

st.subheader(t("adj.setting.title"))
adjudication = load_adjudication_settings(engine)
with st.form("adjudication_settings"):
    allow_self = st.checkbox(
        t("adj.setting.allow_self"),
        value=adjudication.allow_self_adjudication,
        help=t("adj.setting.allow_self_help"),
        key="adj_allow_self",
    )
    if st.form_submit_button(t("queue.save")):
        save_adjudication_settings(
            engine, AdjudicationSettings(allow_self_adjudication=allow_self), actor=ctx.username
        )
        st.success(t("queue.saved"))

public_board_setting(ctx.username)

st.subheader(t("gold.title"))
gold = labels(engine)
st.caption(t("gold.count", n=len(gold)))

st.caption(t("gold.mark_where"))  # marked from the battle view (adjudication, calibration)

with st.form("gold_import"):
    st.markdown(f"**{t('gold.import')}**")
    st.caption(t("gold.import_help"))
    upload = file_upload(t("gold.file"), types=["csv"], key="gold_file")
    dimension = st.selectbox(t("vote.dimension"), list(Dimension), format_func=lambda d: d.label(lang))
    if st.form_submit_button(t("gold.import")) and upload is not None and dimension is not None:
        with shown_errors("gold.import_failed") as gold_imported:
            pairs = parse_gold_csv(upload.getvalue(), name=upload.name, default_dimension=dimension)
            n = import_gold_pairs(engine, pairs, actor=ctx.username)
        if not gold_imported.failed:
            st.success(t("gold.imported", n=n))
