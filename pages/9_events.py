"""Events (admin, expert): add news events by hand or import them from a file or a configured feed,
ask a generator LLM for candidate questions per event and dimension, and see every candidate
(pending, approved, rejected, filtered as duplicate, stale) and every malformed generator reply."""

from datetime import date

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.generation import MAX_PER_DIMENSION
from judging.roles import REVIEWER_ROLES, Role
from pipeline.bank.event_sources import EventImportError, FeedConfig, load_feeds, remove_feed, save_feed
from pipeline.bank.events import (
    CandidateStatus,
    EventInput,
    add_event,
    event_candidates,
    generation_failures,
    list_events,
)
from pipeline.bank.events_import import EventImportReport, import_source, import_upload
from pipeline.bank.verification import approvals_of
from pipeline.runs.common import RunOptions
from pipeline.runs.generation import run_generation
from pipeline.runs.registry import endpoint_roles
from ui.auth import require_role
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.i18n import join_list, t
from ui.resources import get_engine
from ui.uploader import file_upload

ctx = require_role(*REVIEWER_ROLES)

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
        with shown_errors("ev.invalid", also=(ValueError,)) as added:
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
        if not added.failed:
            st.session_state["ev_flash"] = t("ev.added", id=event_id)
            st.session_state["ev_event"] = event_id
            st.rerun()


def _imported(report: EventImportReport) -> None:
    st.session_state["ev_flash"] = t(
        "evf.imported",
        n=len(report.imported),
        source=inert_markdown(report.source),
        duplicates=len(report.duplicates),
        invalid=len(report.invalid),
    )
    st.rerun()


with st.expander(t("evf.import"), expanded=False):
    st.caption(t("evf.import_help"))
    skip_invalid = st.checkbox(t("evf.skip_invalid"), key="evf_skip_invalid")
    with st.form("evf_upload"):
        upload = file_upload(
            t("evf.file"), types=["xml", "rss", "atom", "feed", "json", "jsonl", "csv"], key="evf_file"
        )
        if st.form_submit_button(t("evf.import_file")) and upload is not None:
            try:
                report = import_upload(
                    engine, upload.getvalue(), upload.name, actor=ctx.username, skip_invalid=skip_invalid
                )
            except EventImportError as exc:
                st.error(t("evf.refused", error=inert_markdown("\n".join([str(exc), *exc.problems[:20]]))))
            else:
                _imported(report)
    feeds = load_feeds(engine)
    if not feeds:
        st.caption(t("evf.no_feeds"))
    else:
        feed_urls = {f.name: f.url for f in feeds}
        with st.form("evf_fetch"):
            chosen_feed = st.selectbox(
                t("evf.feed"), list(feed_urls), format_func=lambda n: f"{n} · {feed_urls[n]}", key="evf_feed"
            )
            if st.form_submit_button(t("evf.fetch")):
                try:
                    report = import_source(engine, chosen_feed, actor=ctx.username, skip_invalid=skip_invalid)
                except EventImportError as exc:
                    st.error(
                        t("evf.refused", error=inert_markdown("\n".join([str(exc), *exc.problems[:20]])))
                    )
                else:
                    _imported(report)
    if Role.ADMIN in ctx.roles:
        with st.form("evf_feeds"):
            st.markdown(f"**{t('evf.feeds')}**")
            name = st.text_input(t("evf.feed_name"), key="evf_feed_name")
            url = st.text_input(t("evf.feed_url"), placeholder="https://", key="evf_feed_url")
            add, drop = st.columns(2)
            if add.form_submit_button(t("evf.feed_add")):
                with shown_errors("ev.invalid", also=(ValueError,)) as saved_feed:
                    save_feed(engine, FeedConfig(name.strip(), url.strip()), actor=ctx.username)
                if not saved_feed.failed:
                    st.session_state["ev_flash"] = t("evf.feed_saved")
                    st.rerun()
            if drop.form_submit_button(t("evf.feed_remove")):
                with shown_errors("ev.invalid", also=(LookupError,)) as removed_feed:
                    remove_feed(engine, name.strip(), actor=ctx.username)
                if not removed_feed.failed:
                    st.session_state["ev_flash"] = t("evf.feed_saved")
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
                t("ev.dimensions"): join_list(Dimension(d).label(lang) for d in e.dimensions),
                **{t(f"ev.status.{s.value}"): e.candidates.get(s.value, 0) for s in CandidateStatus},
                t("evf.source"): e.source,
                t("evf.fetched_at"): "" if e.fetched_at is None else f"{e.fetched_at:%Y-%m-%d %H:%M}",
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
    if event.fetched_at is not None:
        st.caption(
            t(
                "evf.from_source",
                source=inert_markdown(event.source),
                at=f"{event.fetched_at:%Y-%m-%d %H:%M} UTC",
            )
        )

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
            with (
                shown_errors("ev.invalid", also=(LookupError, ValueError)) as generated,
                st.spinner(t("ev.generating")),
            ):
                result = run_generation(
                    engine,
                    event_id=event.id,
                    generator=generator,
                    per_dimension=int(per_dimension),
                    dimensions=gen_dims or None,
                    options=RunOptions(concurrency=4, max_attempts=3),
                    actor=ctx.username,
                )
            if not generated.failed:
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
