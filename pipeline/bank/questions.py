"""Question import and export: validate whole files first, then write in one transaction.

Import is all or nothing. Every file is parsed and validated before the database is opened for
writing; one bad record raises ``QuestionFileError`` (file, line, field) and nothing is written.
Exact and near duplicates — against the whole bank and within the import — and questions whose
id the draft already has are reported and skipped, unless ``force`` imports them anyway (a
same-id question then replaces the draft's one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path, PurePath

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.content import ContentCategory, parse_categories
from judging.dimensions import Dimension
from judging.questions import (
    DEFAULT_THRESHOLD,
    DuplicateKind,
    ExportFormat,
    Limits,
    QuestionFile,
    QuestionFileError,
    QuestionFormat,
    QuestionRecord,
    SimilarPair,
    export_records,
    find_duplicates,
    read_question_file,
    similar_pairs,
)
from judging.releases import ReleaseError, require_draft
from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.models import Release
from storage.db.session import read_session, write_session
from storage.people.audit import audit

__all__ = [
    "DuplicateFinding",
    "FindingKind",
    "ImportReport",
    "QuestionPair",
    "export_questions",
    "import_question_files",
    "import_questions",
    "read_question_files",
    "release_similar_pairs",
    "set_question_categories",
    "write_export",
]


class FindingKind(StrEnum):
    EXACT = "exact"  # same text (after normalisation) as a question in the bank or earlier in the import
    NEAR = "near"  # character 3-gram Jaccard at or above the threshold
    SAME_ID = "same_id"  # the draft already has a question with this question_id


@dataclass(frozen=True)
class DuplicateFinding:
    """One imported record that duplicates something; ``skipped`` unless the import was forced."""

    file: str
    line: int
    question_id: str
    kind: FindingKind
    similarity: float
    match_question_id: str
    match_release: str | None  # None: an earlier record of this same import
    match_text: str
    skipped: bool

    def describe(self) -> str:
        where = "this import" if self.match_release is None else f"release {self.match_release}"
        verb = "skipped" if self.skipped else "imported anyway (forced)"
        if self.kind is FindingKind.SAME_ID and self.match_release is None:
            return f"{self.file}, line {self.line}: question_id {self.question_id!r} appears twice in {where}; skipped"
        if self.kind is FindingKind.SAME_ID:
            return f"{self.file}, line {self.line}: question_id {self.question_id!r} is already in {where}; {verb}"
        return (
            f"{self.file}, line {self.line}: {self.kind.value} duplicate (similarity {self.similarity:.2f}) "
            f"of {self.match_question_id!r} in {where}; {verb}"
        )


@dataclass(frozen=True)
class ImportReport:
    release: str
    created_release: bool  # the draft was created by this import
    files: tuple[str, ...]
    parsed: int
    imported: int  # new questions
    replaced: int  # same-id questions replaced (forced only)
    findings: tuple[DuplicateFinding, ...]
    by_dimension: dict[str, int] = field(default_factory=dict)  # new or replaced, every dimension
    dry_run: bool = False
    # new or replaced per content category (every category, then "" for none): the preview shows
    # how many will collapse (self_harm) before anything is written
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.findings if f.skipped)


@dataclass(frozen=True)
class _Planned:
    file: QuestionFile
    line: int
    record: QuestionRecord
    replace: bool


def _by_category(records: Iterable[QuestionRecord]) -> dict[str, int]:
    counts = dict.fromkeys([*(c.value for c in ContentCategory), ""], 0)
    for record in records:
        for category in record.categories or ("",):
            counts[category] += 1
    return counts


def read_question_files(
    paths: Sequence[str | Path], *, format: QuestionFormat = QuestionFormat.AUTO, limits: Limits | None = None
) -> tuple[list[QuestionFile], list[QuestionFileError]]:
    """Parse every file; returns the good ones and the errors of the rejected ones."""
    good: list[QuestionFile] = []
    bad: list[QuestionFileError] = []
    for path in paths:
        try:
            good.append(read_question_file(path, format=format, limits=limits))
        except QuestionFileError as error:
            bad.append(error)
    return good, bad


def _target(session: Session, release: str | None, today: date) -> tuple[Release, bool]:
    if release is not None:
        found = release_store.release_by_tag(session=session, tag=release)
        require_draft(found, action="import questions into")
        return found, False
    drafts = [s for s in release_store.release_summaries(session=session) if s.is_draft]
    if len(drafts) > 1:
        names = ", ".join(d.tag for d in drafts)
        raise ReleaseError(f"import_questions: several drafts are open ({names}); choose one with release=")
    if drafts:
        return release_store.release_by_tag(session=session, tag=drafts[0].tag), False
    return release_store.create_draft(session=session, tag=f"draft-{today:%y%m%d}"), True


def _plan(
    session: Session, target: Release, files: Sequence[QuestionFile], *, force: bool, threshold: float
) -> tuple[list[_Planned], list[DuplicateFinding]]:
    """Which records to add, which replace a same-id draft question, and what each duplicates."""
    assert target.id is not None
    in_target = {
        q.external_id: q.record
        for q in question_store.release_questions(session=session, release_id=target.id, include_retired=True)
    }
    entries = question_store.bank_entries(session=session)
    tags = {s.id: s.tag for s in release_store.release_summaries(session=session)}
    items = [(f, q.line, q.record) for f in files for q in f.questions]
    matches = {
        m.candidate: m
        for m in find_duplicates(
            [r.text for _f, _l, r in items], [e.text for e in entries], threshold=threshold
        )
    }
    planned: list[_Planned] = []
    findings: list[DuplicateFinding] = []
    first_of: dict[str, QuestionRecord] = {}
    for index, (file, line, record) in enumerate(items):
        key = question_store.external_id_for(record.question_id)
        match = matches.get(index)
        # what the record duplicates: (kind, similarity, other question_id, its release, its text)
        hit: tuple[FindingKind, float, str, str | None, str] | None = None
        if key in first_of:
            hit = (FindingKind.SAME_ID, 0.0, first_of[key].question_id, None, first_of[key].text)
        elif match is not None:
            kind = FindingKind.EXACT if match.kind is DuplicateKind.EXACT else FindingKind.NEAR
            if match.in_bank:
                entry = entries[match.other]
                hit = (kind, match.similarity, entry.external_id, tags.get(entry.release_id), entry.text)
            else:
                other = items[match.other][2]
                hit = (kind, match.similarity, other.question_id, None, other.text)
        elif key in in_target:
            hit = (FindingKind.SAME_ID, 0.0, record.question_id, target.tag, in_target[key].text)
        first_of.setdefault(key, record)
        if hit is not None:
            kind, similarity, other_id, release, text = hit
            # two records of one import never share an id, forced or not
            skipped = not force or (kind is FindingKind.SAME_ID and release is None)
            findings.append(
                DuplicateFinding(
                    PurePath(file.name).name,
                    line,
                    record.question_id,
                    kind,
                    similarity,
                    other_id,
                    release,
                    text,
                    skipped,
                )
            )
            if skipped:
                continue
        planned.append(_Planned(file, line, record, replace=key in in_target))
    return planned, findings


def import_questions(
    engine: Engine,
    files: Sequence[QuestionFile],
    *,
    release: str | None = None,
    force: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    dry_run: bool = False,
    today: date | None = None,
    actor: str = "system",
) -> ImportReport:
    """Import parsed files into a draft, in one transaction.

    ``release`` names the draft; without it the one open draft is used, or a draft
    ``draft-YYMMDD`` (``today``) is created. A published release is refused
    (``ReleaseFrozenError``). ``dry_run`` computes the same report and writes nothing.
    """
    if not files:
        raise ValueError("import_questions: files must not be empty")
    day = date.today() if today is None else today
    session_factory = read_session if dry_run else write_session
    with session_factory(engine) as session:
        target, created = _target(session, release, day)
        planned, findings = _plan(session, target, files, force=force, threshold=threshold)
        by_dimension = dict.fromkeys((d.value for d in Dimension), 0)
        replaced = sum(1 for item in planned if item.replace)
        imported = len(planned) - replaced
        for item in planned:
            by_dimension[item.record.dimension.value] += 1
            if dry_run:
                continue
            source = f"{item.file.format.value}:{PurePath(item.file.name).name}"
            if item.replace:
                question_store.replace_question(
                    session=session, release=target, record=item.record, source=source
                )
            else:
                question_store.add_question(
                    session=session, release=target, record=item.record, source=source
                )
        report = ImportReport(
            release=target.tag,
            created_release=created,
            files=tuple(f.name for f in files),
            parsed=sum(len(f.questions) for f in files),
            imported=imported,
            replaced=replaced,
            findings=tuple(findings),
            by_dimension=by_dimension,
            dry_run=dry_run,
            by_category=_by_category(item.record for item in planned),
        )
        if dry_run:
            session.rollback()
        else:
            audit(
                session=session,
                actor=actor,
                action="questions.import",
                detail={
                    "release": target.tag,
                    "files": [PurePath(f.name).name for f in files],
                    "imported": imported,
                    "replaced": replaced,
                    "skipped": report.skipped,
                    "forced": force,
                },
            )
    return report


def import_question_files(
    engine: Engine,
    paths: Sequence[str | Path],
    *,
    format: QuestionFormat = QuestionFormat.AUTO,
    limits: Limits | None = None,
    release: str | None = None,
    force: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    dry_run: bool = False,
    today: date | None = None,
    actor: str = "system",
) -> ImportReport:
    """Read, validate and import files (see ``import_questions``); if any file is rejected, the
    first error is raised before anything is written."""
    good, bad = read_question_files(paths, format=format, limits=limits)
    if bad:
        raise bad[0]
    return import_questions(
        engine,
        good,
        release=release,
        force=force,
        threshold=threshold,
        dry_run=dry_run,
        today=today,
        actor=actor,
    )


def export_questions(engine: Engine, release: str, format: ExportFormat) -> str:
    """The release's questions (not retired) as text in ``format``; write it as UTF-8."""
    with read_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        assert found.id is not None
        records = [q.record for q in question_store.release_questions(session=session, release_id=found.id)]
    return export_records(records, format)


