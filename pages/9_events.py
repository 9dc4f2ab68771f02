"""Events (admin, expert): add news events, ask a generator LLM for candidate questions per event
and dimension, and see every candidate (pending, approved, rejected, filtered as duplicate) and
every malformed generator reply."""

from datetime import date

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.generation import MAX_PER_DIMENSION
from pipeline.generation import (
    EventInput,
    add_event,
    event_candidates,
    generation_failures,
    list_events,
    run_generation,
)
from pipeline.registry import endpoint_roles
from pipeline.runs_common import RunOptions
from pipeline.verification import approvals_of
from ui.auth import require_role
from ui.components import inert_markdown
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role("admin", "expert")

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("ev.title"))
st.caption(t("ev.explain"))

flash = st.session_state.pop("ev_flash", None)
if flash:
    st.success(flash)

with st.expander(t("ev.add"), expanded=False), st.form("ev_add"):
    title = st.text_input(t("ev.event_title"), key="ev_title")
    when = st.date_input(t("ev.date"), value=date.today(), key="ev_date")
    summary = st.text_area(t("ev.summary"), key="ev_summary")
    source_url = st.text_input(t("ev.source"), placeholder="https://", key="ev_source")
    dims = st.multiselect(
        t("ev.dimensions"),
        list(Dimension),
        default=list(Dimension),
        format_func=lambda d: d.label(lang),
        key="ev_dims",
    )
    if st.form_submit_button(t("ev.add"), type="primary"):
        try:
            event_id = add_event(
                engine,
                EventInput(
                    title=title,
                    event_date=when,
                    summary=summary,
                    dimensions=tuple(dims),
                    source_url=source_url,
                ),
                actor=ctx.username,
            )
        except ValueError as exc:
            st.error(t("ev.invalid", error=inert_markdown(str(exc))))
        else:
            st.session_state["ev_flash"] = t("ev.added", id=event_id)
            st.session_state["ev_event"] = event_id
            st.rerun()

events = list_events(engine)
if not events:
    st.info(t("ev.none"))
    st.stop()

st.subheader(t("ev.list"))
st.dataframe(
    pd.DataFrame(
        [
            {
                "id": e.id,
                t("ev.date"): e.event_date.isoformat(),
                t("ev.event_title"): e.title,
                t("ev.dimensions"): "、".join(Dimension(d).label(lang) for d in e.dimensions),
                **{
                    t(f"ev.status.{s}"): e.candidates.get(s, 0)
                    for s in ("pending", "approved", "rejected", "duplicate")
                },
            }
            for e in events
        ]
    ),
    hide_index=True,
    key="ev_events",
)

by_id = {e.id: e for e in events}
if st.session_state.get("ev_event") not in by_id:
    st.session_state["ev_event"] = events[0].id
chosen = st.selectbox(
    t("ev.choose"),
    list(by_id),
    format_func=lambda i: f"#{i} · {by_id[i].event_date} · {by_id[i].title}",
    key="ev_event",
)
event = by_id[chosen]
with st.container(border=True):
    st.markdown(f"**{inert_markdown(event.title)}** · {event.event_date.isoformat()}")
    st.markdown(inert_markdown(event.summary))
    if event.source_url:
        st.caption(t("ev.source") + ": " + inert_markdown(event.source_url))

roles = endpoint_roles(engine)
generators = sorted(roles, key=lambda k: (roles[k] != "generator", k))
st.subheader(t("ev.generate"))
if not generators:
    st.info(t("ev.no_endpoints"))
else:
    with st.form("ev_generate"):
        generator = st.selectbox(
            t("ev.generator"),
            generators,
            format_func=lambda k: f"{k} ({t(f'runs.role.{roles[k]}')})",
            key="ev_generator",
        )
        per_dimension = st.number_input(
            t("ev.per_dimension"), 1, MAX_PER_DIMENSION, 3, key="ev_per_dimension"
        )
        gen_dims = st.multiselect(
            t("ev.dimensions"),
            [Dimension(d) for d in event.dimensions],
            default=[Dimension(d) for d in event.dimensions],
            format_func=lambda d: d.label(lang),
            key="ev_gen_dims",
        )
        st.caption(t("ev.generate_help"))
        if st.form_submit_button(t("ev.generate"), type="primary"):
            try:
                with st.spinner(t("ev.generating")):
                    result = run_generation(
                        engine,
                        event_id=event.id,
                        generator=generator,
                        per_dimension=int(per_dimension),
                        dimensions=gen_dims or None,
                        options=RunOptions(concurrency=4, max_attempts=3),
                        actor=ctx.username,
                    )
            except (LookupError, ValueError) as exc:
                st.error(t("ev.invalid", error=inert_markdown(str(exc))))
            else:
                st.session_state["ev_flash"] = t(
                    "ev.generated",
                    pending=result.pending,
                    duplicates=result.duplicates,
                    malformed=result.malformed,
                    failed=result.failed,
                )
                st.rerun()

st.subheader(t("ev.candidates"))
candidates = event_candidates(engine, event_id=event.id)
if not candidates:
    st.info(t("ev.no_candidates"))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": c.id,
                    t("vote.dimension"): Dimension(c.dimension).label(lang),
                    t("ev.status"): t(f"ev.status.{c.status}"),
                    t("ev.question"): c.text,
                    t("ev.note"): c.reference_note,
                    t("ev.approvals"): len(approvals_of(c)),
                    t("ev.duplicate_of"): c.duplicate_of or "",
                    t("ev.similarity"): None
                    if c.duplicate_similarity is None
                    else round(c.duplicate_similarity, 3),
                    t("ev.generator"): c.generator,
                }
                for c in candidates
            ]
        ),
        hide_index=True,
        key="ev_candidates",
    )
    st.page_link("pages/10_verify.py", label=t("ev.to_verify"), icon="✅")

failures = generation_failures(engine, event_id=event.id)
if failures:
    with st.expander(t("ev.malformed", n=len(failures))):
        for f in failures:
            st.caption(
                f"{f.created_at:%Y-%m-%d %H:%M} · {inert_markdown(f.generator)} · "
                f"{Dimension(f.dimension).label(lang)}"
            )
            st.code(f.problem + "\n\n" + f.raw[:4000], language=None)
