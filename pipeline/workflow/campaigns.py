"""Campaigns: where an admin points the human queue — one release and a mix of dimensions, for
everybody or, as an override, for one person.

A campaign is stored as the queue setting ``campaign`` (``app_setting``), with who set it in the
audit log. ``pipeline.workflow.queue.next_assignment`` honours the campaign in force for a person: it draws
one of the campaign's dimensions by weight among those the person is qualified for, then asks the
configured policy for a battle of the campaign's release in that dimension; when that dimension has
nothing left for the person it tries the others, again by weight.

A campaign may only name a release annotators can usefully be sent to: a *published* release (a
draft's questions may still change under the votes) that is not *retired*. A release is retired
once a later published release was started from it (``release create NEW --from OLD``): its
questions live on there as anchors, and new votes belong to the newer release.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.dimensions import Dimension
from judging.errors import ArenaError
from judging.releases import GoldItemsError, ReleaseNotFoundError, ReleaseStatus
from storage.bank.releases import (
    release_by_tag,
    release_summaries,
    releases,
)
from storage.db.app_settings import get_setting, set_setting
from storage.db.models import utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.people.users import get_user

__all__ = [
    "SETTING_KEY",
    "Campaign",
    "CampaignError",
    "CampaignInForce",
    "Campaigns",
    "ReleaseChoice",
    "campaign_in_force",
    "campaign_release_problem",
    "campaign_releases",
    "clear_campaign",
    "load_campaigns",
    "retired_releases",
    "set_campaign",
]

SETTING_KEY = "campaign"

_ORDER = {d.value: i for i, d in enumerate(Dimension)}


class CampaignError(ArenaError, ValueError):
    """A campaign was refused (bad release, weights or user); nothing was changed."""


def _weights(value: Mapping[str, Any]) -> Mapping[str, float]:
    """The weights as given, validated: dimension codes of the five, finite numbers, none
    negative, at least one positive; zero weights dropped, in the dimensions' order."""
    out: dict[str, float] = {}
    for key, raw in value.items():
        if key not in _ORDER:
            raise CampaignError(
                f"Campaign: unknown dimension {key!r} in the weights (expected one of {list(_ORDER)})"
            )
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise CampaignError(f"Campaign: the weight of {key!r} must be a finite number, got {raw!r}")
        if raw < 0:
            raise CampaignError(f"Campaign: the weight of {key!r} must not be negative, got {raw!r}")
        if raw > 0:
            out[key] = float(raw)
    if not out:
        raise CampaignError(
            "Campaign: at least one dimension needs a positive weight (all weights are zero or none given)"
        )
    return MappingProxyType(dict(sorted(out.items(), key=lambda kv: _ORDER[kv[0]])))


