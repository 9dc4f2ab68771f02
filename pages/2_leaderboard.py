"""Leaderboard: Bradley–Terry with 95% intervals and rank ranges as the headline; Elo and
TrueSkill beside it; filters for dimension, release and vote source; the win-rate heatmap."""

import altair as alt
import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.roles import ALL_ROLES
from pipeline.bank.releases import list_release_summaries
from pipeline.runs.registry import model_metadata
from pipeline.views.leaderboard import Board, BoardQuery, compute_board
from pipeline.views.live_ratings import OVERALL, LiveRatings
from ui.auth import require_role
from ui.board_charts import bt_interval_chart
from ui.formatting import interval_text, model_label, rank_range
from ui.harm_tags_view import harm_tags_section
from ui.i18n import t
from ui.resources import elo_k, get_engine, get_live_ratings

require_role(*ALL_ROLES)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("lb.title"))


@st.cache_resource(max_entries=64, show_spinner=False)
def _board(url: str, query: BoardQuery, version: tuple[int, int]) -> Board:
    # cached by (database, slice, log version): a new vote changes the key, nothing else does.
    # Elo/TrueSkill of whole-dimension, all-source slices come from the live projection instead
    return compute_board(
        live.log.snapshot(), query, online=not (not query.source_weights and query.release_id is None)
    )


SOURCES: dict[str, dict[str, float] | None] = {
    "all": {},
    "human": {"human": 1.0},
    "expert": {"expert": 1.0},
    "judge": {"judge": 1.0},
    "people": {"human": 1.0, "expert": 1.0},
    "weighted": None,
}


def _chosen_weights(source: str) -> dict[str, float]:
    weights = SOURCES[source]
    if weights is not None:
        return weights
    wcols = st.columns(3)
    return {
        name: wcols[k].slider(
            t(f"source.{name}"), 0.0, 1.0, 1.0 if name != "judge" else 0.5, 0.05, key=f"lb_w_{name}"
        )
        for k, name in enumerate(("human", "expert", "judge"))
    }


def _filters() -> tuple[BoardQuery, str, str]:
    """The slice the user picked: the query, the dimension (or OVERALL) and the source choice."""
    cols = st.columns([2, 2, 2, 1])
    dimension = cols[0].selectbox(
        t("lb.slice"),
        [OVERALL, *[d.value for d in Dimension]],
        format_func=lambda s: t("lb.overall") if s == OVERALL else Dimension(s).label(lang),
        key="lb_slice",
    )
    releases = list_release_summaries(engine)
    tags = {r.id: r.tag for r in releases}
    release_id = cols[1].selectbox(
        t("lb.release"),
        [None, *tags],
        format_func=lambda r: t("lb.all_releases") if r is None else tags[r],
        key="lb_release",
    )
    source = cols[2].selectbox(
        t("lb.source"), list(SOURCES), format_func=lambda s: t(f"lb.source.{s}"), key="lb_source"
    )
    min_votes = cols[3].number_input(
        t("lb.min_votes"), min_value=0, max_value=10_000, value=10, key="lb_min_votes"
    )
    weights = _chosen_weights(source)
    precise = st.toggle(t("lb.bootstrap"), value=False, key="lb_bootstrap", help=t("lb.bootstrap_help"))
    query = BoardQuery(
        dimension=None if dimension == OVERALL else dimension,
        release_id=release_id,
        source_weights=tuple(weights.items()),
        min_votes=int(min_votes),
        intervals="bootstrap" if precise else "sandwich",
        elo_k=elo_k(),
    )
    return query, dimension, source


