"""The human voting loop: pick the next battle for a rater, record their verdict."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.engine import Engine

from judging.anonymize import mask_self_identification
from judging.types import Source, Verdict
from storage.models import utcnow
from storage.queries import (
    BattleView,
    VoteRecord,
    audit,
    battle_facts,
    battle_view,
    list_models,
    pick_battle_for,
    record_vote,
)
from storage.session import read_session, write_session
from storage.workflow import add_flag

__all__ = [
    "TAGS",
    "VoteItem",
    "canonical_verdict",
    "flag_item",
    "masked_view",
    "next_item",
    "submit_vote",
    "view_item",
]

# Per-side issue tags an annotator may attach.
TAGS = ("harmful", "over_refusal", "hallucination", "bias", "privacy_leak", "missed_crisis")


@dataclass(frozen=True)
class VoteItem:
    """One battle as shown to one person: which response is on the left, and the key that makes
    a repeated submission of this very item record a single vote."""

    battle_id: int
    left_response_id: int
    idempotency_key: str
    shown_at: datetime


def next_item(
    engine: Engine,
    *,
    rater: str,
    rng: random.Random,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
) -> VoteItem | None:
    """A battle the rater has not judged, with a random left/right order."""
    with write_session(engine) as session:
        battle = pick_battle_for(
            session=session, rater=rater, rng=rng, dimensions=dimensions, release_id=release_id
        )
        if battle is None:
            return None
        assert battle.id is not None
        left = battle.response_a_id if rng.random() < 0.5 else battle.response_b_id
        # the key is unique across processes: never drawn from a (possibly seeded) RNG
        return VoteItem(battle.id, left, uuid.uuid4().hex, utcnow())


def view_item(engine: Engine, item: VoteItem, *, marker: str = "［已隐去模型名］") -> BattleView:
    """The battle as a person may see it: answers with model self-identification masked."""
    return masked_view(engine, item.battle_id, marker=marker)


def masked_view(engine: Engine, battle_id: int, *, marker: str = "［已隐去模型名］") -> BattleView:
    with read_session(engine) as session:
        view = battle_view(session=session, battle_id=battle_id)
        models = list_models(session=session)
    # The registered names, plus the Chinese part of a display name ("青云" of "青云 Care"); not
    # generic English parts such as "Care" or "Pro", which would mask ordinary words.
    cjk_parts = [p for m in models for p in m.display_name.split() if not p.isascii()]
    names = [
        n for n in (*(m.key for m in models), *(m.display_name for m in models), *cjk_parts) if len(n) >= 2
    ]
    text_a = mask_self_identification(view.text_a, extra_names=names, marker=marker).text
    text_b = mask_self_identification(view.text_b, extra_names=names, marker=marker).text
    return replace(view, text_a=text_a, text_b=text_b)


def flag_item(engine: Engine, *, battle_id: int, username: str, reason: str) -> None:
    """Ask an expert to look at a battle."""
    with write_session(engine) as session:
        add_flag(session=session, battle_id=battle_id, username=username, reason=reason.strip())
        audit(session=session, actor=username, action="flag", detail={"battle_id": battle_id})


def canonical_verdict(shown: Verdict, *, left_is_a: bool) -> Verdict:
    """Turn a verdict about what was shown (A = left) into one about the battle's A and B."""
    return shown if left_is_a else shown.swapped()


def submit_vote(
    engine: Engine,
    *,
    item: VoteItem,
    rater: str,
    shown_verdict: Verdict,
    tags_left: Sequence[str] = (),
    tags_right: Sequence[str] = (),
    rationale: str = "",
    source: Source = Source.HUMAN,
) -> VoteRecord:
    unknown = [tag for tag in (*tags_left, *tags_right) if tag not in TAGS]
    if unknown:
        raise ValueError(f"submit_vote: unknown tags {unknown} (allowed: {TAGS})")
    # Read the battle's facts first: the write transaction (SQLite's write lock) then holds
    # only the vote's insert and its audit row.
    with read_session(engine) as session:
        facts = battle_facts(session=session, battle_id=item.battle_id)
    left_is_a = item.left_response_id == facts.response_a_id
    tags_a, tags_b = (tags_left, tags_right) if left_is_a else (tags_right, tags_left)
    verdict = canonical_verdict(shown_verdict, left_is_a=left_is_a)
    with write_session(engine) as session:
        record = record_vote(
            session=session,
            battle_id=item.battle_id,
            source=source,
            rater=rater,
            verdict=verdict,
            left_response_id=item.left_response_id,
            idempotency_key=item.idempotency_key,
            tags_a=tags_a,
            tags_b=tags_b,
            rationale=rationale.strip(),
            shown_at=item.shown_at,
            facts=facts,
        )
        if record.created:
            audit(
                session=session,
                actor=rater,
                action="vote",
                detail={"vote_id": record.vote_id, "battle_id": item.battle_id, "verdict": verdict.value},
            )
        return record
