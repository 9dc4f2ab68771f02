"""The human voting loop: pick the next battle for a rater, record their verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from judging.anonymize import mask_self_identification
from judging.errors import ArenaError
from judging.harm_tags import HARM_TAGS, check_tag_keys
from judging.ledger import EntryKind, Status
from judging.types import Source, Verdict
from storage.db.models import Vote, utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.votes.battles import BattleView, battle_view, list_models
from storage.votes.ledger import statuses_of
from storage.votes.record import BattleFacts, VoteRecord, battle_facts, record_vote
from storage.workflow.adjudication import add_flag
from storage.workflow.assignments import add_skip, renew_lease

__all__ = [
    "SKIP_REASONS",
    "TAGS",
    "UNDO_WINDOW",
    "BattleView",
    "LedgerError",
    "UndoResult",
    "UnknownTagError",
    "VoteItem",
    "VoteNotSavedError",
    "canonical_verdict",
    "flag_item",
    "last_undoable_vote",
    "masked_view",
    "retract_vote",
    "skip_item",
    "submit_vote",
    "undo_last_vote",
    "view_item",
]

# Per-side issue tags an annotator may attach: the one list the LLM judge uses too.
TAGS = HARM_TAGS
# Why a person passed on an item (看不懂 / 需要专业知识 / 内容不适 / 其他); "" = no reason given.
SKIP_REASONS = ("unclear", "expertise", "distressing", "other")
UNDO_WINDOW = timedelta(minutes=10)


_WRITE_ATTEMPTS = 3


class VoteNotSavedError(ArenaError, RuntimeError):
    """The vote could not be written (the database stayed busy); nothing was stored, and
    submitting the same item again is safe."""


class LedgerError(ArenaError, ValueError):
    """A retraction, undo or skip that the ledger refuses; the message says why. Nothing is written."""


class UnknownTagError(ArenaError, ValueError):
    """A vote named harm tags that are not in ``TAGS`` (``tags``: each once, in the order given); nothing was
    stored. The message is ``check_tag_keys``'s, naming the tags and the allowed ones."""

    def __init__(self, message: str, *, tags: tuple[str, ...]) -> None:
        super().__init__(message)
        self.tags = tags


@dataclass(frozen=True)
class UndoResult:
    vote_id: int  # the vote that was undone
    retraction_id: int
    battle_id: int


@dataclass(frozen=True)
class VoteItem:
    """One battle as shown to one person: which response is on the left, and the key that makes
    a repeated submission of this very item record a single vote."""

    battle_id: int
    left_response_id: int
    idempotency_key: str
    shown_at: datetime


def view_item(engine: Engine, item: VoteItem, *, marker: str = "［已隐去模型名］") -> BattleView:
    """The battle as a person may see it: answers with model self-identification masked."""
    return masked_view(engine, item.battle_id, marker=marker)


def masked_view(engine: Engine, battle_id: int, *, marker: str = "［已隐去模型名］") -> BattleView:
    """The battle with model self-identification in both answers masked (docs/masking.md)."""
    with read_session(engine) as session:
        view = battle_view(session=session, battle_id=battle_id)
        models = list_models(session=session)
    # The registered keys and display names (masked wherever they stand as whole tokens), plus the
    # Chinese part of a display name ("青云" of "青云 Care", "通用" of "通用 Mock"), which masking
    # hides only in an identity phrasing ("我是青云，"), never in "通用的建议". Not generic English
    # parts such as "Care" or "Pro", which would mask ordinary words.
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
    """Record a person's verdict on an item as shown to them (A = left). Raises ``UnknownTagError``
    for a tag not in ``TAGS`` and ``VoteNotSavedError`` when the database stays busy; neither
    stores anything."""
    given = [*tags_left, *tags_right]
    try:
        check_tag_keys(given, where="submit_vote")
    except ValueError as error:
        unknown = tuple(dict.fromkeys(str(tag) for tag in given if tag not in HARM_TAGS))
        raise UnknownTagError(str(error), tags=unknown) from error
    # Read the battle's facts first: the write transaction (SQLite's write lock) then holds
    # only the vote's insert and its audit row.
    with read_session(engine) as session:
        facts = battle_facts(session=session, battle_id=item.battle_id)
    left_is_a = item.left_response_id == facts.response_a_id
    tags_a, tags_b = (tags_left, tags_right) if left_is_a else (tags_right, tags_left)
    verdict = canonical_verdict(shown_verdict, left_is_a=left_is_a)
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            return _write_vote(engine, item, rater, verdict, tags_a, tags_b, rationale, source, facts)
        except OperationalError as error:
            # the database stayed busy past its timeout (a bulk job holding SQLite's write lock):
            # the idempotency key makes a retry safe; after the last one the person is told plainly
            if attempt + 1 == _WRITE_ATTEMPTS:
                raise VoteNotSavedError(
                    "submit_vote: the database is busy and the vote was not saved; please submit again"
                ) from error
    raise AssertionError("unreachable")  # pragma: no cover


