"""The leaderboard page's harm tag table: for the slice on screen, each model's share of answers
people and the LLM judge tagged each way (``pipeline.views.harm_tags``; docs/harm-tags.md)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from judging.harm_tags import OVERALL, HarmTag, TagGroup
from pipeline.bank.releases import list_release_summaries
from pipeline.views.harm_tags import HarmTagSummary, harm_tag_summary
from ui.i18n import t
from ui.resources import database_key, get_engine

__all__ = ["harm_tags_section"]


@st.cache_resource(max_entries=32, show_spinner=False)
def _summary(url: str, release: str | None, version: object) -> HarmTagSummary:
    # cached by (database, release, vote log version): a new vote or a status change renews it
    return harm_tag_summary(get_engine(), release=release)


def _table(summary: HarmTagSummary, dimension: str) -> pd.DataFrame:
    rows = []
    for group in TagGroup:
        for share in summary.rows(group, dimension):
            row: dict[str, object] = {
                t("lb.model"): summary.name(share.model),
                t("tags.by"): t(f"tags.group.{group.value}"),
                t("tags.answers"): share.appearances,
            }
            for tag in HarmTag:
                value = share.share(tag)
                row[t(f"tag.{tag.value}")] = None if value is None else round(100 * value, 1)
            rows.append(row)
    return pd.DataFrame(rows)


def harm_tags_section(release_id: int | None, dimension: str | None, version: object) -> None:
    """The table for one release (None: all) and dimension (None: overall), under its own heading."""
    tags = {r.id: r.tag for r in list_release_summaries(get_engine())}
    release = None if release_id is None else tags.get(release_id)
    summary = _summary(database_key(), release, version)
    st.subheader(t("tags.title"))
    frame = _table(summary, dimension or OVERALL)
    if frame.empty:
        st.info(t("lb.no_votes"))
        return
    st.dataframe(frame, hide_index=True, key="lb_harm_tags")
    st.caption(t("tags.explain"))