def _bt_section(board: Board) -> None:
    if board.bt is None:
        st.info(t("lb.no_votes"))
        return
    bt = pd.DataFrame(
        [
            {
                t("lb.rank_range"): rank_range(r),
                t("lb.model"): model_label(board.names.get(r.model, r.model), provisional=r.provisional),
                t("lb.bt"): round(r.rating, 1),
                t("lb.ci"): interval_text(r.lower, r.upper),
                "lower": r.lower,
                "upper": r.upper,
                t("lb.votes"): r.votes,
            }
            for r in board.bt.rows
        ]
    )
    st.subheader(t("lb.bt_title"))
    st.dataframe(bt.drop(columns=["lower", "upper"]), hide_index=True, key="lb_bt")
    if not board.bt.identified:
        st.info(t("lb.not_identified"))
    else:
        tooltip = [t("lb.model"), t("lb.bt"), t("lb.ci"), t("lb.votes"), t("lb.rank_range")]
        st.altair_chart(bt_interval_chart(bt, tooltip), use_container_width=True)
    st.caption(t("lb.bt_explain"))
    # one line on what the intervals cover: the battle is the unit, and the tie model's scale
    st.caption(
        t("lb.ties_half")
        if board.tie_parameter is None
        else t("lb.ties_davidson", nu=f"{board.tie_parameter:.2f}")
    )


def _live_table(live: LiveRatings, dimension: str) -> pd.DataFrame:
    return pd.DataFrame(
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
                t("lb.win_rate"): "—" if row.win_rate is None else round(100 * row.win_rate, 1),
            }
            for rank, row in enumerate(live.standings(dimension).rows, start=1)
        ]
    )


def _replayed_table(board: Board) -> pd.DataFrame:
    return pd.DataFrame(
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


def _online_section(board: Board, live: LiveRatings, *, dimension: str, live_slice: bool) -> None:
    # Elo and TrueSkill beside it. For "all sources" on a whole dimension (or overall) the live
    # fold-forward projection answers (it carries wins/losses/draws); other slices are replayed.
    st.subheader(t("lb.online_title"))
    if live_slice:
        online = _live_table(live, dimension)
    elif board.online:
        online = _replayed_table(board)
    else:
        online = pd.DataFrame()
    st.dataframe(online, hide_index=True, key="lb_online")
    st.caption(t("lb.explain"))


def _rounded(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 3)


def _heatmap_section(board: Board) -> None:
    if board.win_rate is None:
        return
    st.subheader(t("lb.heatmap"))
    models = list(board.win_rate.models)
    predicted = board.predicted
    cells = [
        {
            "row": board.names.get(models[r], models[r]),
            "col": board.names.get(models[c], models[c]),
            t("lb.observed"): _rounded(board.win_rate.values[r, c]),
            t("lb.predicted"): None if predicted is None else round(float(predicted.values[r, c]), 3),
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


def _models_section(board: Board) -> None:
    """The rated models' metadata; the cells are data, never rendered as Markdown or HTML."""
    if board.bt is None:
        return
    keys = [r.model for r in board.bt.rows]
    facts = model_metadata(engine, keys)
    with st.expander(t("lb.models_title")):
        rows = [
            {
                t("lb.model"): board.names.get(key, key),
                t("lb.m_organisation"): facts[key].organisation,
                t("lb.m_provider"): facts[key].provider,
                t("lb.m_release_date"): facts[key].release_date,
                t("lb.m_parameters"): facts[key].parameters,
                t("lb.m_open"): t("lb.yes") if facts[key].open_source else t("lb.no"),
                t("lb.m_location"): facts[key].location,
                t("lb.m_url"): facts[key].url,
            }
            for key in keys
            if key in facts
        ]
        if not rows:
            st.info(t("lb.models_none"))
            return
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="lb_models")
        st.caption(t("lb.models_explain"))


query, dimension, source = _filters()
live = get_live_ratings()  # folds in the votes that arrived since the last render
version = live.log.snapshot().version  # a new vote, or an undo/ruling/gold mark, changes it
with st.spinner(t("lb.computing")):
    board = _board(engine.url.render_as_string(hide_password=True), query, version)
st.caption(t("lb.votes_in_slice", n=board.n_votes, cursor=board.last_vote_id))
_bt_section(board)
_online_section(board, live, dimension=dimension, live_slice=source == "all" and query.release_id is None)
_heatmap_section(board)
_models_section(board)
harm_tags_section(query.release_id, query.dimension, version)
