"""Reading events from outside: RSS/Atom feeds (``feedparser``) and JSON/JSONL/CSV event lists,
from bytes already read (a file, an upload) or fetched from a feed URL within limits.

Nothing here touches the database. A file or a download that is not a feed or an event list at all
raises ``FeedError``; a single bad entry (no date, no title, a link that is not http(s), an
unknown dimension) is an ``EntryProblem`` naming the entry and the field, and the caller decides
(``pipeline.bank.events_import`` imports nothing unless told to skip them).

Fetching is deliberately narrow: one GET, no redirects followed (a redirect names where it
points, so that URL can be configured instead), a timeout per read and a deadline for the whole
download, and a size limit checked against the declared length and again while reading. The
client is handed in (``feed_client`` builds the default one), so callers own its lifetime.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

import feedparser

from judging.dimensions import Dimension
from judging.errors import ArenaError

__all__ = [
    "EntryProblem",
    "FeedEntry",
    "FeedError",
    "FeedFetchError",
    "FeedFormat",
    "FeedRead",
    "parse_feed",
]

_HTTP_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)

_SPACE = re.compile(r"\s+")


class FeedError(ArenaError, ValueError):
    """The file or download is not a readable feed or event list; nothing was read from it."""


class FeedFetchError(FeedError):
    """A feed URL could not be fetched (offline, timeout, too large, redirect, HTTP error)."""


class FeedFormat(StrEnum):
    FEED = "feed"  # RSS 0.9x/1.0/2.0 or Atom, read by feedparser
    JSON = "json"  # a list of event objects, or {"events": [...]}
    JSONL = "jsonl"  # one event object per line
    CSV = "csv"  # a header row, one event per row

    @classmethod
    def from_name(cls, name: str) -> FeedFormat | None:
        """The format a file name's suffix says, or None when it says nothing."""
        suffix = PurePath(name).suffix.lower()
        return {
            ".xml": cls.FEED,
            ".rss": cls.FEED,
            ".atom": cls.FEED,
            ".feed": cls.FEED,
            ".json": cls.JSON,
            ".jsonl": cls.JSONL,
            ".ndjson": cls.JSONL,
            ".csv": cls.CSV,
        }.get(suffix)

    @classmethod
    def sniff(cls, data: bytes) -> FeedFormat | None:
        """The format the content looks like: markup, JSON, JSON lines or a CSV header."""
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<"):
            return cls.FEED
        if head.startswith(b"["):
            return cls.JSON
        if head.startswith(b"{"):
            _, _, rest = head.partition(b"\n")
            return cls.JSONL if rest.lstrip().startswith(b"{") else cls.JSON
        first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
        if "," in first_line and "title" in first_line:
            return cls.CSV
        return None


@dataclass(frozen=True)
class FeedEntry:
    """One event as read, not yet validated for storage nor compared with the stored events."""

    where: str  # "entry 3", "line 4", "item 2": how the file's reader finds it
    title: str
    event_date: date
    summary: str  # plain text (feed HTML reduced to text)
    url: str  # http(s), or "" when the entry has no link
    dimensions: tuple[Dimension, ...] = ()  # named by an event list; () = to be proposed
    tags: tuple[str, ...] = ()  # a feed entry's categories (extra words for the proposal)


@dataclass(frozen=True)
class EntryProblem:
    """An entry that cannot become an event, with the field at fault."""

    where: str
    field: str
    problem: str
    title: str = ""

    def describe(self, name: str) -> str:
        about = f" ({self.title[:60]})" if self.title else ""
        return f"{name}, {self.where}{about}: field {self.field}: {self.problem}"


@dataclass(frozen=True)
class FeedRead:
    """What one file or download gave: the good entries and the problems, in file order."""

    name: str
    format: FeedFormat
    entries: tuple[FeedEntry, ...]
    problems: tuple[EntryProblem, ...]

    @property
    def read(self) -> int:
        return len(self.entries) + len(self.problems)


# --- text helpers ------------------------------------------------------------------------------


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li"):
            self.parts.append("\n")


def _plain(text: str) -> str:
    """Feed HTML as plain text: tags dropped, entities decoded, runs of blank space folded."""
    if "<" in text:
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", _plain(text)).strip()


