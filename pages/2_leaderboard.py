"""Leaderboard: Bradley–Terry with 95% intervals and rank ranges as the headline; Elo and
TrueSkill beside it; filters for dimension, release and vote source; the win-rate heatmap."""

import altair as alt
import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from pipeline.views.leaderboard import Board, BoardQuery, compute_board
from pipeline.views.live_ratings import OVERALL
from ui.auth import require_role
from ui.i18n import t
from ui.resources import elo_k, get_engine, get_live_ratings, get_releases

require_role("annotator", "expert", "admin")

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("lb.title"))


@st.cache_resource(max_entries=64, show_spinner=False)
def _board(url: str, key: tuple, last_vote_id: int, _query: BoardQuery) -> Board:
    # cached by (slice, last vote id): a new vote changes the key, nothing else does
    # Elo/TrueSkill of whole-dimension, all-source slices come from the live projection instead
    return compute_board(
        live.log.snapshot(), _query, online=not (not _query.source_weights and _query.release_id is None)
    )


SOURCES = {
    "all": {},
    "human": {"human": 1.0},
    "expert": {"expert": 1.0},
    "judge": {"judge": 1.0},
    "people": {"human": 1.0, "expert": 1.0},
    "weighted": None,
}

cols = st.columns([2, 2, 2, 1])
dimension = cols[0].selectbox(
    t("lb.slice"),
    [OVERALL, *[d.value for d in Dimension]],
    format_func=lambda s: t("lb.overall") if s == OVERALL else Dimension(s).label(lang),
    key="lb_slice",
)
releases = get_releases()
release_id = cols[1].selectbox(
    t("lb.release"),
    [None, *[r.id for r in releases]],
    format_func=lambda r: t("lb.all_releases") if r is None else next(x.tag for x in releases if x.id == r),
    key="lb_release",
)
source = cols[2].selectbox(
    t("lb.source"), list(SOURCES), format_func=lambda s: t(f"lb.source.{s}"), key="lb_source"
)
min_votes = cols[3].number_input(
    t("lb.min_votes"), min_value=0, max_value=10_000, value=10, key="lb_min_votes"
)
weights = SOURCES[source]
if weights is None:
    wcols = st.columns(3)
    weights = {
        name: wcols[k].slider(
            t(f"source.{name}"), 0.0, 1.0, 1.0 if name != "judge" else 0.5, 0.05, key=f"lb_w_{name}"
        )
        for k, name in enumerate(("human", "expert", "judge"))
    }
precise = st.toggle(t("lb.bootstrap"), value=False, key="lb_bootstrap", help=t("lb.bootstrap_help"))

query = BoardQuery(
    dimension=None if dimension == OVERALL else dimension,
    release_id=release_id,
    source_weights=weights,
    min_votes=int(min_votes),
    intervals="bootstrap" if precise else "sandwich",
    elo_k=elo_k(),
)
live = get_live_ratings()  # folds in the votes that arrived since the last render
version = live.log.snapshot().version  # a new vote, or an undo/ruling/gold mark, changes it
with st.spinner(t("lb.computing")):
    board = _board(engine.url.render_as_string(hide_password=True), query.cache_key(), version, query)
st.caption(t("lb.votes_in_slice", n=board.n_votes, cursor=board.last_vote_id))

if board.bt is None:
    st.info(t("lb.no_votes"))
