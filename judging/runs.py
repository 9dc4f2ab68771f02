"""What an LLM run is: its kind and its status.

The values are the strings stored in ``run.kind`` and ``run.status``; they never change without a
migration.
"""

from __future__ import annotations

from judging.choices import Choice

__all__ = ["RunKind", "RunStatus"]


class RunKind(Choice):
    """The job a run does (the Runs page labels each with ``runs.kind.<value>``)."""

    COLLECT = "collect"  # ask the models for the answers a release still lacks
    JUDGE = "judge"  # an LLM judge votes on battles, both orders
    GENERATE = "generate"  # candidate questions from one event


class RunStatus(Choice):
    """Where a run is: running until it finishes or fails; an exception always ends it ``failed``."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
