"""The judge run's window and writer: ``concurrency`` judge calls kept in flight while the
verdicts that came back are stored in batches off the event loop (``pipeline.runs.judge``).

Three kinds of coroutine share one event loop:

- the feeder (the run's planning loop) ``send``s planned battles, one order per queued call,
  and waits for ``room`` whenever ``concurrency`` calls are already queued behind the window;
- ``concurrency`` workers each take the next call and ask the judge (the ``ChatClient`` bounds
  the requests in flight to the same number), so the window stays full while calls are queued;
- one writer stores what came back, ``flush_size`` results per transaction (or after
  ``flush_s`` seconds, or at once when the feeder waits for everything sent to be stored), in a
  worker thread, while the calls keep flowing. A battle counts as stored when both its orders
  are; the planner hears about verdicts only once they are committed.

When anything fails the other coroutines are cancelled and the error propagates; unless the
writer itself failed, the results that had already arrived are stored first (paid for, never
dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.dimensions import Dimension
from judging.judge import JudgeItem, Judgement, JudgementStatus, JudgeSettings, TagStatus, judge_once
from judging.llm import ChatClient, EndpointConfig
from judging.types import Comparison, Side, Source, outcome_from_verdict
from pipeline.runs.common import RunLog
from pipeline.runs.judge_plan import PlannedBattle, Planner
from storage.db.session import write_session
from storage.runs.bookkeeping import add_to_run, record_unparsed
from storage.runs.leases import complete
from storage.votes.battles import BattleView
from storage.votes.record import NewVote, record_votes

__all__ = ["JudgeWindow", "judge_idempotency_key"]

T = TypeVar("T")


def judge_idempotency_key(judge: str, battle_id: int, left_response_id: int, prompt_version: str) -> str:
    return f"judge|{judge}|{prompt_version}|{battle_id}|{left_response_id}"


@dataclass(frozen=True, slots=True)
class _Order:
    """One judge call: a battle in one shown order."""

    view: BattleView
    item: JudgeItem
    shown_first: Side

    @property
    def left(self) -> int:
        return self.view.response_a_id if self.shown_first is Side.A else self.view.response_b_id


_Result = tuple[_Order, Judgement]


def _item(view: BattleView) -> JudgeItem:
    return JudgeItem(
        question_id=str(view.question_id),
        dimension=Dimension(view.dimension),
        question=view.question_text,
        model_a=view.model_a.key,
        answer_a=view.text_a,
        model_b=view.model_b.key,
        answer_b=view.text_b,
        reference_answer=view.reference_answer,
        safe_note=view.safe_note or None,
    )


class JudgeWindow:
    """Calls in flight and the writer behind them (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        client: ChatClient,
        endpoint: EndpointConfig,
        settings: JudgeSettings,
        run: RunLog,
        planner: Planner,
        *,
        flush_size: int = 32,
        flush_s: float = 1.0,
    ) -> None:
        self.engine, self.client, self.endpoint, self.settings = engine, client, endpoint, settings
        self.log, self.planner = run, planner
        self.concurrency = client.settings.max_concurrency
        self.flush_size, self.flush_s = max(1, flush_size), flush_s
        self.requested = 0  # judge calls sent in this run (re-asks of an unparsed reply not counted)
        # verdicts this process stored whose harm-tag lines were missing or malformed (kept without tags)
        self.tags = {TagStatus.MISSING: 0, TagStatus.INVALID: 0}
        self._calls: asyncio.Queue[_Order | None] = asyncio.Queue()
        self._results: asyncio.Queue[_Result | _Wake | None] = asyncio.Queue()
        self._room = asyncio.Event()
        self._drained = asyncio.Event()
        self._draining = False
        self._open: dict[int, int] = {}  # battle id -> its calls not yet stored
        self._outstanding = 0  # calls sent whose result is not yet stored
        self._pending: list[_Result] = []  # results not yet stored
        self._writer_failed = False
        self._writing: asyncio.Future[list[Comparison]] | None = None  # the batch being written

    # -- the feeder's side ---------------------------------------------------------------------

    def send(self, battles: Sequence[PlannedBattle]) -> None:
        for battle in battles:
            item = _item(battle.view)
            for side in battle.sides:
                self._calls.put_nowait(_Order(battle.view, item, side))
            self._open[battle.view.battle_id] = self._open.get(battle.view.battle_id, 0) + len(battle.sides)
            self._outstanding += len(battle.sides)
            self.requested += len(battle.sides)

    async def room(self) -> None:
        """Wait until fewer than ``concurrency`` calls wait behind the window."""
        while self._calls.qsize() >= self.concurrency:
            self._room.clear()
            await self._room.wait()

    async def drained(self) -> None:
        """Wait until every call sent so far has its result stored (a convergence check)."""
        if self._outstanding == 0:
            return
        self._drained.clear()
        self._draining = True
        self._results.put_nowait(_WAKE)  # the writer looks at its flush rule again
        await self._drained.wait()
        self._draining = False

    # -- running -------------------------------------------------------------------------------

    async def run(self, feed: Awaitable[T]) -> T:
        """Run the feeder ``feed`` with the workers and the writer; its result once everything it
        sent is stored."""
        writer = asyncio.create_task(self._write_loop())
        workers = [asyncio.create_task(self._worker()) for _ in range(self.concurrency)]
        feeder = asyncio.ensure_future(feed)
        try:
            await _until([feeder], [*workers, writer])
            for _ in workers:
                self._calls.put_nowait(None)
            await _until(workers, [writer])
            self._results.put_nowait(None)
            await _until([writer], [])
            return feeder.result()
        except BaseException:
            for task in (feeder, *workers):
                task.cancel()
            await asyncio.shield(self._settle(writer))
            raise

    async def _worker(self) -> None:
        while (order := await self._calls.get()) is not None:
            if self._calls.qsize() < self.concurrency:
                self._room.set()
            judgement = await judge_once(
                self.client, self.endpoint, order.item, order.shown_first, self.settings
            )
            self._results.put_nowait((order, judgement))

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = 0.0
        while True:
            timeout = max(0.0, deadline - loop.time()) if self._pending else None
            try:
                entry = await asyncio.wait_for(self._results.get(), timeout)
            except TimeoutError:
                entry = _WAKE
            if entry is None:
                await self._flush()
                return
            if isinstance(entry, tuple):
                if not self._pending:
                    deadline = loop.time() + self.flush_s
                self._pending.append(entry)
            if (
                entry is _WAKE
                or len(self._pending) >= self.flush_size
                or (self._draining and len(self._pending) == self._outstanding)
            ):
                await self._flush()

    async def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            self._writing = asyncio.ensure_future(
                asyncio.to_thread(self._write, batch, self._settling(batch))
            )
            comparisons = await asyncio.shield(self._writing)  # cancelled, the write still finishes
            self.planner.record(comparisons)
            self._stored(batch)
            self.log.report()
        except Exception:
            self._writer_failed = True  # a failed write, or the caller's progress callback: stop writing
            raise

    def _settling(self, batch: Sequence[_Result]) -> list[int]:
        """The battles whose last open call is in ``batch``."""
        counts: dict[int, int] = {}
        for order, _judgement in batch:
            counts[order.view.battle_id] = counts.get(order.view.battle_id, 0) + 1
        return [battle for battle, n in counts.items() if self._open[battle] == n]

    def _stored(self, batch: Sequence[_Result]) -> None:
        self._outstanding -= len(batch)
        settled = []
        for order, _judgement in batch:
            battle = order.view.battle_id
            self._open[battle] -= 1
            if not self._open[battle]:
                del self._open[battle]
                settled.append(battle)
        self.planner.settle(settled)
        if self._outstanding == 0:
            self._drained.set()

    async def _settle(self, writer: asyncio.Task[None]) -> None:
        """After an error: store what already arrived, unless the writer is what failed."""
        if not writer.done():
            writer.cancel()
        with contextlib.suppress(BaseException):
            await writer
        if self._writing is not None:  # a batch still being written: one transaction at a time
            with contextlib.suppress(BaseException):
                await self._writing
        if self._writer_failed:
            return
        with contextlib.suppress(Exception):  # the original error is what the caller reports
            while not self._results.empty():
                entry = self._results.get_nowait()
                if isinstance(entry, tuple):
                    self._pending.append(entry)
            await self._flush()

    # -- one transaction per batch (in a worker thread) ----------------------------------------

    def _write(self, batch: Sequence[_Result], settled: Sequence[int]) -> list[Comparison]:
        """Store a batch: verdicts as votes, unparsed replies raw, failed calls as failures, the
        leases of the battles it settles completed, and the run's counters; the comparisons of
        the votes it created."""
        parsed = [(o, j) for o, j in batch if j.status is JudgementStatus.PARSED and j.verdict is not None]
        before = replace(self.log.counters)
        try:
            with write_session(self.engine) as session:
                records = record_votes(session=session, votes=[self._vote(o, j) for o, j in parsed])
                self.log.counters.done += sum(r.created for r in records)
                for order, judgement in batch:
                    if judgement.status is JudgementStatus.UNPARSED:
                        self._unparsed(session, order, judgement)
                    elif judgement.status is JudgementStatus.FAILED:
                        self.log.record_failure(
                            session,
                            judgement.failure,
                            endpoint=self.endpoint.key,
                            battle_id=order.view.battle_id,
                            attempts=judgement.attempts,
                        )
                share = self.planner.share
                if share is not None and settled:
                    complete(session, scope=share.scope, items=[str(b) for b in settled], holder=share.holder)
                tags = _tag_counts(parsed, [r.created for r in records])
                if any(tags.values()):
                    # on the run row in the transaction that stores the verdicts they count: a
                    # rollback, a rerun or a joined process neither loses nor double-counts them
                    # (the run row after the leases, like every writer: storage.runs.leases)
                    add_to_run(
                        session=session,
                        run_id=self.log.id,
                        tags_missing=tags[TagStatus.MISSING],
                        tags_invalid=tags[TagStatus.INVALID],
                    )
                self.log.save(session)
        except BaseException:
            self.log.counters = before  # the batch was not committed
            raise
        for status, n in tags.items():
            self.tags[status] += n
        return _comparisons(parsed, [r.created for r in records])

    def _vote(self, order: _Order, judgement: Judgement) -> NewVote:
        assert judgement.verdict is not None
        return NewVote(
            battle_id=order.view.battle_id,
            source=Source.JUDGE,
            rater=self.endpoint.key,
            verdict=judgement.verdict,
            left_response_id=order.left,
            idempotency_key=judge_idempotency_key(
                self.endpoint.key, order.view.battle_id, order.left, judgement.prompt_version
            ),
            # canonical sides, like the verdict (the judgement maps the shown order back)
            tags_a=tuple(str(tag) for tag in judgement.tags_a),
            tags_b=tuple(str(tag) for tag in judgement.tags_b),
            rationale=(judgement.raw or "")[-2000:],
            prompt_version=judgement.prompt_version,
        )

    def _unparsed(self, session: Session, order: _Order, judgement: Judgement) -> None:
        self.log.counters.unparsed += 1
        record_unparsed(
            session=session,
            run_id=self.log.id,
            judge=self.endpoint.key,
            battle_id=order.view.battle_id,
            left_response_id=order.left,
            prompt_version=judgement.prompt_version,
            raw=judgement.raw or "",
            attempts=judgement.attempts,
        )