def _parse_date(value: str) -> date:
    """An ISO date or date-time, or an RFC 822 date (RSS ``pubDate``); the calendar date in the
    value's own time zone (a Beijing-time 01:00 on 1 December is 1 December, not 30 November)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"not a date: {value!r:.60} (expected YYYY-MM-DD, ISO 8601 or RFC 822)") from None


# --- feeds -------------------------------------------------------------------------------------


def _entry_date(entry: Mapping[str, Any]) -> date | None:
    for key in ("published", "updated", "created", "dc_date"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            try:
                return _parse_date(raw)
            except ValueError:
                pass
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed is not None:  # feedparser's UTC struct: a fallback for dates we could not read
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _parse_rss_atom(data: bytes, name: str) -> FeedRead:
    parsed = feedparser.parse(data)
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(error, feedparser.CharacterEncodingOverride):
        raise FeedError(f"{name}: not a well-formed RSS or Atom feed: {error}")
    if not parsed.get("version"):
        raise FeedError(f"{name}: not an RSS or Atom feed (no <rss>, <rdf:RDF> or <feed> root element)")
    entries: list[FeedEntry] = []
    problems: list[EntryProblem] = []
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"entry {number}"
        title = _one_line(str(entry.get("title", "")))
        if not title:
            problems.append(EntryProblem(where, "title", "missing"))
            continue
        when = _entry_date(entry)
        if when is None:
            problems.append(EntryProblem(where, "date", "missing (no pubDate, published or updated)", title))
            continue
        url = str(entry.get("link", "")).strip()
        if url and not _HTTP_URL.match(url):
            problems.append(EntryProblem(where, "link", f"not an http(s) URL: {url[:80]!r}", title))
            continue
        summary = _plain(str(entry.get("summary", "") or entry.get("description", "")))
        tags = tuple(str(t.get("term", "")).strip() for t in entry.get("tags", ()) if t.get("term"))
        entries.append(FeedEntry(where, title, when, summary, url, (), tags))
    return FeedRead(name, FeedFormat.FEED, tuple(entries), tuple(problems))


# --- event lists -------------------------------------------------------------------------------

_FIELDS = {
    "title": ("title", "标题"),
    "date": ("date", "event_date", "published", "日期"),
    "summary": ("summary", "description", "摘要"),
    "url": ("url", "link", "source_url", "链接"),
    "dimensions": ("dimensions", "dimension", "维度"),
}


def _field(record: Mapping[str, Any], field: str) -> Any:
    for key in _FIELDS[field]:
        if key in record and record[key] not in (None, ""):
            return record[key]
    return None


def _dimensions(value: Any) -> tuple[Dimension, ...]:
    if value is None:
        return ()
    names = value if isinstance(value, list) else re.split(r"[,，、;；|]", str(value))
    return tuple(dict.fromkeys(Dimension.parse(str(n)) for n in names if str(n).strip()))


def _list_entry(record: Any, where: str) -> FeedEntry | EntryProblem:
    if not isinstance(record, dict):
        return EntryProblem(
            where, "-", f"expected an object with title, date, summary, url, got {record!r:.60}"
        )
    title = _one_line(str(_field(record, "title") or ""))
    if not title:
        return EntryProblem(where, "title", "missing")
    raw_date = _field(record, "date")
    if raw_date is None:
        return EntryProblem(where, "date", "missing", title)
    try:
        when = _parse_date(str(raw_date))
    except ValueError as exc:
        return EntryProblem(where, "date", str(exc), title)
    url = str(_field(record, "url") or "").strip()
    if url and not _HTTP_URL.match(url):
        return EntryProblem(where, "url", f"not an http(s) URL: {url[:80]!r}", title)
    try:
        dims = _dimensions(_field(record, "dimensions"))
    except ValueError as exc:
        return EntryProblem(where, "dimensions", str(exc), title)
    return FeedEntry(where, title, when, _plain(str(_field(record, "summary") or "")), url, dims)


def _collect(name: str, kind: FeedFormat, items: Iterable[tuple[str, Any]]) -> FeedRead:
    entries: list[FeedEntry] = []
    problems: list[EntryProblem] = []
    for where, record in items:
        result = _list_entry(record, where)
        if isinstance(result, FeedEntry):
            entries.append(result)
        else:
            problems.append(result)
    return FeedRead(name, kind, tuple(entries), tuple(problems))


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(f"{name}: not UTF-8 text ({exc})") from None


def _parse_json(data: bytes, name: str) -> FeedRead:
    try:
        document = json.loads(_text(data, name))
    except json.JSONDecodeError as exc:
        raise FeedError(f"{name}: not valid JSON: line {exc.lineno}: {exc.msg}") from None
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        document = document["events"]
    if not isinstance(document, list):
        raise FeedError(f'{name}: expected a JSON list of events or {{"events": [...]}}')
    return _collect(name, FeedFormat.JSON, ((f"item {n}", r) for n, r in enumerate(document, start=1)))


def _parse_jsonl(data: bytes, name: str) -> FeedRead:
    records: list[tuple[str, Any]] = []
    for number, line in enumerate(_text(data, name).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise FeedError(f"{name}, line {number}: not valid JSON: {exc.msg}") from None
    return _collect(name, FeedFormat.JSONL, records)


def _parse_csv(data: bytes, name: str) -> FeedRead:
    reader = csv.DictReader(io.StringIO(_text(data, name), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if not any(h in _FIELDS["title"] for h in header):
        raise FeedError(
            f"{name}, line 1: a CSV event list needs a header row with a title column, got {header}"
        )
    reader.fieldnames = header
    records = []
    for row in reader:
        records.append((f"line {reader.line_num}", {k: (v or "").strip() for k, v in row.items() if k}))
    return _collect(name, FeedFormat.CSV, records)


_PARSERS: dict[FeedFormat, Callable[[bytes, str], FeedRead]] = {
    FeedFormat.FEED: _parse_rss_atom,
    FeedFormat.JSON: _parse_json,
    FeedFormat.JSONL: _parse_jsonl,
    FeedFormat.CSV: _parse_csv,
}


def parse_feed(data: bytes, *, name: str, format: FeedFormat | None = None) -> FeedRead:
    """Read a feed or an event list: ``format``, else the name's suffix, else the content decides."""
    kind = format or FeedFormat.from_name(name) or FeedFormat.sniff(data)
    if kind is None:
        raise FeedError(f"{name}: neither an RSS/Atom feed nor a JSON, JSONL or CSV event list")
    if not data.strip():
        raise FeedError(f"{name}: empty")
    return _PARSERS[kind](data, name)