else:
    name = board.names.get
    bt = pd.DataFrame(
        [
            {
                t("lb.rank_range"): f"{r.rank}" if r.rank == r.rank_worst else f"{r.rank}–{r.rank_worst}",
                t("lb.model"): name(r.model, r.model) + (" " + t("lb.provisional") if r.provisional else ""),
                t("lb.bt"): round(r.rating, 1),
                t("lb.ci"): f"[{r.lower:.0f}, {r.upper:.0f}]",
                "lower": r.lower,
                "upper": r.upper,
                t("lb.votes"): r.votes,
            }
            for r in board.bt.rows
        ]
    )
    st.subheader(t("lb.bt_title"))
    st.dataframe(bt.drop(columns=["lower", "upper"]), hide_index=True, key="lb_bt")
    order = bt[t("lb.model")].tolist()
    base = alt.Chart(bt).encode(y=alt.Y(f"{t('lb.model')}:N", sort=order, title=None))
    chart = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("lower:Q", scale=alt.Scale(zero=False), title=t("lb.bt_axis")), x2="upper:Q"
    ) + base.mark_point(filled=True, size=80).encode(
        x=f"{t('lb.bt')}:Q",
        tooltip=[t("lb.model"), t("lb.bt"), t("lb.ci"), t("lb.votes"), t("lb.rank_range")],
    )
    st.altair_chart(chart, use_container_width=True)
    st.caption(t("lb.bt_explain"))
    # one line on what the intervals cover: the battle is the unit, and the tie model's scale
    st.caption(
        t("lb.ties_half")
        if board.tie_parameter is None
        else t("lb.ties_davidson", nu=f"{board.tie_parameter:.2f}")
    )

# Elo and TrueSkill beside it. For "all sources" on a whole dimension (or overall) the live
# fold-forward projection answers (it carries wins/losses/draws); other slices are replayed.
st.subheader(t("lb.online_title"))
live_slice = source == "all" and release_id is None
if live_slice:
    standings = live.standings(dimension)
    online = pd.DataFrame(
        [
            {
                t("lb.rank"): rank,
                t("lb.model"): row.display_name,
                t("lb.ts_sort"): round(row.conservative, 2),
                t("lb.mu"): round(row.mu, 2),
                t("lb.sigma"): round(row.sigma, 2),
                t("lb.elo_k", k=f"{elo_k():g}"): round(row.elo, 1),
                t("lb.games"): row.games,
                t("lb.wins"): row.wins,
                t("lb.losses"): row.losses,
                t("lb.draws"): row.draws,
                t("lb.win_rate"): None if row.win_rate is None else round(100 * row.win_rate, 1),
            }
            for rank, row in enumerate(standings.rows, start=1)
        ]
    )
elif board.online:
    online = pd.DataFrame(
        [
            {
                t("lb.rank"): rank,
                t("lb.model"): board.names.get(r.model, r.model),
                t("lb.ts_sort"): round(r.conservative, 2),
                t("lb.mu"): round(r.mu, 2),
                t("lb.sigma"): round(r.sigma, 2),
                t("lb.elo_k", k=f"{elo_k():g}"): round(r.elo, 1),
                t("lb.games"): r.votes,
            }
            for rank, r in enumerate(board.online, start=1)
        ]
    )
else:
    online = pd.DataFrame()
st.dataframe(online, hide_index=True, key="lb_online")
st.caption(t("lb.explain"))

if board.win_rate is not None:
    st.subheader(t("lb.heatmap"))
    models = list(board.win_rate.models)
    cells = [
        {
            "row": board.names.get(models[r], models[r]),
            "col": board.names.get(models[c], models[c]),
            t("lb.observed"): None
            if pd.isna(board.win_rate.values[r, c])
            else round(float(board.win_rate.values[r, c]), 3),
            t("lb.predicted"): None
            if board.predicted is None
            else round(float(board.predicted.values[r, c]), 3),
        }
        for r in range(len(models))
        for c in range(len(models))
        if r != c
    ]
    heat = pd.DataFrame(cells)
    hm = (
        alt.Chart(heat)
        .mark_rect()
        .encode(
            x=alt.X("col:N", title=t("lb.heat_col")),
            y=alt.Y("row:N", title=t("lb.heat_row")),
            color=alt.Color(f"{t('lb.observed')}:Q", scale=alt.Scale(domain=[0, 1], scheme="redblue")),
            tooltip=["row", "col", t("lb.observed"), t("lb.predicted")],
        )
    )
    text = alt.Chart(heat).mark_text(fontSize=11).encode(x="col:N", y="row:N", text=f"{t('lb.observed')}:Q")
    st.altair_chart(hm + text, use_container_width=True)
    st.caption(t("lb.heat_explain"))