def write_export(engine: Engine, release: str, format: ExportFormat, out: Path) -> int:
    """Write the export to ``out``; returns the number of bytes written."""
    data = export_questions(engine, release, format).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)


@dataclass(frozen=True)
class QuestionPair:
    """Two questions of one release that are exact or near duplicates of each other."""

    first: question_store.StoredQuestion
    second: question_store.StoredQuestion
    kind: DuplicateKind
    similarity: float


def release_similar_pairs(
    engine: Engine, release: str, *, threshold: float = DEFAULT_THRESHOLD
) -> list[QuestionPair]:
    """Duplicate pairs inside a release, most similar first (a curation table for a page)."""
    with read_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        assert found.id is not None
        stored = question_store.release_questions(session=session, release_id=found.id)
    pairs: tuple[SimilarPair, ...] = similar_pairs([q.record.text for q in stored], threshold=threshold)
    ordered = sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second))
    return [QuestionPair(stored[p.first], stored[p.second], p.kind, p.similarity) for p in ordered]


def set_question_categories(
    engine: Engine, release: str, question_id: str, categories: Sequence[str], *, actor: str
) -> tuple[ContentCategory, ...]:
    """An expert's correction of a question's content categories, audited with the old and new
    ones. An unknown name raises ContentCategoryError (naming it) before anything is written."""
    chosen = parse_categories(categories)
    with write_session(engine) as session:
        found = release_store.release_by_tag(session=session, tag=release)
        before = question_store.set_categories(
            session=session, release=found, question_id=question_id, categories=chosen
        )
        audit(
            session=session,
            actor=actor,
            action="question.categories",
            detail={
                "release": release,
                "question_id": question_id,
                "before": [c.value for c in before],
                "after": [c.value for c in chosen],
            },
        )
    return chosen
