"""The calibration page's files tab: the votes export, and the same calibration report for an
uploaded votes file (computed without the database).

An upload is parsed inside the shared server process, so its size is bounded before a byte is
read: ``UPLOAD_MAX_BYTES`` (20 MB, about 240,000 votes of the CSV export; the widget refuses larger
files too) against the command line's 200 MB (``cli.py calibrate FILE --max-bytes N`` for more).
The reader streams JSON and turns a nesting bomb into a message naming the line."""

from __future__ import annotations

import hashlib

import streamlit as st

from judging.votes_file import MB, VotesFileError, megabytes
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.views.calibration import CalibrationView, file_calibration
from ui.calibration_agreement import agreement_section
from ui.calibration_sections import annotator_section, bias_section, board_section
from ui.components import inert_markdown
from ui.i18n import t
from ui.resources import database_key, get_engine
from ui.uploader import file_upload

__all__ = ["files_section"]

UPLOAD_MAX_BYTES = 20 * MB


@st.cache_resource(max_entries=8, show_spinner=False)
def _file_view(digest: str, name: str, _text: str) -> CalibrationView:
    # the text is keyed by its digest: hashing megabytes of text on every run would cost more
    return file_calibration(_text, name)


@st.cache_data(max_entries=8, show_spinner=False)
def _export(url: str, format: VotesExportFormat, release: str | None, version: tuple[int, int, str]) -> bytes:
    # a pure function of (database, format, release, data version): a new vote changes the key
    return export_votes(get_engine(), format=format, release=release).encode("utf-8")


def _suffix(kind: VotesExportFormat) -> str:
    # the Arena format is a JSON list; every other JSON export is one object per line
    return "csv" if kind is VotesExportFormat.CSV else "json" if kind is VotesExportFormat.ARENA else "jsonl"


def _export_section(release: str | None, version: tuple[int, int, str]) -> None:
    st.subheader(t("cal.export_title"))
    cols = st.columns([2, 1])
    kind = cols[0].selectbox(
        t("cal.export_format"),
        list(VotesExportFormat),
        format_func=lambda f: t(f"cal.export.{f.value}"),
        key="cal_export_format",
    )
    if kind is None:  # the selectbox always holds one of the formats
        return
    cols[1].download_button(
        t("cal.download"),
        data=_export(database_key(), kind, release, version),
        file_name=f"votes-{release or 'all'}.{_suffix(kind)}",
        mime="text/csv" if kind is VotesExportFormat.CSV else "application/json",
        key="cal_export_download",
    )
    st.caption(t("cal.export_scope"))


def _uploaded_view() -> CalibrationView | None:
    upload = file_upload(
        t("cal.upload"),
        types=["csv", "jsonl", "json"],
        help=t("cal.upload_help"),
        key="cal_upload",
        max_mb=UPLOAD_MAX_BYTES // MB,
    )
    st.caption(t("cal.upload_help"))
    if upload is None:
        return None
    if upload.size > UPLOAD_MAX_BYTES:  # checked before the bytes are read
        size, limit = megabytes(upload.size), megabytes(UPLOAD_MAX_BYTES)
        st.error(t("cal.upload_too_large", size=size, limit=limit))
        return None
    data = upload.getvalue()
    try:
        text = data.decode("utf-8-sig")
        return _file_view(hashlib.sha256(data).hexdigest(), upload.name, text)
    except (UnicodeDecodeError, VotesFileError, ValueError) as error:
        st.error(t("cal.upload_failed", error=inert_markdown(str(error))))
        return None


def files_section(release: str | None, version: tuple[int, int, str]) -> None:
    """The votes export of the chosen release (``version``: ``calibration_version`` of the
    database), then an uploaded file's calibration report."""
    _export_section(release, version)
    st.subheader(t("cal.upload_title"))
    uploaded = _uploaded_view()
    if uploaded is None:
        return
    r = uploaded.report
    st.caption(
        t(
            "cal.file_summary",
            n=r.n_votes,
            human=r.n_human_votes,
            judge=r.n_judge_votes,
            expert=r.n_expert_votes,
            none=r.n_without_source,
        )
    )
    if uploaded.duplicate_lines:
        lines = ", ".join(str(n) for n in uploaded.duplicate_lines[:10])
        more = "…" if len(uploaded.duplicate_lines) > 10 else ""
        st.caption(t("cal.file_duplicates", n=len(uploaded.duplicate_lines), lines=lines + more))
    agreement_section(uploaded, "cal_file")
    bias_section(uploaded, "cal_file")
    annotator_section(uploaded, "cal_file")
    board_section(uploaded, "cal_file")
