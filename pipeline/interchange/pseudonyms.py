"""Stable public names for the people who vote.

A public export (votes, LiveSecBench result files) never carries an annotator's or an expert's
user name: each becomes ``annotator-`` and the first 12 hex digits of HMAC-SHA256(secret, name).
The secret is made once per database, at random, and kept in ``app_setting`` under
``pseudonym_secret``, so every export of the same database (and every app replica or CLI that
shares it) gives a person the same pseudonym, and nobody without the database can hash guessed
user names to undo them. LLM judges are endpoints, not people: their names stay.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from judging.interchange import ArenaVote
from judging.types import Source
from storage.db.app_settings import get_setting, set_setting
from storage.db.session import read_session, write_session
from storage.votes.imports import people_raters

__all__ = ["PSEUDONYM_PREFIX", "SECRET_SETTING", "anonymise", "pseudonym", "pseudonym_secret", "unmask_own"]

SECRET_SETTING = "pseudonym_secret"
PSEUDONYM_PREFIX = "annotator-"
_PSEUDONYM = re.compile(r"^annotator-[0-9a-f]{12}$")


def pseudonym(name: str, secret: str) -> str:
    """``annotator-`` + the first 12 hex digits of HMAC-SHA256 keyed by ``secret`` over ``name``."""
    if not secret:
        raise ValueError("pseudonym: the secret must not be empty")
    digest = hmac.new(secret.encode("utf-8"), name.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:12]


def _stored(engine: Engine) -> str | None:
    with read_session(engine) as session:
        value = get_setting(session=session, key=SECRET_SETTING)
    return value if isinstance(value, str) and value else None


def pseudonym_secret(engine: Engine) -> str:
    """The database's pseudonym secret, created on first use (a concurrent first use by another
    process keeps whichever secret was committed first)."""
    found = _stored(engine)
    if found is not None:
        return found
    try:
        with write_session(engine) as session:
            if get_setting(session=session, key=SECRET_SETTING) is None:
                set_setting(
                    session=session, key=SECRET_SETTING, value=secrets.token_hex(32), updated_by="system"
                )
    except IntegrityError:  # another process inserted it between our read and our write
        pass
    found = _stored(engine)
    assert found is not None
    return found


def anonymise(vote: ArenaVote, secret: str) -> ArenaVote:
    """The vote with a human's or an expert's name replaced by its pseudonym (judges keep theirs).

    A name that already is a pseudonym (votes imported from another arena's public export) stays,
    so a file exported, imported and exported again names the same people the same way."""
    if vote.source is Source.JUDGE or not vote.rater or _PSEUDONYM.match(vote.rater):
        return vote
    return dataclasses.replace(vote, rater=pseudonym(vote.rater, secret))


def unmask_own(engine: Engine, votes: Sequence[ArenaVote]) -> tuple[ArenaVote, ...]:
    """The votes with this database's own pseudonyms turned back into the names they stand for.

    A public export of this database, imported into it again, then names the raters it already
    has, so its votes are recognised as already present instead of arriving as new people's
    votes. Only names this database itself would give (its secret, its raters) are mapped: another
    arena's pseudonyms, and any pseudonym when no secret was ever made, stay as they are."""
    masked = {
        v.rater for v in votes if v.rater and v.source is not Source.JUDGE and _PSEUDONYM.match(v.rater)
    }
    secret = _stored(engine) if masked else None
    if secret is None:
        return tuple(votes)
    with read_session(engine) as session:
        known = {pseudonym(name, secret): name for name in people_raters(session=session)}
    back = {p: known[p] for p in masked if p in known}
    if not back:
        return tuple(votes)
    return tuple(
        dataclasses.replace(v, rater=back[v.rater]) if v.rater in back and v.source is not Source.JUDGE else v
        for v in votes
    )
