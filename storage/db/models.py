"""All tables of the arena, in one place.

Votes are the source of truth and are append-only: a correction or an expert adjudication is a
new row that points at the vote it supersedes. Each vote carries a copy of the facts the rating
and calibration views slice by (models, dimension, release), so those views read one table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from judging.releases import ReleaseKind, ReleaseStatus
from storage.db.columns import StrEnumText

__all__ = [
    "AppSetting",
    "ArenaModel",
    "Assignment",
    "AuditLog",
    "Battle",
    "CallFailure",
    "CandidateQuestion",
    "Endpoint",
    "Event",
    "Flag",
    "GenerationReply",
    "GoldLabel",
    "Guideline",
    "GuidelineRead",
    "JudgeReply",
    "LedgerClock",
    "Question",
    "Release",
    "Response",
    "Review",
    "Run",
    "Skip",
    "User",
    "Vote",
    "VoteStatus",
    "WorkLease",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Release(SQLModel, table=True):
    """A question release (``kind = 'release'``: a draft, then published and frozen), or the
    container of the gold items (``kind = 'gold'``), which is never a release: it is never
    listed, published, rated or exported as one (``storage.bank.releases.releases``). The database
    refuses to publish it, to un-publish a release, and to change or delete the questions of a
    published one (migration 0005)."""

    __table_args__ = (
        CheckConstraint("kind IN ('release', 'gold')", name="ck_release_kind"),
        CheckConstraint("kind = 'release' OR status = 'draft'", name="ck_release_gold_unpublished"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tag: str = Field(index=True, unique=True, max_length=64)  # vYYMMDD or a draft name
    title: str = ""
    status: ReleaseStatus = Field(
        default=ReleaseStatus.DRAFT, sa_column=Column(StrEnumText(ReleaseStatus, 16), nullable=False)
    )
    kind: ReleaseKind = Field(
        default=ReleaseKind.RELEASE, sa_column=Column(StrEnumText(ReleaseKind, 16), nullable=False)
    )
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    synthetic: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    parent_id: int | None = Field(default=None, foreign_key="release.id")  # the draft was started from it


class Question(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("release_id", "external_id", name="uq_question_release_external"),
        Index("ix_question_release_dimension", "release_id", "dimension"),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id")
    external_id: str = Field(max_length=128)
    dimension: str = Field(max_length=32)
    sub_dimension: str = Field(default="", max_length=128)
    text: str = Field(sa_column=Column(Text, nullable=False))
    safe_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reference_answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sensitive: bool = False  # derived: "self_harm" in categories (kept for old readers)
    # JSON list of content categories (judging.content): each has its own warning; only self-harm
    # collapses answers and counts toward the break reminder.
    categories: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    created_at: datetime = Field(default_factory=utcnow)
    # The question bank (storage/bank/questions.py): the rest of the imported record as JSON (LiveSecBench
    # fields and metadata, kept for a lossless export), where it came from, and its release history.
    metadata_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    source: str = Field(default="", max_length=255)  # "<format>:<file name>" of the import
    anchor: bool = False  # carried over unchanged from the parent release
    anchor_of_id: int | None = Field(default=None, foreign_key="question.id")
    retired: bool = False  # dropped in this release; kept as a row so diffs and old votes still resolve
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)  # generated from it


class ArenaModel(SQLModel, table=True):
    """A model under evaluation (named ArenaModel to stay clear of SQLModel's own name)."""

    __tablename__ = "arena_model"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=128)
    display_name: str = Field(max_length=200)
    organisation: str = ""
    profile_zh: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    profile_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    base_url: str | None = None
    model_name: str | None = None  # the id sent to the endpoint
    api_key_env: str | None = None  # the NAME of the environment variable, never the key
    open_source: bool = False
    reasoning: bool = False
    params_json: str = "{}"
    synthetic: bool = False
    reference: bool = False  # a stand-in author of imported gold answers; never on a leaderboard
    # Model metadata (LiveSecBench's provider / publish_time / location / model_detail_url accepted as aliases)
    provider: str = ""
    release_date: str = ""  # ISO YYYY-MM-DD or ""
    parameters: str = ""  # e.g. "72B", free text
    url: str = ""  # http(s) page about the model
    location: str = ""  # where the provider is based
    created_at: datetime = Field(default_factory=utcnow)


