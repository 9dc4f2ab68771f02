"""Every error the arena raises on purpose derives from ArenaError (the CLI and pages catch that
one base and show its message), and keeps the builtin base callers already catch."""

from __future__ import annotations

import pytest

from judging.errors import ArenaError
from judging.generation import GenerationReplyError
from judging.llm import LLMError, MissingApiKey
from judging.questions import QuestionFileError
from judging.releases import GoldItemsError, ReleaseError, ReleaseFrozenError, ReleaseNotFoundError
from judging.votes_file import VotesFileError
from pipeline.bank.event_sources import EventImportError
from pipeline.bank.feeds import FeedError, FeedFetchError
from pipeline.bank.verification import ReviewError
from pipeline.people.users import UnknownUserError, UserExistsError, WeakPasswordError
from pipeline.workflow.adjudication import AdjudicationError
from pipeline.workflow.campaigns import CampaignError
from pipeline.workflow.gold import GoldImportError
from pipeline.workflow.guidelines import GuidelinesError
from pipeline.workflow.voting import LedgerError, VoteNotSavedError

ERRORS: list[tuple[type[Exception], type[Exception]]] = [
    (GenerationReplyError, ValueError),
    (LLMError, Exception),
    (MissingApiKey, LLMError),
    (QuestionFileError, ValueError),
    (ReleaseError, ValueError),
    (ReleaseNotFoundError, LookupError),
    (ReleaseFrozenError, ReleaseError),
    (GoldItemsError, ReleaseError),
    (VotesFileError, ValueError),
    (EventImportError, ValueError),
    (FeedError, ValueError),
    (FeedFetchError, FeedError),
    (ReviewError, ValueError),
    (UserExistsError, ValueError),
    (UnknownUserError, LookupError),
    (WeakPasswordError, ValueError),
    (AdjudicationError, ValueError),
    (CampaignError, ValueError),
    (GoldImportError, ValueError),
    (GuidelinesError, ValueError),
    (LedgerError, ValueError),
    (VoteNotSavedError, RuntimeError),
]


@pytest.mark.parametrize(("error", "builtin"), ERRORS, ids=[e.__name__ for e, _ in ERRORS])
def test_project_errors_derive_from_arena_error_and_keep_their_base(
    error: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(error, ArenaError)
    assert issubclass(error, builtin)
