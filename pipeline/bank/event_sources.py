"""Where events come from: the feeds an admin configured (a project setting), and reading a
source — a file, a configured feed's name, or a feed URL — into entries."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy.engine import Engine

from judging.errors import ArenaError
from pipeline.bank.feed_fetch import DEFAULT_LIMITS, FetchLimits, feed_client, fetch_feed
from pipeline.bank.feeds import FeedRead, parse_feed
from storage.db.app_settings import get_setting, set_setting
from storage.db.models import utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "FEEDS_SETTING",
    "EventImportError",
    "FeedConfig",
    "load_feeds",
    "read_source",
    "remove_feed",
    "save_feed",
]

FEEDS_SETTING = "events.feeds"

MAX_FEEDS = 50

_FEED_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class EventImportError(ArenaError, ValueError):
    """The import was refused; nothing was written. ``problems`` lists the entries at fault."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class FeedConfig:
    """A feed URL an admin allowed the arena to fetch, under a short name."""

    name: str
    url: str

    def __post_init__(self) -> None:
        if not _FEED_NAME.match(self.name):
            raise ValueError(
                f"FeedConfig: name must be 1-40 lower-case letters, digits, '-' or '_', got {self.name!r}"
            )
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(self.url) > 1000:
            raise ValueError(f"FeedConfig: url must be an http(s) URL, got {self.url!r:.120}")


# --- configured feeds --------------------------------------------------------------------------


def load_feeds(engine: Engine) -> tuple[FeedConfig, ...]:
    """The configured feeds (setting ``events.feeds``), in the order they were added."""
    with read_session(engine) as session:
        stored = get_setting(session=session, key=FEEDS_SETTING) or []
    return tuple(FeedConfig(**item) for item in stored)


def _store_feeds(engine: Engine, feeds: Sequence[FeedConfig], *, actor: str, action: str, name: str) -> None:
    with write_session(engine) as session:
        set_setting(session=session, key=FEEDS_SETTING, value=[asdict(f) for f in feeds], updated_by=actor)
        audit(session=session, actor=actor, action=action, detail={"name": name})


def save_feed(engine: Engine, feed: FeedConfig, *, actor: str) -> None:
    """Add a feed, or change the URL of the feed with that name."""
    feeds = [f for f in load_feeds(engine) if f.name != feed.name]
    if len(feeds) >= MAX_FEEDS:
        raise ValueError(f"save_feed: at most {MAX_FEEDS} feeds can be configured")
    _store_feeds(engine, [*feeds, feed], actor=actor, action="events.feed_save", name=feed.name)


def remove_feed(engine: Engine, name: str, *, actor: str) -> None:
    feeds = load_feeds(engine)
    if name not in {f.name for f in feeds}:
        raise LookupError(f"remove_feed: no configured feed {name!r}")
    kept = [f for f in feeds if f.name != name]
    _store_feeds(engine, kept, actor=actor, action="events.feed_remove", name=name)


# --- reading a source --------------------------------------------------------------------------


def read_source(
    engine: Engine,
    source: str,
    *,
    limits: FetchLimits = DEFAULT_LIMITS,
    client_factory: Callable[[FetchLimits], httpx.Client] = feed_client,
    now: Callable[[], datetime] = utcnow,
) -> tuple[FeedRead, str, datetime]:
    """Read SOURCE: a configured feed (by name or URL) is fetched, anything else must be a file.

    Returns what was read, the source label to store and the time it was read.
    """
    feeds = load_feeds(engine)
    by_name = {f.name: f for f in feeds}
    by_url = {f.url: f for f in feeds}
    feed = by_name.get(source) or by_url.get(source)
    if feed is None and urlsplit(source).scheme in ("http", "https"):
        names = ", ".join(f"{f.name} ({f.url})" for f in feeds) or "none"
        raise EventImportError(
            f"{source}: not a configured feed, so it is not fetched (configured: {names}); "
            "an admin adds one with: cli.py events feeds add NAME URL"
        )
    if feed is not None:
        fetched_at = now()
        with client_factory(limits) as client:
            data = fetch_feed(feed.url, client=client, limits=limits)
        return parse_feed(data, name=feed.url), f"feed:{feed.url}", fetched_at
    path = Path(source)
    if not path.is_file():
        known = ", ".join(by_name) or "none configured"
        raise EventImportError(f"{source}: no such file, and not a configured feed name (feeds: {known})")
    if path.stat().st_size > limits.max_bytes:
        raise EventImportError(
            f"{source}: {path.stat().st_size:,} bytes, over the limit of {limits.max_bytes:,}; nothing was read"
        )
    fetched_at = now()
    return parse_feed(path.read_bytes(), name=path.name), f"file:{path.name}", fetched_at
