"""Harm tag shares: per model and dimension, the share of its answers people and the judge tagged
each way (``judging.harm_tags.tag_shares`` over the votes raters stand by). See docs/harm-tags.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from judging.harm_tags import TaggedSides, TagGroup, TagShare, read_tag_list, tag_shares
from judging.judge import TAGGED_PROMPT_VERSIONS
from judging.types import Source
from storage.bank.releases import release_by_tag
from storage.db.session import read_session
from storage.votes.tags import TagRow, tag_rows

__all__ = ["HarmTagSummary", "harm_tag_summary", "tagged_sides"]


@dataclass(frozen=True)
class HarmTagSummary:
    """The tag shares of one release (or every release: ``release`` None).

    ``untagged_judge_votes`` counts judge votes left out: made with a prompt version that did not
    ask for tags (``TAGGED_PROMPT_VERSIONS``), so their empty lists say nothing.
    """

    release: str | None
    shares: tuple[TagShare, ...]
    untagged_judge_votes: int
    names: Mapping[str, str] = field(default_factory=dict)  # model key -> display name

    def name(self, model: str) -> str:
        return self.names.get(model, model)

    def rows(self, group: TagGroup, dimension: str) -> tuple[TagShare, ...]:
        """The shares of one group in one dimension (``"overall"``: all dimensions), by model."""
        return tuple(s for s in self.shares if s.group is group and s.dimension == dimension)

    @property
    def empty(self) -> bool:
        return not self.shares


def tagged_sides(row: TagRow) -> TaggedSides | None:
    """A stored vote as tag shares count it; None for a judge vote whose prompt asked no tags."""
    if row.source is Source.JUDGE and row.prompt_version not in TAGGED_PROMPT_VERSIONS:
        return None
    group = TagGroup.JUDGE if row.source is Source.JUDGE else TagGroup.PEOPLE
    return TaggedSides(
        group, row.dimension, row.model_a, row.model_b, read_tag_list(row.tags_a), read_tag_list(row.tags_b)
    )


def harm_tag_summary(engine: Engine, *, release: str | None = None) -> HarmTagSummary:
    """Tag shares over the votes raters stand by (``View.SAID``) in ``release`` (None: all)."""
    with read_session(engine) as session:
        release_id = None if release is None else release_by_tag(session=session, tag=release).id
        rows = tag_rows(session=session, release_id=release_id)
    counted = [tagged_sides(row) for row in rows]
    votes = [c for c in counted if c is not None]
    names = {
        key: name for row in rows for key, name in ((row.model_a, row.name_a), (row.model_b, row.name_b))
    }
    return HarmTagSummary(release, tag_shares(votes), len(counted) - len(votes), names)
