"""File uploads in the page's language.

Streamlit's uploader writes its own English — the button's "Upload" and "200MB per file • CSV"
under it — and has no parameter to change either. ``file_upload`` calls ``st.file_uploader`` with
a ``key`` and replaces both texts for that widget alone (Streamlit puts ``st-key-<key>`` on the
widget's container) by a small stylesheet in the session's language: the English stays in the
page for screen readers that read it, but is not shown; the translated text is drawn in its place.
Everything in the stylesheet is our own text (a translated string, a number, file suffixes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ui.i18n import join_list, t

__all__ = ["file_upload"]

_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes and backslashes escaped, line breaks and ``<`` as
    CSS escapes (so nothing in it can end the string or the style element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _stylesheet(key: str, button: str, limit: str) -> str:
    scope = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    return (
        "<style>"
        f"{scope} [data-testid='stMarkdownContainer'] p{{font-size:0}}"
        f"{scope} [data-testid='stMarkdownContainer'] p::after{{content:{_css_string(button)};font-size:14px}}"
        f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span{{font-size:0}}"
        f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span::after"
        f"{{content:{_css_string(limit)};font-size:14px}}"
        "</style>"
    )


def file_upload(
    label: str, *, key: str, types: Sequence[str], max_mb: int | None = None, help: str | None = None
) -> UploadedFile | None:
    """``st.file_uploader`` (one file) whose own texts speak the page's language. ``max_mb``: the
    widget's size limit (default: the server's ``server.maxUploadSize``)."""
    if not _KEY.match(key):
        raise ValueError(f"file_upload: key {key!r} must be letters, digits, '_' or '-'")
    limit_mb = int(max_mb if max_mb is not None else st.get_option("server.maxUploadSize"))
    suffixes = join_list(s.upper() for s in types)
    st.html(_stylesheet(key, t("upload.button"), t("upload.limit", mb=limit_mb, types=suffixes)))
    return st.file_uploader(label, type=list(types), key=key, help=help, max_upload_size=max_mb)
