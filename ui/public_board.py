"""The public leaderboard under the login form: published releases' boards, read-only, for
visitors who are not logged in — shown only when the admin setting ``public_leaderboard`` is on
(``pipeline.publish.public_board``) and only on the landing page (``app.py``); every page in
``pages/`` still shows nothing but the login form to them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from pipeline.publish.public_board import (
    PublicRelease,
    PublicSlice,
    public_leaderboard_enabled,
    public_release,
    published_releases,
    set_public_leaderboard,
)
from pipeline.publish.report_types import OVERALL
from pipeline.views.leaderboard import slice_version
from ui.components import inert_markdown
from ui.formatting import interval_text, model_label, rank_range
from ui.i18n import t
from ui.resources import database_key, get_engine

__all__ = ["public_board_setting", "show_public_board"]


@st.cache_resource(max_entries=16, show_spinner=False)
def _release(url: str, tag: str, version: tuple[int, int]) -> PublicRelease:
    # cached by (database, release, votes version): a new vote or a status change (a battle
    # marked gold) changes the key
    return public_release(get_engine(), tag)


def _table(board: PublicSlice) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("lb.rank_range"): rank_range(row),
                t("lb.model"): model_label(row.name, provisional=row.provisional),
                t("lb.bt"): round(row.rating, 1),
                t("lb.ci"): interval_text(row.lower, row.upper),
                t("lb.votes"): row.votes,
            }
            for row in board.rows
        ]
    )


def _slice_label(dimension: str, lang: str) -> str:
    return t("lb.overall") if dimension == OVERALL else Dimension(dimension).label(lang)


def show_public_board() -> None:
    """Below the login form: nothing unless the setting is on and a release is published."""
    engine = get_engine()
    if not public_leaderboard_enabled(engine):
        return
    releases = published_releases(engine)
    st.divider()
    st.header(t("pub.title"))
    if not releases:
        st.info(t("pub.none"))
        return
    titles = dict(releases)
    tag = st.selectbox(
        t("lb.release"), list(titles), format_func=lambda r: f"{r} · {titles[r]}", key="pub_release"
    )
    board = _release(database_key(), str(tag), slice_version(engine))
    st.caption(t("pub.caption", tag=inert_markdown(board.tag), title=inert_markdown(board.title)))
    lang = st.session_state.get("lang", "zh")
    tabs = st.tabs([_slice_label(s.dimension, lang) for s in board.slices])
    for tab, piece in zip(tabs, board.slices, strict=True):
        with tab:
            if not piece.rows:
                st.info(t("lb.no_votes"))
                continue
            st.dataframe(_table(piece), hide_index=True, key=f"pub_{piece.dimension}")
            st.caption(t("pub.votes", n=piece.n_votes))
    st.caption(t("pub.explain"))


def public_board_setting(actor: str) -> None:
    """The admin's switch (on the queue & gold page): off by default, saved with an audit row."""
    engine = get_engine()
    st.subheader(t("pub.setting.title"))
    with st.form("public_board_setting"):
        enabled = st.toggle(
            t("pub.setting.toggle"),
            value=public_leaderboard_enabled(engine),
            help=t("pub.setting.help"),
            key="pub_setting_enabled",
        )
        if st.form_submit_button(t("queue.save")):
            set_public_leaderboard(engine, enabled=bool(enabled), actor=actor)
            st.success(t("pub.setting.on" if enabled else "pub.setting.off"))
