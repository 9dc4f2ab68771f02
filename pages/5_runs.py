"""Runs (admin): endpoints, start answer collection and LLM-judge runs, watch progress and failures."""

import pandas as pd
import streamlit as st

from judging.roles import Role
from judging.runs import RunKind
from judging.scheduling import Strategy
from pipeline.bank.releases import list_release_summaries
from pipeline.runs.background import launch_collect, launch_judge
from pipeline.runs.common import RunOptions
from pipeline.runs.overview import failures_of, recent_runs, unparsed_of
from pipeline.runs.registry import endpoint_roles
from ui.auth import require_role
from ui.components import inert_markdown
from ui.endpoints_admin import endpoint_section
from ui.i18n import pick_placeholder, t
from ui.resources import get_engine

ctx = require_role(Role.ADMIN)

engine = get_engine()
st.title(t("runs.title"))

endpoint_section(engine, ctx.username)
roles = endpoint_roles(engine)  # enabled endpoints only: a switched-off one is never offered
releases = [r.tag for r in list_release_summaries(engine)]

model_keys = [k for k, r in roles.items() if r == "model"]
judge_keys = [k for k, r in roles.items() if r == "judge"]
left, right = st.columns(2)
with left, st.form("collect"):
    st.markdown(f"**{t('runs.collect')}**")
    release = st.selectbox(
        t("lb.release"), releases, key="collect_release", placeholder=pick_placeholder(releases)
    )
    chosen = st.multiselect(
        t("home.models"), model_keys, default=model_keys, placeholder=pick_placeholder(model_keys, many=True)
    )
    concurrency = st.number_input(t("runs.concurrency"), 1, 256, 16)
    if st.form_submit_button(t("runs.start"), type="primary", disabled=not model_keys or not releases):
        running = launch_collect(
            engine,
            release=release,
            models=chosen,
            options=RunOptions(concurrency=int(concurrency)),
            actor=ctx.username,
        )
        if running is None:
            st.success(t("runs.started"))
        else:  # the same collect is running: a second start would only duplicate it
            st.warning(t("runs.already_running", id=running))
with right, st.form("judge"):
    st.markdown(f"**{t('runs.judge')}**")
    release_j = st.selectbox(
        t("lb.release"), releases, key="judge_release", placeholder=pick_placeholder(releases)
    )
    judge = st.selectbox(t("runs.judge_key"), judge_keys, placeholder=pick_placeholder(judge_keys))
    strategy = st.selectbox(t("runs.strategy"), [s.value for s in Strategy], index=0)
    budget = st.number_input(t("runs.budget"), 1, 1_000_000, 100, help=t("runs.budget_help"))
    if st.form_submit_button(t("runs.start"), type="primary", disabled=not judge_keys or not releases):
        running = launch_judge(
            engine,
            release=release_j,
            judge=judge,
            strategy=strategy,
            budget=int(budget),
            options=RunOptions(),
            actor=ctx.username,
            seed=0,
        )
        if running is None:
            st.success(t("runs.started"))
        else:  # the same judge run is running: a second start would only duplicate it
            st.warning(t("runs.judge_already_running", id=running))


@st.fragment(run_every=2)
def progress() -> None:
    st.subheader(t("runs.recent"))
    runs = recent_runs(engine)
    if not runs:
        st.info(t("runs.none"))
        return
    for run in runs[:10]:
        finished = run.done + run.failed + run.unparsed
        label = t(
            "runs.line",
            id=run.id,
            kind=t(f"runs.kind.{run.kind}"),
            status=t(f"runs.status.{run.status}"),
            done=run.done,
            failed=run.failed,
            unparsed=run.unparsed,
            total=run.total,
        )
        st.progress(min(1.0, finished / run.total) if run.total else 1.0, text=label)
        if run.kind is RunKind.JUDGE:  # of its verdicts, those kept without usable harm tags
            st.caption(t("runs.tags_line", missing=run.tags_missing, invalid=run.tags_invalid))
        if run.message:
            st.caption(inert_markdown(run.message))
    chosen_run = st.selectbox(t("runs.details"), [r.id for r in runs], key="run_details")
    fails = failures_of(engine, chosen_run)
    if fails:
        st.markdown(f"**{t('runs.failures')}**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "endpoint": f.endpoint,
                        "kind": f.kind,
                        "status": f.status,
                        "attempts": f.attempts,
                        "question": f.question_id,
                        "battle": f.battle_id,
                        "message": f.message,
                    }
                    for f in fails
                ]
            ),
            hide_index=True,
        )
    unparsed = unparsed_of(engine, chosen_run)
    if unparsed:
        st.markdown(f"**{t('runs.unparsed')}**")
        st.dataframe(
            pd.DataFrame(
                [
                    {"judge": u.judge, "battle": u.battle_id, "attempts": u.attempts, "raw": u.raw[-500:]}
                    for u in unparsed
                ]
            ),
            hide_index=True,
        )


progress()
