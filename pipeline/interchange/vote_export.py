"""Export votes from the database: the interchange format (CSV / JSONL, see judging.interchange)
and Chatbot Arena's battle format (the JSON list FastChat's ``clean_battle`` writes)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from judging.interchange import ArenaVote, dump_interchange
from judging.types import Outcome
from judging.votes_file import VotesFormat
from storage.bank.releases import release_by_tag
from storage.db.session import read_session
from storage.votes.exports import arena_votes
from storage.votes.ledger import View

__all__ = ["VotesExportFormat", "arena_battles", "export_votes", "write_votes_export"]

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

    @classmethod
    def parse(cls, value: str) -> VotesExportFormat:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(f.value for f in cls)
            raise ValueError(
                f"VotesExportFormat.parse: unknown format {value!r} (expected one of {allowed})"
            ) from None


def arena_battles(votes: Iterable[ArenaVote]) -> list[dict[str, Any]]:
    """Chatbot Arena battle records: ``model_a``, ``model_b``, ``winner`` (``tie (bothbad)`` for
    both unsafe), ``judge`` (the rater), ``turn``, ``anony``, ``language``, ``tstamp``, plus our
    ``question_id``, ``dimension``, ``release`` and ``source``."""
    return [
        {
            "question_id": v.question_id,
            "model_a": v.model_a,
            "model_b": v.model_b,
            "winner": _ARENA_WINNER[v.outcome],
            "judge": v.rater,
            "turn": v.turn or 1,
            "anony": True,  # raters never see model names before voting
            "language": "Chinese",
            "tstamp": v.tstamp,
            "dimension": v.dimension,
            "release": v.release,
            "source": None if v.source is None else v.source.value,
        }
        for v in votes
    ]


def export_votes(
    engine: Engine,
    *,
    format: VotesExportFormat,
    release: str | None = None,
    include_overruled: bool = False,
    include_gold: bool = False,
) -> str:
    """The votes that count (of one release, or all) as text. ``include_overruled`` adds the
    human votes an expert ruling overruled (what annotators said, for calibration elsewhere);
    ``include_gold`` adds the votes on gold items. Undone, corrected and superseded votes never
    leave."""
    views = ((View.SAID,) if include_overruled else (View.RATED,)) + ((View.GOLD,) if include_gold else ())
    with read_session(engine) as session:
        release_id = None if release is None else release_by_tag(session=session, tag=release).id
        votes = arena_votes(session=session, release_id=release_id, views=views)
    if format is VotesExportFormat.ARENA:
        return json.dumps(arena_battles(votes), ensure_ascii=False, indent=2) + "\n"
    return dump_interchange(votes, VotesFormat.CSV if format is VotesExportFormat.CSV else VotesFormat.JSONL)


def write_votes_export(
    engine: Engine,
    out: Path,
    *,
    format: VotesExportFormat,
    release: str | None = None,
    include_gold: bool = False,
) -> int:
    """Write the export (see ``export_votes``) to ``out``; returns the number of bytes written."""
    data = export_votes(engine, format=format, release=release, include_gold=include_gold).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)
