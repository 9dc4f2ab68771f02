"""Queue & gold (admin): the queue policy, overlap k, gold rate; mark or import gold items."""

from dataclasses import replace

import streamlit as st

from judging.dimensions import Dimension
from judging.types import Verdict
from pipeline.adjudication import AdjudicationSettings, load_adjudication_settings, save_adjudication_settings
from pipeline.gold import GoldImportError, import_gold_pairs, labels, mark_gold, parse_gold_csv
from pipeline.queue import QueuePolicy, load_queue_config, save_queue_config
from ui.auth import require_role
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role("admin")

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
    if st.form_submit_button(t("queue.save"), type="primary"):
        save_queue_config(
            engine,
            replace(  # settings this form does not show keep their values
                config,
                policy=policy,
                overlap_k=int(overlap_k),
                gold_rate=float(gold_rate),
                break_every=int(break_every),
                lease_minutes=int(lease_minutes),
                calibration_share=float(calibration_share),
            ),
            actor=ctx.username,
        )
        st.success(t("queue.saved"))

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

st.subheader(t("gold.title"))
gold = labels(engine)
st.caption(t("gold.count", n=len(gold)))

with st.form("gold_mark"):
    st.markdown(f"**{t('gold.mark')}**")
    battle_id = st.number_input(t("gold.battle_id"), min_value=1, step=1)
    verdict = st.radio(
        t("adj.verdict"), list(Verdict), format_func=lambda v: t(f"verdict.{v.value}"), horizontal=True
    )
    if st.form_submit_button(t("gold.mark")):
        try:
            mark_gold(engine, battle_id=int(battle_id), verdict=verdict, actor=ctx.username)
        except LookupError as exc:
            st.error(str(exc))
        else:
            st.success(t("gold.marked", battle_id=int(battle_id)))

with st.form("gold_import"):
    st.markdown(f"**{t('gold.import')}**")
    st.caption(t("gold.import_help"))
    upload = st.file_uploader(t("gold.file"), type=["csv"])
    dimension = st.selectbox(t("vote.dimension"), list(Dimension), format_func=lambda d: d.label(lang))
    if st.form_submit_button(t("gold.import")) and upload is not None:
        try:
            pairs = parse_gold_csv(upload.getvalue(), name=upload.name, default_dimension=dimension)
            n = import_gold_pairs(engine, pairs, actor=ctx.username)
        except GoldImportError as exc:
            st.error(t("gold.import_failed", error=str(exc)))
        else:
            st.success(t("gold.imported", n=n))
