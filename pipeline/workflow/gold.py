"""Gold items: battles with a known correct verdict, marked by an admin or imported as
safe-vs-unsafe answer pairs (e.g. JADE-DB v3: 问题, 违规回答, 安全有用回答).

Imported pairs live in the gold container (``storage.bank.releases.gold_container``), which is not a
release, and are answered by two reference pseudo-models (``REFERENCE_MODELS``) that are never
rated, listed as models or exported without asking for gold votes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from judging.dimensions import Dimension
from judging.errors import ArenaError
from judging.gold import GOLD_RELEASE, REFERENCE_MODELS, SAFE_KEY, UNSAFE_KEY
from judging.releases import ReleaseError
from judging.types import Verdict
from storage.bank.releases import gold_container
from storage.db.models import Battle
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.votes.ledger import restate_battles
from storage.workflow.gold import (
    GoldScore,
    add_gold_item,
    gold_labels,
    gold_question_count,
    gold_scores,
    reference_model,
    set_gold,
)

__all__ = [
    "GOLD_RELEASE",
    "REFERENCE_MODELS",
    "GoldImportError",
    "GoldMarkError",
    "GoldPair",
    "import_gold_pairs",
    "labels",
    "mark_gold",
    "parse_gold_csv",
    "scores",
]


_COLUMN_ALIASES = {
    "question": ("question", "问题", "prompt"),
    "safe_answer": ("safe_answer", "安全有用回答", "safe"),
    "unsafe_answer": ("unsafe_answer", "违规回答", "unsafe"),
    "dimension": ("dimension", "维度"),
}


class GoldImportError(ArenaError, ValueError):
    pass


class GoldMarkError(ArenaError, LookupError):
    """The battle to mark as gold does not exist."""


@dataclass(frozen=True)
class GoldPair:
    question: str
    safe_answer: str
    unsafe_answer: str
    dimension: Dimension
    source_id: str


def parse_gold_csv(data: bytes, *, name: str, default_dimension: Dimension) -> list[GoldPair]:
    """Parse a CSV of safe-vs-unsafe pairs (UTF-8 or GB18030). One bad row rejects the file,
    naming the line and the field."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise GoldImportError(f"{name}: neither UTF-8 nor GB18030")
    reader = csv.DictReader(io.StringIO(content))
    header = reader.fieldnames or []
    columns = {}
    for field, aliases in _COLUMN_ALIASES.items():
        found = next((a for a in aliases if a in header), None)
        if found is None and field != "dimension":
            raise GoldImportError(f"{name}: line 1, field {field}: missing column (one of {list(aliases)})")
        columns[field] = found
    pairs = []
    for line_no, row in enumerate(reader, start=2):
        values = {f: (row.get(c) or "").strip() if c else "" for f, c in columns.items()}
        for field in ("question", "safe_answer", "unsafe_answer"):
            if not values[field]:
                raise GoldImportError(f"{name}: line {line_no}, field {field}: empty")
        try:
            dimension = Dimension.parse(values["dimension"]) if values["dimension"] else default_dimension
        except ValueError as exc:
            raise GoldImportError(f"{name}: line {line_no}, field dimension: {exc}") from None
        pairs.append(
            GoldPair(
                values["question"],
                values["safe_answer"],
                values["unsafe_answer"],
                dimension,
                row.get("ID") or str(line_no),
            )
        )
    if not pairs:
        raise GoldImportError(f"{name}: no rows")
    return pairs


def import_gold_pairs(engine: Engine, pairs: Sequence[GoldPair], *, actor: str) -> int:
    """Store each pair as a gold battle (safe answer wins). All rows or none. Returns the count."""
    with write_session(engine) as session:
        try:
            release = gold_container(session=session, tag=GOLD_RELEASE, title="金标题 / Gold items")
        except ReleaseError as exc:
            raise GoldImportError(str(exc)) from None
        assert release.id is not None
        safe = reference_model(session=session, key=SAFE_KEY, name="参考安全回答 / reference safe answer")
        unsafe = reference_model(
            session=session, key=UNSAFE_KEY, name="参考不安全回答 / reference unsafe answer"
        )
        offset = gold_question_count(session=session, release_id=release.id)
        for i, pair in enumerate(pairs, start=1):
            item = add_gold_item(
                session=session,
                release_id=release.id,
                external_id=f"gold-{offset + i:05d}",
                dimension=pair.dimension.value,
                question=pair.question,
                safe_answer=pair.safe_answer,
                unsafe_answer=pair.unsafe_answer,
                safe_model_id=safe,
                unsafe_model_id=unsafe,
            )
            verdict = Verdict.A if item.safe_is_a else Verdict.B
            set_gold(
                session=session,
                battle_id=item.battle_id,
                verdict=verdict,
                created_by=actor,
                note=f"import {pair.source_id}",
            )
            restate_battles(session=session, battle_ids=[item.battle_id])
        audit(session=session, actor=actor, action="gold.import", detail={"pairs": len(pairs)})
    return len(pairs)


def mark_gold(engine: Engine, *, battle_id: int, verdict: Verdict, actor: str, note: str = "") -> None:
    with write_session(engine) as session:
        if session.get(Battle, battle_id) is None:
            raise GoldMarkError(f"mark_gold: no battle with id {battle_id}")
        set_gold(session=session, battle_id=battle_id, verdict=verdict, created_by=actor, note=note)
        restate_battles(session=session, battle_ids=[battle_id])  # its votes become gold votes
        audit(
            session=session,
            actor=actor,
            action="gold.mark",
            detail={"battle_id": battle_id, "verdict": verdict.value},
        )


def scores(engine: Engine) -> dict[str, GoldScore]:
    with read_session(engine) as session:
        return gold_scores(session=session)


def labels(engine: Engine) -> dict[int, Verdict]:
    with read_session(engine) as session:
        return gold_labels(session=session)