def _write_vote(
    engine: Engine,
    item: VoteItem,
    rater: str,
    verdict: Verdict,
    tags_a: Sequence[str],
    tags_b: Sequence[str],
    rationale: str,
    source: Source,
    facts: BattleFacts,
) -> VoteRecord:
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


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC (storage.db.models.utcnow).
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def retract_vote(
    engine: Engine,
    *,
    vote_id: int,
    actor: str,
    now: datetime | None = None,
    window: timedelta | None = UNDO_WINDOW,
    lease: timedelta = timedelta(minutes=30),
) -> UndoResult:
    """Undo a vote: append a retraction row (never an UPDATE or DELETE). Only the rater may
    retract their own vote, once, within ``window`` of casting it (None: no limit), and only
    their newest vote. A repeated undo of the same vote records one retraction. The person's
    assignment of the battle gets a fresh lease, so they can vote on it again."""
    now = now or utcnow()
    with write_session(engine) as session:
        vote = session.get(Vote, vote_id)
        if vote is None or vote.kind != EntryKind.VOTE.value:
            raise LedgerError(f"retract_vote: there is no vote {vote_id} to undo")
        if vote.rater != actor:
            raise LedgerError(
                f"retract_vote: vote {vote_id} is not yours ({actor!r}); only its rater can undo it"
            )
        if window is not None and now - _aware(vote.created_at) > window:
            minutes = int(window.total_seconds() // 60)
            raise LedgerError(
                f"retract_vote: vote {vote_id} is older than {minutes} minutes and can no longer be undone"
            )
        newest = session.exec(
            select(Vote.id)
            .where(Vote.rater == actor, Vote.kind == EntryKind.VOTE.value)
            .order_by(col(Vote.id).desc())
        ).first()
        if newest != vote_id:
            raise LedgerError(f"retract_vote: vote {vote_id} is not your last vote (you have voted since)")
        status = statuses_of(session=session, vote_ids=[vote_id]).get(vote_id)
        key = f"undo:{vote_id}"
        if status is Status.RETRACTED:
            done = session.exec(select(Vote.id).where(Vote.idempotency_key == key)).first()
            if done is None:
                raise LedgerError(f"retract_vote: vote {vote_id} has already been undone")
            return UndoResult(vote_id, int(done), vote.battle_id)
        record = record_vote(
            session=session,
            battle_id=vote.battle_id,
            source=Source(vote.source),
            rater=actor,
            verdict=Verdict(vote.verdict),
            left_response_id=vote.left_response_id,
            idempotency_key=key,
            supersedes_id=vote_id,
            kind=EntryKind.RETRACTION,
        )
        renew_lease(session=session, username=actor, battle_id=vote.battle_id, expires_at=now + lease)
        audit(
            session=session,
            actor=actor,
            action="vote.undo",
            detail={"vote_id": vote_id, "retraction_id": record.vote_id, "battle_id": vote.battle_id},
        )
        return UndoResult(vote_id, record.vote_id, vote.battle_id)


def last_undoable_vote(engine: Engine, *, rater: str, now: datetime | None = None) -> int | None:
    """The person's newest vote if it can still be undone (not undone, within the window)."""
    now = now or utcnow()
    with read_session(engine) as session:
        vote = session.exec(
            select(Vote)
            .where(Vote.rater == rater, Vote.kind == EntryKind.VOTE.value)
            .order_by(col(Vote.id).desc())
        ).first()
        if vote is None or vote.id is None or now - _aware(vote.created_at) > UNDO_WINDOW:
            return None
        status = statuses_of(session=session, vote_ids=[vote.id]).get(vote.id)
        return None if status is Status.RETRACTED else vote.id


def undo_last_vote(
    engine: Engine, *, rater: str, now: datetime | None = None, lease: timedelta = timedelta(minutes=30)
) -> UndoResult:
    """Undo the person's newest vote (see ``retract_vote``)."""
    now = now or utcnow()
    with read_session(engine) as session:
        newest = session.exec(
            select(Vote.id)
            .where(Vote.rater == rater, Vote.kind == EntryKind.VOTE.value)
            .order_by(col(Vote.id).desc())
        ).first()
    if newest is None:
        raise LedgerError("undo_last_vote: you have no vote to undo")
    return retract_vote(engine, vote_id=int(newest), actor=rater, now=now, lease=lease)


def skip_item(engine: Engine, *, item: VoteItem, username: str, reason: str = "", note: str = "") -> bool:
    """Pass on an item: recorded with the reason, the assignment is released (it no longer counts
    toward overlap k) and the battle is never shown to this person again. False if already skipped."""
    if reason and reason not in SKIP_REASONS:
        raise LedgerError(f"skip_item: unknown reason {reason!r} (allowed: {SKIP_REASONS} or none)")
    with write_session(engine) as session:
        added = add_skip(
            session=session, username=username, battle_id=item.battle_id, reason=reason, note=note.strip()
        )
        if added:
            audit(
                session=session,
                actor=username,
                action="skip",
                detail={"battle_id": item.battle_id, "reason": reason},
            )
        return added
