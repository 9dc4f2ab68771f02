"""A confirmation that survives ``st.rerun()``: an action stores it, the next run shows it.

A message shown with ``st.success`` just before ``st.rerun()`` is painted and wiped in the same
instant, so the person never sees it. ``flash`` keeps it in the session instead; ``login_gate``
shows it (once) at the top of whatever page the next run draws.
"""

from __future__ import annotations

from enum import StrEnum

import streamlit as st

__all__ = ["Level", "flash", "show_flash"]

_KEY = "arena_flash"


class Level(StrEnum):
    SUCCESS = "success"
    INFO = "info"
    WARNING = "warning"


def flash(text: str, level: Level = Level.SUCCESS) -> None:
    """Show ``text`` (already translated; untrusted parts already inert) on the next run."""
    st.session_state[_KEY] = (Level(level), text)


def show_flash() -> None:
    """Show the pending confirmation, if any, and forget it."""
    pending = st.session_state.pop(_KEY, None)
    if pending is None:
        return
    level, text = pending
    {Level.SUCCESS: st.success, Level.INFO: st.info, Level.WARNING: st.warning}[level](text)
