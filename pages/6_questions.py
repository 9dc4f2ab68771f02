"""Question bank & releases (admin; experts read): import files with a dry-run preview of the
duplicate findings, create and publish drafts, edit draft questions, diff releases, export."""

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.errors import ArenaError
from judging.questions import (
    DEFAULT_THRESHOLD,
    ExportFormat,
    QuestionFileError,
    QuestionFormat,
    parse_questions,
)
from judging.roles import REVIEWER_ROLES
from pipeline.bank.questions import ImportReport, export_questions, import_questions
from pipeline.bank.releases import (
    create_release,
    diff_releases,
    edit_question,
    list_release_summaries,
    publish_release,
    release_questions,
    retire_question,
)
from ui.auth import require_role
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.i18n import pick_placeholder, t
from ui.question_browser import question_browser
from ui.question_categories import categories_editor, import_category_counts
from ui.resources import get_engine
from ui.uploader import file_upload

ctx = require_role(*REVIEWER_ROLES)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
is_admin = "admin" in ctx.roles
st.title(t("qb.title"))
flash = st.session_state.pop("qb_flash", None)
if flash:
    st.success(flash)

summaries = list_release_summaries(engine)
drafts = [s.tag for s in summaries if s.is_draft]
published = [s.tag for s in summaries if not s.is_draft]
tags = [s.tag for s in summaries]


def refused(exc: Exception) -> None:
    st.error(t("qb.refused", error=inert_markdown(str(exc))))


st.subheader(t("qb.releases"))
st.dataframe(
    pd.DataFrame(
        [
            {
                t("qb.tag"): s.tag,
                t("qb.status"): t(f"qb.status.{s.status}"),
                t("qb.release_title"): s.title,
                t("qb.parent"): s.parent_tag or "—",
                t("qb.questions"): s.questions,
                t("qb.anchors"): s.anchors,
                t("qb.retired"): s.retired,
                **{Dimension(d).label(lang): n for d, n in s.by_dimension.items()},
                t("qb.published_at"): s.published_at.strftime("%Y-%m-%d") if s.published_at else "—",
            }
            for s in summaries
        ]
    ),
    hide_index=True,
    key="qb_releases",
)

sections = (
    ["import", "drafts", "edit", "categories", "diff", "export"]
    if is_admin
    else ["categories", "diff", "export"]
)
sections.append("browse")  # every reviewer reads a release's questions (ui/question_browser.py)
tabs = dict(zip(sections, st.tabs([t(f"qb.tab.{s}") for s in sections]), strict=True))


def show_report(report: ImportReport) -> None:
    cols = st.columns(4)
    cols[0].metric(t("qb.parsed"), report.parsed)
    cols[1].metric(t("qb.new"), report.imported)
    cols[2].metric(t("qb.replaced"), report.replaced)
    cols[3].metric(t("qb.skipped"), report.skipped)
    st.dataframe(
        pd.DataFrame(
            [
                {t("vote.dimension"): Dimension(d).label(lang), t("qb.questions"): n}
                for d, n in report.by_dimension.items()
            ]
        ),
        hide_index=True,
    )
    import_category_counts(report.by_category)  # how many will warn, how many collapse
    if report.findings:
        st.markdown(f"**{t('qb.findings')}**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("qb.file"): f.file,
                        t("qb.line"): f.line,
                        "question_id": f.question_id,
                        t("qb.kind"): t(f"qb.kind.{f.kind.value}"),
                        t("qb.similarity"): round(f.similarity, 3),
                        t("qb.match"): f.match_question_id,
                        t("qb.match_release"): f.match_release or t("qb.this_import"),
                        t("qb.match_text"): f.match_text,
                        t("qb.skipped"): f.skipped,
                    }
                    for f in report.findings
                ]
            ),
            hide_index=True,
            key="qb_findings",
        )


