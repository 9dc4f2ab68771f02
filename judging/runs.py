"""What an LLM run is: its kind and its status.

The values are the strings stored in ``run.kind`` and ``run.status``; they never change without a
migration.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RunKind", "RunStatus"]


class RunKind(StrEnum):
    """The job a run does (the Runs page labels each with ``runs.kind.<value>``)."""

    COLLECT = "collect"  # ask the models for the answers a release still lacks
    JUDGE = "judge"  # an LLM judge votes on battles, both orders
    GENERATE = "generate"  # candidate questions from one event

    @classmethod
    def parse(cls, value: str) -> RunKind:
        """A stored kind as a RunKind; an unknown value raises ValueError naming the choices."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(
                f"RunKind.parse: unknown run kind {value!r} (expected one of {allowed})"
            ) from None


class RunStatus(StrEnum):
    """Where a run is: running until it finishes or fails; an exception always ends it ``failed``."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"

    @classmethod
    def parse(cls, value: str) -> RunStatus:
        """A stored status as a RunStatus; an unknown value raises ValueError naming the choices."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(
                f"RunStatus.parse: unknown run status {value!r} (expected one of {allowed})"
            ) from None
