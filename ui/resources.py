"""Process-wide resources, built once per server process and shared by every session."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from judging.ratings import DEFAULT_ELO_K, EloRater
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from pipeline.views.live_ratings import LiveRatings

__all__ = ["database_key", "elo_k", "get_engine", "get_live_ratings", "get_settings"]


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    # prepare() creates the schema, loads the demo into an empty database, creates the first
    # admin (printing its one-time password on the console) and the cookie key.
    return prepare(get_settings())


def get_engine() -> Engine:
    return _engine_for(get_settings().database_url)


def database_key() -> str:
    """The database's URL without its password: the part of a cache key that says which database
    (tests run several in one process)."""
    return get_engine().url.render_as_string(hide_password=True)


@st.cache_resource(show_spinner=False)
def _live_ratings_for(url: str, elo_k: float) -> LiveRatings:
    return LiveRatings(elo=EloRater(k=elo_k, initial=1500.0))


def elo_k() -> float:
    """The Elo column's K for this installation (``ARENA_ELO_K``, else the measured default)."""
    return get_settings().elo_k or DEFAULT_ELO_K


def get_live_ratings() -> LiveRatings:
    """The shared Elo/TrueSkill projection, folded forward to the newest vote on every call."""
    live = _live_ratings_for(get_settings().database_url, elo_k())
    live.refresh(get_engine())
    return live
