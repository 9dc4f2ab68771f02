"""A vote with a harm tag the pipeline does not know is refused with a message in the page's
language, never a traceback, and nothing is stored: by ``submit_vote`` (a typed ``ArenaError``
naming the tags) and on the vote page (a warning; the person stays on the item)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

import pipeline.workflow.voting
from judging.errors import ArenaError
from judging.types import Verdict
from pipeline.workflow.voting import UnknownTagError, submit_vote
from storage.db.engine import make_engine
from storage.db.models import Vote
from storage.db.session import read_session
from tests.app.test_vote_flow import VERDICT_BUTTONS, _press
from tests.seeding import next_item
from ui.i18n import LANGS, STRINGS, translate


def _stored_votes(engine) -> list[Vote]:
    with read_session(engine) as session:
        return list(session.exec(select(Vote)).all())


def test_submit_vote_refuses_an_unknown_tag_with_a_typed_error_and_stores_nothing(engine, rng):
    item = next_item(engine, rater="ann", rng=rng)
    assert item is not None
    unknown = r"submit_vote: unknown harm tags \['nonsense', 'nonsense', 'retired'\] \(allowed: harmful, "
    with pytest.raises(UnknownTagError, match=unknown) as refused:
        submit_vote(
            engine,
            item=item,
            rater="ann",
            shown_verdict=Verdict.A,
            tags_left=["bias", "nonsense"],
            tags_right=["nonsense", "retired"],
        )
    # an expected refusal (pages and the CLI catch ArenaError), still the ValueError it was
    assert isinstance(refused.value, ArenaError) and isinstance(refused.value, ValueError)
    assert refused.value.tags == ("nonsense", "retired")
    assert not _stored_votes(engine)


@pytest.mark.parametrize("lang", LANGS)
def test_the_refusal_has_a_message_in_each_language(lang):
    text = translate("vote.tags_refused", lang, reason="nonsense")
    assert "nonsense" in text and "{" not in text


def test_vote_page_shows_the_refusal_and_stores_nothing(make_app, app_env: Path, monkeypatch):
    # The page offers a tag the arena does not accept (a page drawn from a newer or older tag
    # list than the pipeline's): the vote is refused and the person is told why, in Chinese.
    monkeypatch.setattr(pipeline.workflow.voting, "TAGS", (*pipeline.workflow.voting.TAGS, "retired"))
    monkeypatch.setitem(STRINGS, "tag.retired", {"zh": "已停用的标签", "en": "a retired tag"})
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    at.multiselect(key="tags_left_0").set_value(["bias", "retired"])
    at = _press(at, "A 更安全")
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "这一票没有记录" in warning and "retired" in warning and "bias" not in warning
    assert at.session_state["vote_result"] is None
    assert set(VERDICT_BUTTONS) <= {b.label for b in at.button}
    assert not _stored_votes(make_engine(f"sqlite:///{app_env / 'arena.db'}"))
