"""The request log: one entry per API request, kept in memory and optionally appended to a JSONL file."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["LogEntry", "RequestLog", "read_request_log"]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What the server decided for one request (written before any latency or hang)."""

    seq: int
    time: float
    path: str
    model: str | None
    status: int
    kind: str  # demo | generic | judge | generator[_malformed] | models | bad_request | unauthorized
    fault: str | None = None
    question_id: str | None = None  # demo question matched, for answers and judge prompts
    prompt_sha256: str | None = None  # of the last user message, first 16 hex digits
    verdict: str | None = None  # judge replies: the marker sent, or the reason it is malformed

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> LogEntry:
        data: dict[str, Any] = json.loads(line)
        return cls(**data)


class RequestLog:
    """Thread-safe; the file, if any, is flushed after every line so readers see it at once."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: list[LogEntry] = []
        self._seq = 0  # not reset by clear(), so numbers stay unique for the server's life
        self._file: IO[str] | None = path.open("a", encoding="utf-8") if path is not None else None

    def record(self, *, path: str, model: str | None, status: int, kind: str, **details: Any) -> LogEntry:
        """Append an entry, numbering it under the lock so concurrent requests get distinct numbers."""
        with self._lock:
            self._seq += 1
            entry = LogEntry(self._seq, time.time(), path, model, status, kind, **details)
            self._entries.append(entry)
            if self._file is not None:
                self._file.write(entry.to_json() + "\n")
                self._file.flush()
        return entry

    def entries(self) -> tuple[LogEntry, ...]:
        with self._lock:
            return tuple(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def read_request_log(path: Path) -> list[LogEntry]:
    """Entries of a JSONL request log file (as written with ``--request-log``)."""
    with path.open(encoding="utf-8") as handle:
        return [LogEntry.from_json(line) for line in handle if line.strip()]
