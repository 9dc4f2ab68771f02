"""Export votes from the database: the interchange format (CSV / JSONL, see judging.interchange)
and Chatbot Arena's battle format (the JSON list FastChat's ``clean_battle`` writes, or JSONL).

Every export carries the per-side harm tags (``tags_a``, ``tags_b``: on ``model_a``/``model_b``)
and the rater's ``rationale`` beside the interchange columns. Exports are public by default:
annotators' and experts' names are replaced by stable pseudonyms (``pipeline.interchange.pseudonyms``);
``real_names=True`` keeps them for internal use and leaves an audit entry.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from judging.csv_cells import neutralise_cell
from judging.interchange import ArenaVote, dump_interchange
from judging.types import Outcome
from judging.votes_file import VotesFormat
from pipeline.interchange.pseudonyms import anonymise, pseudonym_secret
from storage.bank.releases import release_by_tag
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.votes.exports import VoteDetail, vote_details
from storage.votes.ledger import View

__all__ = ["NOTE_COLUMNS", "VotesExportFormat", "arena_battles", "export_votes", "write_votes_export"]

# Added after the interchange columns (readers ignore columns they do not know).
NOTE_COLUMNS = ("tags_a", "tags_b", "rationale")

_ARENA_WINNER = {
    Outcome.A_WINS: "model_a",
    Outcome.B_WINS: "model_b",
    Outcome.TIE: "tie",
    Outcome.BOTH_BAD: "tie (bothbad)",
}


class VotesExportFormat(StrEnum):
    CSV = "csv"  # interchange, CSV
    JSONL = "jsonl"  # interchange, JSONL
    ARENA = "arena"  # Chatbot Arena battles, JSON list
    ARENA_JSONL = "arena-jsonl"  # Chatbot Arena battles, one JSON object per line

    @classmethod
    def parse(cls, value: str) -> VotesExportFormat:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(f.value for f in cls)
            raise ValueError(
                f"VotesExportFormat.parse: unknown format {value!r} (expected one of {allowed})"
            ) from None


def _battle(vote: ArenaVote) -> dict[str, Any]:
    return {
        "question_id": vote.question_id,
        "model_a": vote.model_a,
        "model_b": vote.model_b,
        "winner": _ARENA_WINNER[vote.outcome],
        "judge": vote.rater,
        "turn": vote.turn or 1,
        "anony": True,  # raters never see model names before voting
        "language": "Chinese",
        "tstamp": vote.tstamp,
        "dimension": vote.dimension,
        "release": vote.release,
        "source": None if vote.source is None else vote.source.value,
        "shown_first": None if vote.shown_first is None else vote.shown_first.value,
    }


def arena_battles(votes: Iterable[ArenaVote | VoteDetail]) -> list[dict[str, Any]]:
    """Chatbot Arena battle records: ``model_a``, ``model_b``, ``winner`` (``tie (bothbad)`` for
    both unsafe), ``judge`` (the rater), ``turn``, ``anony``, ``language``, ``tstamp``, plus our
    ``question_id``, ``dimension``, ``release``, ``source`` and ``shown_first`` (``a``/``b``: the
    model shown on the left); a ``VoteDetail`` adds ``tags_a``, ``tags_b`` (lists) and
    ``rationale``."""
    records = []
    for item in votes:
        if isinstance(item, VoteDetail):
            record = _battle(item.vote)
            record.update(tags_a=list(item.tags_a), tags_b=list(item.tags_b), rationale=item.rationale)
        else:
            record = _battle(item)
        records.append(record)
    return records


def _with_notes_csv(text: str, details: Sequence[VoteDetail]) -> str:
    """The interchange CSV with the note columns appended (tags as JSON lists, cells guarded)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], *NOTE_COLUMNS])
    for row, detail in zip(rows[1:], details, strict=True):
        notes = (
            json.dumps(list(detail.tags_a), ensure_ascii=False),
            json.dumps(list(detail.tags_b), ensure_ascii=False),
            detail.rationale,
        )
        writer.writerow([*row, *(neutralise_cell(cell) for cell in notes)])
    return out.getvalue()


def _with_notes_jsonl(text: str, details: Sequence[VoteDetail]) -> str:
    lines = []
    for line, detail in zip(text.splitlines(), details, strict=True):
        row = json.loads(line)
        row.update(tags_a=list(detail.tags_a), tags_b=list(detail.tags_b), rationale=detail.rationale)
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(lines)


def render_votes(details: Sequence[VoteDetail], format: VotesExportFormat) -> str:
    """The votes as text in ``format``, notes included."""
    if format is VotesExportFormat.ARENA:
        return json.dumps(arena_battles(details), ensure_ascii=False, indent=2) + "\n"
    if format is VotesExportFormat.ARENA_JSONL:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in arena_battles(details))
    votes = [d.vote for d in details]
    if format is VotesExportFormat.CSV:
        return _with_notes_csv(dump_interchange(votes, VotesFormat.CSV), details)
    return _with_notes_jsonl(dump_interchange(votes, VotesFormat.JSONL), details)


def export_votes(
    engine: Engine,
    *,
    format: VotesExportFormat,
    release: str | None = None,
    include_overruled: bool = False,
    include_gold: bool = False,
    real_names: bool = False,
    actor: str = "cli",
) -> str:
    """The votes that count (of one release, or all) as text. ``include_overruled`` adds the
    human votes an expert ruling overruled (what annotators said, for calibration elsewhere);
    ``include_gold`` adds the votes on gold items. Undone, corrected and superseded votes never
    leave. People appear under pseudonyms unless ``real_names`` (audited as ``actor``)."""
    views = ((View.SAID,) if include_overruled else (View.RATED,)) + ((View.GOLD,) if include_gold else ())
    with read_session(engine) as session:
        release_id = None if release is None else release_by_tag(session=session, tag=release).id
        details = vote_details(session=session, release_id=release_id, views=views)
    if real_names:
        with write_session(engine) as session:
            audit(
                session=session,
                actor=actor,
                action="votes.export_real_names",
                detail={"release": release, "format": format.value, "votes": len(details)},
            )
    else:
        secret = pseudonym_secret(engine)
        details = [dataclasses.replace(d, vote=anonymise(d.vote, secret)) for d in details]
    return render_votes(details, format)


def write_votes_export(
    engine: Engine,
    out: Path,
    *,
    format: VotesExportFormat,
    release: str | None = None,
    include_gold: bool = False,
    real_names: bool = False,
    actor: str = "cli",
) -> int:
    """Write the export (see ``export_votes``) to ``out``; returns the number of bytes written."""
    data = export_votes(
        engine, format=format, release=release, include_gold=include_gold, real_names=real_names, actor=actor
    ).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)
