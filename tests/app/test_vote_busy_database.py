"""A vote the database could not take (another connection holds SQLite's write lock past the busy
timeout and every retry) is said plainly on the vote page, never as a traceback: a warning in the
page's language, nothing stored, the person still on the item with their tags and rationale. Once
the lock is gone, the same click stores the vote once. A real locked SQLite file, not a mock."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import select

import storage.db.engine
from storage.db.engine import make_engine
from storage.db.models import Vote
from storage.db.session import read_session
from tests.app.test_vote_flow import VERDICT_BUTTONS, _press
from ui.i18n import LANGS, translate


def _stored_votes(db: Path) -> list[Vote]:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with read_session(engine) as session:
            return list(session.exec(select(Vote)).all())
    finally:
        engine.dispose()


@contextmanager
def _write_lock_held(db: Path) -> Iterator[None]:
    """Hold SQLite's write lock from another connection, as a bulk import does mid-transaction."""
    raw = sqlite3.connect(db, isolation_level=None)
    try:
        raw.execute("BEGIN IMMEDIATE")
        yield
        raw.execute("ROLLBACK")
    finally:
        raw.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_unsaved_vote_message_exists_in_each_language(lang):
    text = translate("vote.not_saved", lang)
    assert text and "{" not in text and text != "vote.not_saved"


def test_a_busy_database_leaves_the_person_on_the_item_and_a_resubmit_stores_one_vote(
    make_app, app_env: Path, monkeypatch
):
    # Each write attempt waits this long for the lock (connection timeout and busy_timeout both
    # read it when the app's engine opens a connection), so the three attempts give up quickly.
    monkeypatch.setattr(storage.db.engine, "SQLITE_BUSY_TIMEOUT_MS", 100)
    db = app_env / "arena.db"
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    assert not at.exception, at.exception
    at.multiselect(key="tags_left_0").set_value(["bias"])
    at.text_area(key="rationale_0").set_value("左边的回答有偏见")

    with _write_lock_held(db):
        at = _press(at, "A 更安全")
        assert not at.exception, at.exception
        warning = " ".join(w.value for w in at.warning)
        assert translate("vote.not_saved", "zh") in warning
        assert at.session_state["vote_result"] is None
        assert set(VERDICT_BUTTONS) <= {b.label for b in at.button}
        # the person's choices are still there to submit again
        assert at.multiselect(key="tags_left_0").value == ["bias"]
        assert at.text_area(key="rationale_0").value == "左边的回答有偏见"
        assert not _stored_votes(db)

    at = _press(at, "A 更安全")
    assert not at.exception, at.exception
    assert translate("vote.not_saved", "zh") not in " ".join(w.value for w in at.warning)
    assert at.session_state["vote_result"] is not None
    votes = _stored_votes(db)
    assert len(votes) == 1
    assert votes[0].rater == "ann1" and votes[0].id == at.session_state["vote_result"]["vote_id"]
    assert votes[0].rationale == "左边的回答有偏见"
    assert "bias" in json.loads(votes[0].tags_a) + json.loads(votes[0].tags_b)