if "import" in tabs:
    with tabs["import"]:
        st.caption(t("qb.import_help"))
        upload = file_upload(t("qb.file"), types=["json", "jsonl", "csv"], key="qb_upload")
        import_cols = st.columns(3)
        fmt = import_cols[0].selectbox(t("qb.format"), list(QuestionFormat), key="qb_format")
        target = import_cols[1].selectbox(
            t("qb.target"),
            [None, *drafts],
            format_func=lambda d: t("qb.target_auto") if d is None else d,
            key="qb_target",
        )
        threshold = import_cols[2].slider(
            t("qb.threshold"), 0.5, 1.0, DEFAULT_THRESHOLD, 0.01, key="qb_threshold"
        )
        force = st.checkbox(t("qb.force"), key="qb_force")
        left, right = st.columns(2)
        preview = left.button(t("qb.preview"), key="qb_preview")
        run = right.button(t("qb.import"), type="primary", key="qb_import")
        if upload is None and (preview or run):
            st.warning(t("qb.no_file"))
        elif upload is not None and fmt is not None and (preview or run):  # fmt: always one format
            try:
                parsed = parse_questions(upload.getvalue(), name=upload.name, format=fmt)
                report = import_questions(
                    engine,
                    [parsed],
                    release=target,
                    force=force,
                    threshold=float(threshold),
                    dry_run=preview,
                    actor=ctx.username,
                )
            except QuestionFileError as exc:
                # a file's problems, one per line: shown as a plain-text block, not a sentence
                st.error(t("qb.rejected"))
                st.code(str(exc), language=None)
            except (ArenaError, ValueError) as exc:
                refused(exc)
            else:
                if report.dry_run:
                    st.info(t("qb.preview_done", release=inert_markdown(report.release)))
                else:
                    st.success(
                        t(
                            "qb.imported",
                            n=report.imported + report.replaced,
                            release=inert_markdown(report.release),
                        )
                    )
                show_report(report)

if "drafts" in tabs:
    with tabs["drafts"]:
        left, right = st.columns(2)
        with left, st.form("qb_create"):
            st.markdown(f"**{t('qb.create')}**")
            new_tag = st.text_input(t("qb.tag"), placeholder="draft-next", key="qb_new_tag")
            new_title = st.text_input(t("qb.release_title"), key="qb_new_title")
            parent = st.selectbox(
                t("qb.from_release"),
                [None, *published],
                format_func=lambda p: t("qb.empty_draft") if p is None else p,
                key="qb_new_parent",
            )
            st.caption(t("qb.anchors_help"))
            if st.form_submit_button(t("qb.create")):
                with shown_errors("qb.refused", also=(ValueError,)) as created:
                    made = create_release(
                        engine, new_tag.strip(), title=new_title.strip(), parent=parent, actor=ctx.username
                    )
                if not created.failed:
                    st.session_state["qb_flash"] = t(
                        "qb.created", tag=inert_markdown(made.tag), n=made.questions
                    )
                    st.rerun()
        with right, st.form("qb_publish"):
            st.markdown(f"**{t('qb.publish')}**")
            draft = st.selectbox(
                t("qb.draft"), drafts, key="qb_publish_draft", placeholder=pick_placeholder(drafts)
            )
            final_tag = st.text_input(
                t("qb.final_tag"), value=f"v{date.today():%y%m%d}", key="qb_publish_tag"
            )
            notes = st.text_area(t("qb.notes"), key="qb_publish_notes")
            st.caption(t("qb.publish_help"))
            if st.form_submit_button(t("qb.publish"), type="primary", disabled=not drafts):
                with shown_errors("qb.refused", also=(ValueError,)) as published_now:
                    done = publish_release(
                        engine, draft, tag=final_tag.strip(), notes=notes.strip() or None, actor=ctx.username
                    )
                if not published_now.failed:
                    st.session_state["qb_flash"] = t(
                        "qb.published", tag=inert_markdown(done.tag), n=done.questions
                    )
                    st.rerun()

