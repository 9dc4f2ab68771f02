"""The release lifecycle: a draft is edited, then published once under a ``vYYMMDD`` tag and
frozen for good; the gold items' container is never a release.

The rules are here, pure; ``storage.bank.releases`` applies them to the rows it reads and writes
(the database refuses the same things again with triggers, migration 0005). The stored strings
are the enum values.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Protocol

from judging.errors import ArenaError

__all__ = [
    "GoldItemsError",
    "ReleaseError",
    "ReleaseFrozenError",
    "ReleaseKind",
    "ReleaseNotFoundError",
    "ReleaseState",
    "ReleaseStatus",
    "check_draft_tag",
    "check_new_draft",
    "check_publish",
    "check_published_tag",
    "gold_refusal",
    "require_draft",
]


class ReleaseStatus(StrEnum):
    """``release.status``: a draft can change; a published release is frozen."""

    DRAFT = "draft"
    PUBLISHED = "published"


class ReleaseKind(StrEnum):
    """``release.kind``: a question release, or the container of the gold items."""

    RELEASE = "release"
    GOLD = "gold"


class ReleaseError(ArenaError, ValueError):
    """A release operation was refused (unknown release, bad tag, frozen release...)."""


class ReleaseNotFoundError(ReleaseError, LookupError):
    """No release has that tag."""


class ReleaseFrozenError(ReleaseError):
    """The release is published; its questions can no longer change."""


class GoldItemsError(ReleaseError):
    """The name is the gold items' container, which is not a release."""


class ReleaseState(Protocol):
    """What the rules read of a release (``storage.db.models.Release`` has it)."""

    @property
    def tag(self) -> str: ...

    @property
    def status(self) -> ReleaseStatus: ...

    @property
    def kind(self) -> ReleaseKind: ...


_DRAFT_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

_PUBLISHED_TAG = re.compile(r"^v\d{6}$")


def gold_refusal(tag: str) -> GoldItemsError:
    """The error for treating the gold items' container ``tag`` as a release."""
    return GoldItemsError(
        f"{tag!r} holds the gold items, which are not a release: they cannot be published, "
        "edited as a draft, rated, reported or exported as one (gold votes: export-votes --include-gold)"
    )


def require_draft(release: ReleaseState, *, action: str) -> None:
    """Raise ReleaseFrozenError unless ``release`` is a draft; ``action`` says what was refused."""
    if release.status != ReleaseStatus.DRAFT:
        raise ReleaseFrozenError(
            f"cannot {action} release {release.tag!r}: it is {release.status} and frozen; "
            f"start a new draft from it (release create NEW --from {release.tag}) and edit that"
        )


def check_draft_tag(tag: str) -> None:
    """A draft's tag: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not _DRAFT_TAG.match(tag):
        raise ReleaseError(
            f"create_draft: tag {tag!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )


def check_new_draft(tag: str, *, taken: ReleaseKind | None, parent: ReleaseState | None) -> None:
    """Whether a draft ``tag`` may start (from ``parent``, when given); ``taken`` is the kind of the
    row that already has the tag, None when it is free."""
    check_draft_tag(tag)
    if taken == ReleaseKind.GOLD:
        raise ReleaseError(f"create_draft: tag {tag!r} is the gold items' name; choose another")
    if taken is not None:
        raise ReleaseError(f"create_draft: a release with tag {tag!r} already exists")
    if parent is not None and parent.status != ReleaseStatus.PUBLISHED:
        raise ReleaseError(
            f"create_draft: parent {parent.tag!r} is a {parent.status}; start from a published release"
        )


def check_published_tag(tag: str) -> None:
    """A published tag is ``vYYMMDD`` with a real date."""
    if not _PUBLISHED_TAG.match(tag):
        raise ReleaseError(f"publish: tag {tag!r} must look like vYYMMDD (for example v251215)")
    try:
        date(2000 + int(tag[1:3]), int(tag[3:5]), int(tag[5:7]))
    except ValueError:
        raise ReleaseError(f"publish: tag {tag!r} is not a calendar date") from None


def check_publish(release: ReleaseState, tag: str) -> None:
    """Whether ``release`` may be published as ``tag``: a draft release (not the gold items)
    and a ``vYYMMDD`` tag. Whether the tag is free and the draft has questions is storage's to
    check."""
    if release.kind != ReleaseKind.RELEASE:
        raise gold_refusal(release.tag)
    require_draft(release, action="publish")
    check_published_tag(tag)
