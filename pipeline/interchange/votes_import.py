"""Import votes in the interchange format (``judging.interchange``) into the database.

Nothing is written unless every vote can be imported: the whole file is read and every vote
resolved against the database before the first write. The writes then go in short transactions
of a few hundred votes, so votes cast by people meanwhile are not held up. Every error names the file, the line and the
field. Each vote needs a release (``release`` column, or one release for the whole file), a
``question_id`` (the question's external id in that release), two models that both answered that
question, a ``source``, a ``rater`` and ``shown_first``; ``turn`` may only be 1 (the arena's
battles are single-turn). Only battles are created: a vote about a question or an answer the
arena does not hold could never be shown, checked or drilled into, and placeholder questions would
reach the annotators' queues.

The note columns an export carries are kept: ``tags_a`` / ``tags_b`` (harm tags on the file's
``model_a`` / ``model_b``, stored on the battle's sides like the verdict) and ``rationale``
(``judging.votes_file`` reads and checks them; an unknown tag key is an error). A file without
them imports with no tags and an empty rationale, as before.

Identical rows of a file (``judging.votes_file.find_duplicates``: every column equal) are imported
once and reported, unless ``keep_duplicates``; the file is refused before it is read when it is
larger than ``max_bytes``.

Idempotent: a vote's idempotency key is derived from its content (and which repeat of identical
lines it is), so importing a file again adds nothing; and a vote already stored under another key
(same battle, source, rater, verdict, shown order and time, as in an export of this database) is
skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from judging.interchange import ArenaVote, votes_of_table
from judging.types import Side, Source, Verdict
from judging.votes_file import (
    DEFAULT_MAX_BYTES,
    VotesFileError,
    read_vote_table,
    without_duplicates,
)
from pipeline.interchange.pseudonyms import unmask_own
from storage.bank.releases import ReleaseNotFoundError, release_by_tag
from storage.db.models import utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.votes.battles import get_or_create_battle
from storage.votes.imports import (
    ImportedVote,
    ImportQuestion,
    VoteFingerprint,
    existing_battles,
    import_questions,
    import_responses,
    insert_imported_votes,
    used_idempotency_keys,
    vote_fingerprints,
)
from storage.votes.ledger import restate_battles

__all__ = ["VotesImportSummary", "import_vote_records", "import_votes"]

_YIELD_S = 0.04
WRITE_CHUNK = 100  # votes per write transaction: ~20 ms of SQLite's write lock
_SAME_TIME_S = 1e-3  # an exported time reads back within float rounding of the stored one


@dataclass(frozen=True)
class VotesImportSummary:
    read: int
    imported: int
    already_present: int  # stored before (same idempotency key, or the same vote read back)
    releases: tuple[str, ...]
    duplicates: str = ""  # the note on identical rows of the file ("" when there were none)


@dataclass(frozen=True, slots=True)
class _Resolved:
    vote: ArenaVote
    release: str
    question: ImportQuestion
    response_a: int  # the file's model_a's answer
    response_b: int


def import_votes(
    engine: Engine,
    path: str | Path,
    *,
    release: str | None = None,
    actor: str = "cli",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    keep_duplicates: bool = False,
) -> VotesImportSummary:
    """Import a votes file (``.csv``, ``.jsonl`` or ``.json``: the Arena-format export reads back);
    ``release`` puts every vote in that release. Identical rows count once unless
    ``keep_duplicates``; ``read`` counts every row of the file."""
    table = read_vote_table(path, max_bytes=max_bytes, notes=True)
    table, found = without_duplicates(table, keep=keep_duplicates)
    summary = import_vote_records(engine, votes_of_table(table), name=str(path), release=release, actor=actor)
    if not len(found):
        return summary
    read = summary.read if keep_duplicates else summary.read + len(found)
    return dataclasses.replace(summary, read=read, duplicates=found.note("imported", kept=keep_duplicates))


def import_vote_records(
    engine: Engine,
    votes: Sequence[ArenaVote],
    *,
    name: str = "<votes>",
    release: str | None = None,
    actor: str = "cli",
    chunk: int = WRITE_CHUNK,
) -> VotesImportSummary:
    """Import parsed interchange votes with their notes (``ArenaVote.note``: tags, rationale);
    raises ``VotesFileError`` (naming line and field) with nothing written if any vote cannot be.

    Every vote is checked and resolved in a read-only pass first; only then are the votes written,
    ``chunk`` at a time, each chunk in its own short transaction, so an annotator's vote never
    waits behind the whole file (SQLite has one writer at a time). A crash between chunks leaves
    the chunks written so far; importing the file again adds exactly the rest (the keys are
    derived from the votes' content)."""
    if chunk < 1:
        raise ValueError(f"import_vote_records: chunk must be at least 1, got {chunk!r}")
    votes = unmask_own(engine, votes)  # a public export of this database names its raters again
    for vote in votes:
        _check_fields(vote, name, release)
    with read_session(engine) as session:
        resolved = _resolve(session, votes, name, release)
        keys = _keys(resolved)
        battles = existing_battles(session=session, question_ids={r.question.id for r in resolved})
        used = used_idempotency_keys(session=session, keys=keys)
        stored = vote_fingerprints(session=session, battle_ids=list(battles.values()))
    # what is already there is decided against the database as it was before this import
    todo: list[tuple[_Resolved, str]] = []
    present = 0
    for item, key in zip(resolved, keys, strict=True):
        low, high = sorted((item.response_a, item.response_b))
        battle_id = battles.get((item.question.id, low, high))
        if key in used or (
            battle_id is not None and _matches(stored, _imported(item, key, battle_id), item.vote.tstamp)
        ):
            present += 1
            continue
        used.add(key)
        todo.append((item, key))
    for start in range(0, len(todo), chunk):
        with write_session(engine) as session:
            rows = []
            for item, key in todo[start : start + chunk]:
                low, high = sorted((item.response_a, item.response_b))
                battle_id = battles.get((item.question.id, low, high))
                if battle_id is None:
                    battle = get_or_create_battle(
                        session=session, question_id=item.question.id, response_ids=(low, high)
                    )
                    assert battle.id is not None
                    battle_id = battles[(item.question.id, low, high)] = battle.id
                rows.append(_imported(item, key, battle_id))
            insert_imported_votes(session=session, votes=rows)
            restate_battles(session=session, battle_ids={r.battle_id for r in rows})
        if engine.dialect.name == "sqlite":
            # let the people voting meanwhile in: SQLite's lock is not queued, and a waiting writer
            # polls at most every 100 ms, so back-to-back chunks would starve it (PostgreSQL queues)
            time.sleep(_YIELD_S)
    releases = tuple(sorted({r.release for r in resolved}))
    with write_session(engine) as session:
        audit(
            session=session,
            actor=actor,
            action="votes.import",
            detail={"file": name, "read": len(votes), "imported": len(todo), "releases": list(releases)},
        )
    return VotesImportSummary(len(votes), len(todo), present, releases)


def _check_fields(vote: ArenaVote, name: str, release: str | None) -> None:
    line = vote.line
    if vote.source is None:
        raise VotesFileError(name, line, "source", "missing (an imported vote needs human, judge or expert)")
    if vote.rater is None:
        raise VotesFileError(name, line, "rater", "missing (an imported vote needs the rater's name)")
    if vote.shown_first is None:
        raise VotesFileError(
            name, line, "shown_first", "missing (an imported vote needs the order it was shown in: a or b)"
        )
    if vote.question_id is None:
        raise VotesFileError(name, line, "question_id", "missing (an imported vote needs its question)")
    if vote.turn is not None and vote.turn != 1:
        raise VotesFileError(
            name, line, "turn", f"only single-turn votes (turn 1) can be imported, got {vote.turn}"
        )
    if release is None and vote.release is None:
        raise VotesFileError(
            name, line, "release", "missing (give the column, or one release for the whole file)"
        )


def _resolve(session, votes: Sequence[ArenaVote], name: str, release: str | None) -> list[_Resolved]:
    questions: dict[str, dict[str, ImportQuestion]] = {}
    for vote in votes:
        tag = release or vote.release
        assert tag is not None  # _check_fields
        if tag not in questions:
            try:
                found = release_by_tag(session=session, tag=tag)
            except ReleaseNotFoundError as error:
                raise VotesFileError(name, vote.line, "release", str(error)) from None
            assert found.id is not None
            questions[tag] = import_questions(session=session, release_id=found.id)
    picked: list[tuple[ArenaVote, str, ImportQuestion]] = []
    for vote in votes:
        tag = release or vote.release
        assert tag is not None and vote.question_id is not None
        question = questions[tag].get(vote.question_id)
        if question is None:
            raise VotesFileError(
                name, vote.line, "question_id", f"no question {vote.question_id!r} in release {tag!r}"
            )
        if vote.dimension is not None and vote.dimension != question.dimension:
            raise VotesFileError(
                name,
                vote.line,
                "dimension",
                f"{vote.dimension!r}, but question {vote.question_id!r} of release {tag!r} is {question.dimension!r}",
            )
        picked.append((vote, tag, question))
    answers = import_responses(session=session, question_ids={q.id for _, _, q in picked})
    resolved = []
    for vote, tag, question in picked:
        ids = []
        for field, model in (("model_a", vote.model_a), ("model_b", vote.model_b)):
            response = answers.get((question.id, model))
            if response is None:
                raise VotesFileError(
                    name,
                    vote.line,
                    field,
                    f"model {model!r} has no answer to question {vote.question_id!r} in release {tag!r}",
                )
            ids.append(response)
        resolved.append(_Resolved(vote, tag, question, ids[0], ids[1]))
    return resolved


def _keys(resolved: Sequence[_Resolved]) -> list[str]:
    """Idempotency keys from each vote's content and which repeat of identical content it is."""
    seen: Counter[str] = Counter()
    keys = []
    for r in resolved:
        v = r.vote
        content = json.dumps(
            [
                r.release,
                v.question_id,
                v.model_a,
                v.model_b,
                v.outcome.value,
                None if v.source is None else v.source.value,
                v.rater,
                None if v.shown_first is None else v.shown_first.value,
                v.tstamp,
            ],
            ensure_ascii=False,
        )
        seen[content] += 1
        digest = hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()
        keys.append(f"import|{digest}")
    return keys


def _imported(item: _Resolved, key: str, battle_id: int) -> ImportedVote:
    vote = item.vote
    assert vote.source is not None and vote.rater is not None and vote.shown_first is not None
    # the battle's A is the answer with the smaller id; the file's verdict is about its model_a
    file_a_is_battle_a = item.response_a < item.response_b
    verdict: Verdict = vote.verdict if file_a_is_battle_a else vote.verdict.swapped()
    note = vote.note  # tags on the file's model_a and model_b, rationale
    tags_a, tags_b = (note.tags_a, note.tags_b) if file_a_is_battle_a else (note.tags_b, note.tags_a)
    left = item.response_a if vote.shown_first is Side.A else item.response_b
    created = utcnow() if vote.tstamp is None else datetime.fromtimestamp(vote.tstamp, UTC)
    return ImportedVote(
        battle_id,
        Source(vote.source),
        vote.rater,
        verdict,
        left,
        key,
        created,
        tags_a,
        tags_b,
        note.rationale,
    )


def _matches(stored: dict[VoteFingerprint, list[float]], row: ImportedVote, tstamp: float | None) -> bool:
    """Whether the vote is already stored (an export read back); a stored vote matches once."""
    if tstamp is None:
        return False
    times = stored.get(
        VoteFingerprint(row.battle_id, row.source, row.rater, row.verdict, row.left_response_id)
    )
    if not times:
        return False
    for k, moment in enumerate(times):
        if abs(moment - tstamp) < _SAME_TIME_S:
            del times[k]
            return True
    return False