if "edit" in tabs:
    with tabs["edit"]:
        edit_release = st.selectbox(
            t("qb.release"), tags, index=len(tags) - 1 if tags else 0, key="qb_edit_release"
        )
        if edit_release is not None:
            if edit_release not in drafts:
                st.info(t("qb.frozen_note"))
            questions = release_questions(engine, edit_release)
            by_id = {q.record.question_id: q for q in questions}
            chosen = st.selectbox(
                t("qb.question"),
                list(by_id),
                format_func=lambda qid: f"{qid} · {by_id[qid].record.text[:40]}",
                key="qb_edit_question",
            )
            if chosen is not None:
                current = by_id[chosen].record
                with st.form("qb_edit"):
                    text = st.text_area(t("qb.text"), value=current.text, key="qb_edit_text")
                    save = st.form_submit_button(t("qb.save_edit"))
                    retire = st.form_submit_button(t("qb.retire"))
                if save or retire:
                    with shown_errors("qb.refused", also=(ValueError,)) as saved:
                        if retire:
                            retire_question(engine, edit_release, chosen, actor=ctx.username)
                        else:
                            edit_question(
                                engine, edit_release, replace(current, text=text), actor=ctx.username
                            )
                    if not saved.failed:
                        st.session_state["qb_flash"] = t("qb.saved")
                        st.rerun()

with tabs["categories"]:  # experts and admins correct content categories (ui/question_categories.py)
    categories_editor(engine, tags, actor=ctx.username)

with tabs["diff"]:
    if len(tags) < 2:
        st.info(t("qb.diff_need_two"))
    else:
        pick_cols = st.columns(2)
        new = pick_cols[0].selectbox(t("qb.diff_new"), tags, index=len(tags) - 1, key="qb_diff_new")
        parent_of = {s.tag: s.parent_tag for s in summaries}
        others = [x for x in tags if x != new]
        parent_tag = parent_of.get(new)
        default = parent_tag if parent_tag is not None and parent_tag in others else others[-1]
        old = pick_cols[1].selectbox(t("qb.diff_old"), others, index=others.index(default), key="qb_diff_old")
        diff = diff_releases(engine, new, old=old).diff
        count_cols = st.columns(4)
        count_cols[0].metric(t("qb.added"), len(diff.added))
        count_cols[1].metric(t("qb.retired"), len(diff.retired))
        count_cols[2].metric(t("qb.changed"), len(diff.changed))
        count_cols[3].metric(t("qb.unchanged"), diff.unchanged)
        for label, records in ((t("qb.added"), diff.added), (t("qb.retired"), diff.retired)):
            if records:
                st.markdown(f"**{label}**")
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "question_id": r.question_id,
                                t("vote.dimension"): r.dimension.label(lang),
                                t("qb.text"): r.text,
                            }
                            for r in records
                        ]
                    ),
                    hide_index=True,
                )
        if diff.changed:
            st.markdown(f"**{t('qb.changed')}**")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "question_id": c.question_id,
                            t("qb.fields"): ", ".join(c.fields),
                            t("qb.old_text"): c.old.text,
                            t("qb.text"): c.new.text,
                        }
                        for c in diff.changed
                    ]
                ),
                hide_index=True,
            )

with tabs["export"]:
    if tags:
        export_release = st.selectbox(t("qb.release"), tags, index=len(tags) - 1, key="qb_export_release")
        download_cols = st.columns(len(ExportFormat))
        suffix = {ExportFormat.LIVESECBENCH: "json", ExportFormat.JSONL: "jsonl", ExportFormat.CSV: "csv"}
        for col, fmt_out in zip(download_cols, ExportFormat, strict=True):
            col.download_button(
                t("qb.download", format=fmt_out.value),
                data=export_questions(engine, export_release, fmt_out).encode("utf-8"),
                file_name=f"questions-{export_release}.{suffix[fmt_out]}",
                mime="text/csv" if fmt_out is ExportFormat.CSV else "application/json",
                key=f"qb_download_{fmt_out.value}",
            )


with tabs["browse"]:
    question_browser(engine, tags if is_admin else published)  # experts: published only
