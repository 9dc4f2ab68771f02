"""The endpoint registry on the Models & runs page: the table, add or change one (any role,
the generator included), switch one off or on, delete one nothing refers to."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from judging.llm import EndpointConfig
from pipeline.runs.registry import (
    ROLES,
    EndpointInfo,
    Removal,
    endpoint_list,
    remove_endpoint,
    save_endpoint,
    switch_endpoint,
)
from ui.components import inert_markdown
from ui.errors import shown_errors
from ui.flash import Level, flash
from ui.i18n import t

__all__ = ["endpoint_section"]


def _table(endpoints: list[EndpointInfo]) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("runs.key"): e.config.key,
                    t("runs.role"): t(f"runs.role.{e.role}"),
                    t("ep.state"): t("ep.state.on") if e.enabled else t("ep.state.off"),
                    t("runs.base_url"): e.config.base_url,
                    t("runs.model"): e.config.model,
                    t("runs.key_env"): e.config.api_key_env or "—",
                    t("lb.organisation"): e.config.organisation,
                }
                for e in endpoints
            ]
        ),
        hide_index=True,
    )


def _form(engine: Engine, actor: str) -> None:
    with st.expander(t("runs.add_endpoint")), st.form("endpoint"):
        key = st.text_input(t("runs.key"))
        display = st.text_input(t("users.name"))
        base_url = st.text_input(t("runs.base_url"), placeholder="http://127.0.0.1:8600/v1")
        model = st.text_input(t("runs.model"))
        key_env = st.text_input(t("runs.key_env"), help=t("runs.key_env_help"))
        organisation = st.text_input(t("lb.organisation"))
        role = st.radio(
            t("runs.role"), ROLES, format_func=lambda r: t(f"runs.role.{r}"), horizontal=True, key="ep_role"
        )
        if not st.form_submit_button(t("queue.save")):
            return
    with shown_errors("ep.refused", also=(ValueError,)) as saved:
        save_endpoint(
            engine,
            EndpointConfig(
                key=key.strip(),
                base_url=base_url.strip(),
                model=model.strip(),
                display_name=display.strip(),
                api_key_env=key_env.strip() or None,
                organisation=organisation.strip(),
            ),
            actor=actor,
            role=str(role),
        )
    if not saved.failed:
        flash(t("ep.saved", name=inert_markdown(key.strip())))
        st.rerun()


def _manage(engine: Engine, endpoints: list[EndpointInfo], actor: str) -> None:
    by_key = {e.config.key: e for e in endpoints}
    chosen = st.selectbox(
        t("ep.manage"),
        list(by_key),
        format_func=lambda k: (
            f"{k} ({t(f'runs.role.{by_key[k].role}')}, "
            + (t("ep.state.on") if by_key[k].enabled else t("ep.state.off"))
            + ")"
        ),
        key="ep_manage",
    )
    if chosen is None:
        return
    info = by_key[chosen]
    cols = st.columns(2)
    name = inert_markdown(chosen)
    if cols[0].button(t("ep.switch_off") if info.enabled else t("ep.switch_on"), key=f"ep_switch:{chosen}"):
        switch_endpoint(engine, chosen, enabled=not info.enabled, actor=actor)
        flash(t("ep.switched_off" if info.enabled else "ep.switched_on", name=name))
        st.rerun()
    if cols[1].button(t("ep.delete"), key=f"ep_delete:{chosen}"):
        if remove_endpoint(engine, chosen, actor=actor) is Removal.DELETED:
            flash(t("ep.deleted", name=name))
        else:
            flash(t("ep.kept_disabled", name=name), Level.WARNING)
        st.rerun()


def endpoint_section(engine: Engine, actor: str) -> None:
    """The registry: every endpoint (switched off ones too), the form, switch and delete."""
    st.subheader(t("runs.endpoints"))
    endpoints = endpoint_list(engine)
    _table(endpoints)
    st.caption(t("runs.endpoints_help"))
    _form(engine, actor)
    if endpoints:
        _manage(engine, endpoints, actor)
