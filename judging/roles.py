"""The roles a person can hold in the arena.

The values are the strings stored in ``user.roles`` (a JSON list) and used by the pages'
access rules; they never change without a migration.
"""

from __future__ import annotations

from judging.choices import Choice

__all__ = ["ALL_ROLES", "REVIEWER_ROLES", "Role"]


class Role(Choice):
    """A person's role: what they may see and do."""

    ADMIN = "admin"  # manages users, runs, the queue and releases
    EXPERT = "expert"  # adjudicates, calibrates, reviews questions
    ANNOTATOR = "annotator"  # votes on battles


ALL_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.EXPERT, Role.ANNOTATOR)
"""Every role, most privileged first (the order the users page lists them)."""

REVIEWER_ROLES: tuple[Role, ...] = (Role.EXPERT, Role.ADMIN)
"""Roles that may review questions and adjudicate."""