@dataclass(frozen=True)
class Campaign:
    """A release tag and dimension weights (``{"privacy": 1}``: privacy only). ``started_at`` is
    set when it is saved: "done in this campaign" counts the votes cast since then."""

    release: str
    weights: Mapping[str, float]
    started_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.release, str) or not self.release.strip():
            raise CampaignError(f"Campaign: release must be a release tag, got {self.release!r}")
        object.__setattr__(self, "release", self.release.strip())
        object.__setattr__(self, "weights", _weights(self.weights))

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimensions with a positive weight, in the dimensions' order."""
        return tuple(self.weights)

    def dimensions_for(self, qualified: Sequence[str] | None) -> tuple[str, ...]:
        """The campaign's dimensions a person qualified for ``qualified`` (None: every one) may get."""
        return tuple(d for d in self.weights if qualified is None or d in qualified)

    def dimension_order(self, qualified: Sequence[str] | None, rng: random.Random) -> list[str]:
        """The order the queue tries the person's campaign dimensions in: the first is drawn by
        weight, the next by weight among the rest, and so on (empty when the person is qualified
        for none of them)."""
        pool = {d: self.weights[d] for d in self.dimensions_for(qualified)}
        order: list[str] = []
        while pool:
            point = rng.random() * sum(pool.values())
            chosen = next(reversed(pool))  # a point at the very top (rounding) falls in the last one
            for dim, weight in pool.items():
                if point < weight:
                    chosen = dim
                    break
                point -= weight
            order.append(chosen)
            del pool[chosen]
        return order

    def to_json(self) -> dict[str, Any]:
        return {
            "release": self.release,
            "weights": dict(self.weights),
            "started_at": None if self.started_at is None else self.started_at.isoformat(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Campaign:
        started = value.get("started_at")
        return cls(
            release=str(value["release"]),
            weights=dict(value["weights"]),
            started_at=None if started is None else datetime.fromisoformat(str(started)),
        )


@dataclass(frozen=True)
class Campaigns:
    """The campaign for everybody (None: the queue serves every release and dimension, as before
    campaigns existed) and per-person overrides (username -> campaign)."""

    everyone: Campaign | None = None
    per_user: Mapping[str, Campaign] = field(default_factory=lambda: MappingProxyType({}))

    def for_user(self, username: str) -> Campaign | None:
        """The person's override if they have one, else the campaign for everybody."""
        return self.per_user.get(username, self.everyone)

    def to_json(self) -> dict[str, Any]:
        return {
            "everyone": None if self.everyone is None else self.everyone.to_json(),
            "per_user": {u: c.to_json() for u, c in sorted(self.per_user.items())},
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> Campaigns:
        if not value:
            return cls()
        everyone = value.get("everyone")
        return cls(
            everyone=None if everyone is None else Campaign.from_json(everyone),
            per_user=MappingProxyType(
                {str(u): Campaign.from_json(c) for u, c in (value.get("per_user") or {}).items()}
            ),
        )


@dataclass(frozen=True)
class CampaignInForce:
    """The campaign that directs one person's queue, with its release resolved to an id."""

    campaign: Campaign
    release_id: int
    override: bool  # the person's own campaign, not the one for everybody


def _campaigns(session: Session) -> Campaigns:
    return Campaigns.from_json(get_setting(session=session, key=SETTING_KEY))


def load_campaigns(engine: Engine) -> Campaigns:
    with read_session(engine) as session:
        return _campaigns(session)


def retired_releases(*, session: Session) -> dict[str, str]:
    """Retired release tag -> the release to work on instead: the first later published release
    started from it, or, if that one is retired too, its own successor, and so on."""
    rows = releases(session=session)
    by_id = {r.id: r for r in rows}
    successor: dict[str, str] = {}
    for r in rows:  # oldest first: a release's first published child wins
        parent = by_id.get(r.parent_id) if r.parent_id is not None else None
        if parent is not None and r.status != ReleaseStatus.DRAFT and parent.tag not in successor:
            successor[parent.tag] = r.tag
    out: dict[str, str] = {}
    for tag, newer in successor.items():
        while newer in successor:  # parents are older than their children: no cycle
            newer = successor[newer]
        out[tag] = newer
    return out


@dataclass(frozen=True)
class ReleaseChoice:
    """A release as the campaign form lists it: ``state`` is published, draft or retired."""

    tag: str
    state: str
    successor: str | None = None  # the release published from a retired one


def campaign_releases(engine: Engine) -> list[ReleaseChoice]:
    """Every release, newest first, with whether a campaign may name it (only a published one)."""
    with read_session(engine) as session:
        retired = retired_releases(session=session)
        rows = releases(session=session)
    return [
        ReleaseChoice(r.tag, "retired" if r.tag in retired else r.status, retired.get(r.tag))
        for r in reversed(rows)
    ]


def campaign_release_problem(*, session: Session, campaign: Campaign) -> str | None:
    """Why a campaign may not be set (its release unknown, the gold items, a draft, retired, or
    without a question in any of the campaign's dimensions); None when it may."""
    tag = campaign.release
    try:
        release = release_by_tag(session=session, tag=tag)
    except GoldItemsError:
        return f"{tag!r} holds the gold items, which are not a release (they are mixed in at the gold rate)"
    except ReleaseNotFoundError:
        published = [r.tag for r in releases(session=session) if r.status != ReleaseStatus.DRAFT] or ["none"]
        return f"no release {tag!r} (published releases: {', '.join(published)})"
    if release.status == ReleaseStatus.DRAFT:
        return f"release {tag!r} is a draft: publish it first (a draft's questions may still change)"
    successor = retired_releases(session=session).get(tag)
    if successor is not None:
        return f"release {tag!r} is retired (a later release was published from it): direct the campaign to {successor!r}"
    summary = next(s for s in release_summaries(session=session) if s.tag == tag)
    if not any(summary.by_dimension.get(d, 0) for d in campaign.dimensions):
        wanted = ", ".join(campaign.dimensions)
        return f"release {tag!r} has no questions in the campaign's dimensions ({wanted})"
    return None


def _set(
    engine: Engine, campaign: Campaign | None, *, username: str | None, actor: str, now: datetime
) -> Campaigns:
    with write_session(engine) as session:
        current = _campaigns(session)
        who: str | None = None
        if username is not None:
            user = get_user(session=session, username=username)
            if user is None:
                raise CampaignError(f"set_campaign: no user {username!r}; nothing was changed")
            who = user.username
        if campaign is not None:
            problem = campaign_release_problem(session=session, campaign=campaign)
            if problem is not None:
                raise CampaignError(f"set_campaign: {problem}; nothing was changed")
            before = current.everyone if who is None else current.per_user.get(who)
            # the same release goes on as the same campaign: its votes keep counting toward it
            kept = before.started_at if before is not None and before.release == campaign.release else None
            campaign = Campaign(campaign.release, campaign.weights, kept or now)
        if who is None:
            updated = Campaigns(campaign, current.per_user)
        else:
            others = {u: c for u, c in current.per_user.items() if u != who}
            updated = Campaigns(
                current.everyone, MappingProxyType(others if campaign is None else {**others, who: campaign})
            )
        value = updated.to_json()
        set_setting(session=session, key=SETTING_KEY, value=value, updated_by=actor)
        audit(
            session=session,
            actor=actor,
            action="settings.campaign",
            detail={"user": who, "campaign": None if campaign is None else campaign.to_json()},
        )
    return updated


def set_campaign(
    engine: Engine,
    campaign: Campaign,
    *,
    actor: str,
    username: str | None = None,
    now: datetime | None = None,
) -> Campaigns:
    """Direct the queue of everybody (or, with ``username``, of that person only) to ``campaign``.

    ``CampaignError`` (nothing changed) for an unknown user, or a release that is unknown, the gold
    items, a draft, retired, or without questions in any of the campaign's dimensions."""
    return _set(engine, campaign, username=username, actor=actor, now=now or utcnow())


def clear_campaign(engine: Engine, *, actor: str, username: str | None = None) -> Campaigns:
    """End the campaign for everybody, or the person's override (they follow everybody's again)."""
    return _set(engine, None, username=username, actor=actor, now=utcnow())


def campaign_in_force(*, session: Session, username: str) -> CampaignInForce | None:
    """The campaign that directs ``username``'s queue, if any (their override wins)."""
    campaigns = _campaigns(session)
    campaign = campaigns.for_user(username)
    if campaign is None:
        return None
    release = {r.tag: r for r in releases(session=session)}.get(campaign.release)
    if release is None or release.id is None:
        # set_campaign refused unknown releases and a published tag never changes
        raise CampaignError(f"campaign_in_force: the campaign's release {campaign.release!r} is gone")
    return CampaignInForce(campaign, release.id, username in campaigns.per_user)
