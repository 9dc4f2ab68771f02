"""A release's questions out in the LiveSecBench schema, stamped and, on request, one file per
dimension.

Stamping: a question of a published release whose ``release_date`` is empty leaves with the
release's date (``YYYY-MM-DD``): the date its ``vYYMMDD`` tag names, else (a tag that is not a date)
the day it was published, in UTC; a date the question already had (an imported
LiveSecBench question, an anchor carried over) stays, and so does its ``version`` (the question's
own revision, an integer as in LiveSecBench). A draft exports as stored.

Per dimension: LiveSecBench reads one directory per question set
(``question_set/{name}/*.json``), so ``per_dimension`` writes ``OUT/{dimension}/{release}.json``
(``.jsonl``/``.csv`` for those formats), one directory per dimension with questions, staged and
renamed into place (``judging.staged_files``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from judging.questions import ExportFormat, QuestionRecord, export_records
from judging.releases import ReleaseStatus
from judging.staged_files import check_target, write_directory
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.session import read_session

__all__ = ["EXTENSIONS", "dimension_files", "export_release", "release_records", "write_question_export"]

EXTENSIONS = {ExportFormat.LIVESECBENCH: "json", ExportFormat.JSONL: "jsonl", ExportFormat.CSV: "csv"}


def release_records(engine: Engine, release: str) -> list[QuestionRecord]:
    """The release's questions (not retired), a published release's stamped with its date."""
    with read_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        assert found.id is not None
        records = [q.record for q in question_store.release_questions(session=session, release_id=found.id)]
    day = _release_day(found.tag, found.published_at) if found.status == ReleaseStatus.PUBLISHED else None
    if day is None:
        return records
    return [r if r.release_date else dataclasses.replace(r, release_date=day) for r in records]


def _release_day(tag: str, published_at: datetime | None) -> str | None:
    """The date a published release's tag names (v261201 -> 2026-12-01), else its publication day."""
    match = re.fullmatch(r"v(\d{2})(\d{2})(\d{2})", tag)
    if match is not None:
        try:
            return date(2000 + int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            pass
    if published_at is None:
        return None
    moment = published_at if published_at.tzinfo else published_at.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date().isoformat()


def export_release(engine: Engine, release: str, format: ExportFormat) -> str:
    """The stamped questions as one text in ``format`` (write it as UTF-8)."""
    return export_records(release_records(engine, release), format)


def dimension_files(
    records: Sequence[QuestionRecord], release: str, format: ExportFormat
) -> dict[str, bytes]:
    """``{dimension}/{release}.{ext}`` -> content, for each dimension with questions."""
    by_dimension: dict[str, list[QuestionRecord]] = {}
    for record in records:
        by_dimension.setdefault(record.dimension.value, []).append(record)
    return {
        f"{dimension}/{release}.{EXTENSIONS[format]}": export_records(chosen, format).encode("utf-8")
        for dimension, chosen in sorted(by_dimension.items())
    }


def write_question_export(
    engine: Engine,
    release: str,
    format: ExportFormat,
    out: Path,
    *,
    per_dimension: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write one file ``out`` or (``per_dimension``) the directory ``out``; returns the paths.
    A directory target must be absent or empty unless ``force``."""
    if per_dimension:
        check_target(out, force=force, who="export-questions")
        files = dimension_files(release_records(engine, release), release, format)
        return write_directory(files, out, force=force, who="export-questions")
    data = export_release(engine, release, format).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return [out]
