"""Reusable rendering: model output is untrusted text and is always rendered inert."""

from __future__ import annotations

import re

import streamlit as st

__all__ = ["answer_box", "inert_markdown"]

# Every character Markdown (and Streamlit's extensions: $ for LaTeX, : for emoji shortcodes,
# ~ for strikethrough) could interpret, plus < and > so no raw HTML is ever parsed.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")


def inert_markdown(text: str) -> str:
    """Escape ``text`` so Markdown renders it literally; keep its line breaks."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    return "  \n".join(escaped.splitlines()) if escaped else escaped


def answer_box(title: str, text: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{title}**")
        st.markdown(inert_markdown(text))
