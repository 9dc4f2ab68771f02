"""Expected failures reach the person as a message: one place that turns an ``ArenaError`` from a
pipeline action into a translated ``st.error`` (never a traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from judging.errors import ArenaError
from ui.components import inert_markdown
from ui.i18n import t

__all__ = ["Shown", "shown_errors"]


@dataclass
class Shown:
    """What a ``shown_errors`` block ended with: the error it showed, if any."""

    error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def shown_errors(
    key: str = "error.refused", *, field: str = "error", also: tuple[type[Exception], ...] = ()
) -> Iterator[Shown]:
    """Run a pipeline action; an ``ArenaError`` (or one of ``also``, for the builtin errors a
    pipeline function documents, such as ``LookupError`` for an unknown id) is shown as
    ``st.error(t(key, **{field: message}))`` and swallowed, and ``.failed`` says so afterwards.
    The message may echo input, so it goes through the escaping helper. Anything else is a bug and
    propagates (Streamlit shows its redacted notice).

        with shown_errors("adj.refused", field="reason") as outcome:
            adjudicate(...)
        if outcome.failed:
            st.stop()
    """
    outcome = Shown()
    caught: tuple[type[Exception], ...] = (ArenaError, *also)
    try:
        yield outcome
    except caught as error:
        outcome.error = error
        st.error(t(key, **{field: inert_markdown(str(error))}))
