"""Where a generated candidate question stands on its way into a draft release.

The values are the strings stored in ``candidate_question.status``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CandidateStatus"]


class CandidateStatus(StrEnum):
    PENDING = "pending"  # waiting for expert verification
    APPROVED = "approved"  # joined a draft release
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # filtered: duplicates the bank or an earlier candidate
    STALE = "stale"  # not verified in time: out of the queue, never joins a draft on its own