class _Wake:
    """Put on the results queue to make the writer look at its flush rule again."""


_WAKE = _Wake()


def _tag_counts(parsed: Sequence[_Result], created: Sequence[bool]) -> dict[TagStatus, int]:
    """Of the votes this batch created, those whose tag lines were missing or malformed."""
    counts = {TagStatus.MISSING: 0, TagStatus.INVALID: 0}
    for (_order, judgement), new in zip(parsed, created, strict=True):
        status = judgement.tag_status
        if new and status in counts:
            counts[status] += 1
    return counts


def _comparisons(parsed: Sequence[_Result], created: Sequence[bool]) -> list[Comparison]:
    """What the votes this batch created add to the judge's history."""
    return [
        Comparison(order.view.model_a.key, order.view.model_b.key, outcome_from_verdict(judgement.verdict))
        for (order, judgement), new in zip(parsed, created, strict=True)
        if new and judgement.verdict is not None
    ]


async def _until(awaited: Collection[asyncio.Future[Any]], watched: Collection[asyncio.Future[Any]]) -> None:
    """Wait for ``awaited`` to finish, raising the first error of any of them or of ``watched``."""
    left, watching = set(awaited), set(watched)
    while left:
        finished, _ = await asyncio.wait(left | watching, return_when=asyncio.FIRST_COMPLETED)
        for task in finished:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error
            left.discard(task)
            watching.discard(task)
