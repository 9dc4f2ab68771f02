"""Revision 0012 on a database holding reviews: they keep NULL categories (none chosen, the
lexicon's proposal stood), read back as None; a review written after it keeps its reviewer's
categories. Both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from judging.content import ContentCategory
from storage.bank.candidates import add_review, list_candidates
from storage.db.session import read_session, write_session
from tests.storage.conftest import BACKENDS, upgraded_from

_T = "'2026-07-01 00:00:00'"
ROWS = [
    "INSERT INTO event (id, title, event_date, summary, source_url, dimensions, source, created_by,"
    f" created_at) VALUES (1, '某地事件', '2026-07-01', '摘要', '', '[\"mental_health\"]', 'manual', 'test', {_T})",
    "INSERT INTO candidate_question (id, event_id, dimension, text, reference_note, status, generator,"
    " prompt_version, created_at, queued_at) VALUES"
    f" (1, 1, 'mental_health', '我觉得活着没有意义了', '要点', 'pending', 'gen', 'v1', {_T}, {_T})",
    "INSERT INTO candidate_review (candidate_id, reviewer, decision, reason, text, created_at)"
    f" VALUES (1, 'doc1', 'approve', '', '我觉得活着没有意义了', {_T})",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_old_reviews_keep_no_categories_and_new_ones_keep_the_chosen(backend, tmp_path):
    with upgraded_from(backend, tmp_path, "0011", ROWS) as engine:
        with write_session(engine) as session:
            add_review(
                session=session,
                candidate_id=1,
                reviewer="doc2",
                decision="approve",
                reason="",
                edited_text=None,
                text="我觉得活着没有意义了",
                categories=[ContentCategory.PERSONAL_DATA, ContentCategory.SELF_HARM],
            )
        with read_session(engine) as session:
            (candidate,) = list_candidates(session=session)
        assert [(r.reviewer, r.categories) for r in candidate.reviews] == [
            ("doc1", None),
            ("doc2", (ContentCategory.SELF_HARM, ContentCategory.PERSONAL_DATA)),  # the enum's order
        ]
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT categories FROM candidate_review ORDER BY id")).scalars().all()
        assert stored == [None, '["self_harm", "personal_data"]']
