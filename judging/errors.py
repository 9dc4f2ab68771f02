"""The project's base error.

Every error the arena raises on purpose (a bad votes file, a release rule broken, an import
refused...) derives from :class:`ArenaError` and carries a message meant for the person at
the keyboard. The CLI and the pages catch ``ArenaError`` and show that message; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["ArenaError"]


class ArenaError(Exception):
    """An expected failure with a user-facing message (``str(error)``).

    CLI commands and pages catch it and show the message instead of a traceback.
    Subclasses may also derive from a builtin (``ValueError``...) where callers catch that.
    """