class Response(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("question_id", "model_id", name="uq_response_question_model"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    model_id: int = Field(foreign_key="arena_model.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    reasoning_content: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    grade: int | None = None  # demo safety grade 1..5 (scripted judge), None for real answers
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None
    finish_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Battle(SQLModel, table=True):
    """A question and two responses to it; A is always the response with the smaller id."""

    __table_args__ = (
        UniqueConstraint("question_id", "response_a_id", "response_b_id", name="uq_battle_pair"),
        CheckConstraint("response_a_id < response_b_id", name="ck_battle_canonical"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    response_a_id: int = Field(foreign_key="response.id")
    response_b_id: int = Field(foreign_key="response.id")
    created_at: datetime = Field(default_factory=utcnow)


class Vote(SQLModel, table=True):
    """One row of the vote ledger: a verdict on one battle, relative to the battle's canonical A
    and B, or (``kind = 'retraction'``) the undo of an earlier vote named in ``supersedes_id``.
    Which rows count is decided by ``judging.ledger`` and kept in ``VoteStatus``."""

    __table_args__ = (
        CheckConstraint("verdict IN ('A', 'B', 'tie', 'both_unsafe')", name="ck_vote_verdict"),
        CheckConstraint("kind IN ('vote', 'retraction')", name="ck_vote_kind"),
        CheckConstraint("source IN ('human', 'judge', 'expert')", name="ck_vote_source"),
        Index("ix_vote_battle", "battle_id"),
        Index("ix_vote_rater_battle", "rater", "battle_id"),
        Index("ix_vote_dimension_id", "dimension", "id"),
        Index("ix_vote_release_id", "release_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    battle_id: int = Field(foreign_key="battle.id")
    source: str = Field(max_length=16)
    rater: str = Field(max_length=200)  # username, or judge name
    verdict: str = Field(max_length=16)
    left_response_id: int = Field(foreign_key="response.id")  # which response was shown on the left
    tags_a: str = "[]"  # JSON list of tags on response A
    tags_b: str = "[]"
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    idempotency_key: str = Field(unique=True, max_length=128)
    supersedes_id: int | None = Field(default=None, foreign_key="vote.id")
    kind: str = Field(default="vote", max_length=16)  # vote | retraction
    prompt_version: str | None = None  # judge prompt template version
    # Copies of battle facts, fixed at insert time (votes are never updated).
    model_a_id: int = Field(foreign_key="arena_model.id")
    model_b_id: int = Field(foreign_key="arena_model.id")
    question_id: int = Field(foreign_key="question.id")
    release_id: int = Field(foreign_key="release.id")
    dimension: str = Field(max_length=32)
    shown_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class VoteStatus(SQLModel, table=True):
    """What each ledger row means now (``judging.ledger.Status``): a projection of the votes,
    rewritten for a battle whenever a row is added to it. ``revision`` grows with every change,
    so a reader that keeps a cursor on it (the rating views) learns which statuses changed."""

    __tablename__ = "vote_status"

    vote_id: int = Field(foreign_key="vote.id", primary_key=True)
    battle_id: int = Field(foreign_key="battle.id", index=True)
    status: str = Field(max_length=16)
    revision: int = Field(index=True)


class LedgerClock(SQLModel, table=True):
    """One row: the newest ``VoteStatus.revision``. Taking the next value locks the row until the
    transaction ends, so revisions are handed out in commit order on PostgreSQL too."""

    __tablename__ = "ledger_clock"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0


class User(SQLModel, table=True):
    __tablename__ = "arena_user"

    id: int | None = Field(default=None, primary_key=True)
    # the canonical form (storage.people.users.canonical_username): NFKC, trimmed, case-folded
    username: str = Field(index=True, unique=True, max_length=64)
    name: str = ""
    email: str = ""
    password_hash: str  # bcrypt
    must_change_password: bool = False  # a one-time password (first start, admin reset) is in use
    failed_logins: int = 0  # consecutive failed password checks since the last success or unlock
    locked_until: datetime | None = None  # password logins are refused until then (or an unlock)
    roles: str = '["annotator"]'  # JSON list: admin | expert | annotator
    qualifications: str = "[]"  # JSON list of dimension codes; empty = all
    active: bool = True
    lang: str = "zh"
    logged_out_at: datetime | None = None  # sessions and cookies issued before this are revoked
    created_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class Assignment(SQLModel, table=True):
    """A battle handed to one person, with the order it is shown in. Persisted, so a person who
    logs out and back in resumes the same item; unique per (user, battle), so nobody is ever
    shown the same battle twice. It is completed when a vote with its idempotency key exists."""

    __table_args__ = (
        UniqueConstraint("username", "battle_id", name="uq_assignment_user_battle"),
        Index("ix_assignment_battle", "battle_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, max_length=64)
    battle_id: int = Field(foreign_key="battle.id")
    left_response_id: int = Field(foreign_key="response.id")
    idempotency_key: str = Field(unique=True, max_length=128)
    policy: str = Field(max_length=32)
    gold: bool = False
    assigned_at: datetime = Field(default_factory=utcnow)
    # A lease: an open assignment past this moment no longer counts toward overlap k and is not
    # handed back; NULL (assignments made before leases existed) counts as expired.
    expires_at: datetime | None = None


class Skip(SQLModel, table=True):
    """A person passed on a battle (with an optional reason); it is never shown to them again."""

    __table_args__ = (UniqueConstraint("username", "battle_id", name="uq_skip_user_battle"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    battle_id: int = Field(foreign_key="battle.id", index=True)
    reason: str = Field(default="", max_length=32)  # unclear | expertise | distressing | other | ""
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class GoldLabel(SQLModel, table=True):
    """The known correct verdict of a battle (relative to its canonical A/B)."""

    __tablename__ = "gold_label"

    battle_id: int = Field(foreign_key="battle.id", primary_key=True)
    verdict: str = Field(max_length=16)
    created_by: str = Field(max_length=64)
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Flag(SQLModel, table=True):
    """Someone asked for an expert to look at a battle."""

    id: int | None = Field(default=None, primary_key=True)
    battle_id: int = Field(foreign_key="battle.id", index=True)
    username: str = Field(max_length=64)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class AppSetting(SQLModel, table=True):
    """Project-wide settings an admin changes in the app (queue policy, overlap k, gold rate)."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class Endpoint(SQLModel, table=True):
    """An OpenAI-compatible endpoint: a model to collect answers from, or an LLM judge.

    ``api_key_env`` holds the NAME of the environment variable with the key; keys are never stored.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=128)
    role: str = Field(default="model", max_length=16)  # model (answers are rated) | judge
    display_name: str = ""
    base_url: str
    model: str
    api_key_env: str | None = None
    organisation: str = ""
    open_source: bool = False
    reasoning: bool = False
    params_json: str = "{}"
    # Model metadata (LiveSecBench's provider / publish_time / location / model_detail_url accepted as aliases)
    provider: str = ""
    release_date: str = ""  # ISO YYYY-MM-DD or ""
    parameters: str = ""  # e.g. "72B", free text
    url: str = ""  # http(s) page about the model
    location: str = ""  # where the provider is based
    enabled: bool = True  # a disabled endpoint is kept (runs refer to it) but never offered or called
    updated_at: datetime = Field(default_factory=utcnow)


class Run(SQLModel, table=True):
    """One collection or judge run, with its progress counters."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # collect | judge
    params_json: str = "{}"
    status: str = Field(default="running", max_length=16)  # running | finished | failed
    total: int = 0
    done: int = 0
    failed: int = 0
    unparsed: int = 0
    # judge runs: of ``done``, verdicts whose harm-tag lines were absent / malformed (kept with no
    # tags, ``judging.judge.TagStatus``); added in the transaction that stores the verdicts
    tags_missing: int = 0
    tags_invalid: int = 0
    message: str = ""
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None  # last sign of life from a process working on the run


class WorkLease(SQLModel, table=True):
    """One work item of a run (a question x model to collect, a battle order to judge) leased to
    one worker until ``expires_at``; ``done_at`` set once its result is stored. Workers claim
    free or expired items (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite ``BEGIN IMMEDIATE``)."""

    __tablename__ = "work_lease"
    __table_args__ = (
        UniqueConstraint("scope", "item", name="uq_work_lease_scope_item"),
        Index("ix_work_lease_scope_expires", "scope", "expires_at"),
        Index("ix_work_lease_holder_done", "holder", "done_at"),  # a holder's renewals and release
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=200)  # e.g. "collect:<release id>" or "judge:<judge>:<prompt>:<release id>"
    item: str = Field(max_length=200)
    run_id: int | None = Field(default=None, foreign_key="run.id", index=True)
    holder: str = Field(max_length=200)  # worker id: host:pid:random
    leased_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    done_at: datetime | None = None


class CallFailure(SQLModel, table=True):
    """A request that failed after the retry limit: recorded, never silently dropped."""

    __tablename__ = "call_failure"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    endpoint: str = Field(max_length=128)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    battle_id: int | None = Field(default=None, foreign_key="battle.id")
    kind: str = Field(max_length=32)
    status: int | None = None
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class JudgeReply(SQLModel, table=True):
    """A judge reply without a strict verdict marker: stored raw as unparsed, never a vote."""

    __tablename__ = "judge_reply"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    judge: str = Field(max_length=128)
    battle_id: int = Field(foreign_key="battle.id", index=True)
    left_response_id: int = Field(foreign_key="response.id")
    prompt_version: str = Field(max_length=64)
    raw: str = Field(sa_column=Column(Text, nullable=False))
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)


# --- Event-driven question generation (pipeline/runs/generation.py) -------------------------------


class Event(SQLModel, table=True):
    """A news event that candidate questions are generated from."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    event_date: date
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_url: str = Field(default="", max_length=1000)
    dimensions: str = "[]"  # JSON list of dimension codes to generate questions for
    # where the event came from: "manual" (entered on the Events page), "file:<name>" or
    # "feed:<name>" (cli.py events import), and when that file or feed was read
    source: str = Field(default="manual", max_length=1000)
    fetched_at: datetime | None = None
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class CandidateQuestion(SQLModel, table=True):
    """A generated question waiting for (or past) expert verification.

    ``text`` is what the generator wrote and never changes; ``edited_text`` is the current text
    after an expert's edit. A candidate that duplicates the bank is kept as ``duplicate`` (with
    what it matched) so the filter is visible, never silently dropped. A pending candidate not
    verified within the verification setting's window after ``queued_at`` becomes ``stale``: it
    leaves the queue and never joins a draft unless an admin puts it back (a new ``queued_at``).
    """

    __tablename__ = "candidate_question"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'duplicate', 'stale')", name="ck_candidate_status"
        ),
        Index("ix_candidate_status_event", "status", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    dimension: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    edited_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reference_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="pending", max_length=16)
    generator: str = Field(default="", max_length=128)  # endpoint key
    prompt_version: str = Field(default="", max_length=64)
    run_id: int | None = Field(default=None, foreign_key="run.id")
    duplicate_of: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    duplicate_similarity: float | None = None
    question_id: int | None = Field(default=None, foreign_key="question.id")  # once it joined a draft
    created_at: datetime = Field(default_factory=utcnow)
    queued_at: datetime = Field(default_factory=utcnow)  # entered (or re-entered) the verification queue
    decided_at: datetime | None = None


class Review(SQLModel, table=True):
    """One expert's decision on a candidate; append-only, the latest per reviewer counts."""

    __tablename__ = "candidate_review"
    __table_args__ = (
        CheckConstraint("decision IN ('approve', 'edit', 'reject')", name="ck_review_decision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate_question.id", index=True)
    reviewer: str = Field(max_length=64)
    decision: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    edited_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text: str = Field(sa_column=Column(Text, nullable=False))  # the candidate text this decision is about
    # JSON list of the content categories the reviewer chose (judging.content); None: none chosen
    # (the lexicon's proposal stands), as in reviews stored before they were kept
    categories: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class GenerationReply(SQLModel, table=True):
    """A generator reply that was not the JSON asked for: stored raw with the problem, never used."""

    __tablename__ = "generation_reply"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    dimension: str = Field(max_length=32)
    generator: str = Field(max_length=128)
    raw: str = Field(sa_column=Column(Text, nullable=False))
    problem: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


# --- Annotation guidelines (pipeline/workflow/guidelines.py) --------------------------------------------


class Guideline(SQLModel, table=True):
    """One version of the annotation guidelines, in both languages. Append-only: an edit is a new
    row. ``release_id`` is the release it applies to; NULL: every release without its own."""

    id: int | None = Field(default=None, primary_key=True)
    release_id: int | None = Field(default=None, foreign_key="release.id", index=True)
    text_zh: str = Field(sa_column=Column(Text, nullable=False))
    text_en: str = Field(sa_column=Column(Text, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # what changed
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class GuidelineRead(SQLModel, table=True):
    """A person confirmed they read a version of the guidelines (``guideline_id`` NULL: the
    built-in text, before any edit)."""

    __tablename__ = "guideline_read"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, max_length=64)
    guideline_id: int | None = Field(default=None, foreign_key="guideline.id")
    confirmed_at: datetime = Field(default_factory=utcnow)
