"""Users (admin): list accounts, add a user, activate or deactivate."""

import streamlit as st

from pipeline.users import UserExistsError, all_users, create_user, set_active
from storage.users import ROLES
from ui.auth import require_role
from ui.i18n import t
from ui.resources import get_engine

ctx = require_role("admin")

engine = get_engine()
st.title(t("users.title"))

users = all_users(engine)
st.dataframe(
    [
        {
            t("users.username"): u.username,
            t("users.name"): u.name,
            t("users.roles"): "、".join(t(f"role.{r}") for r in u.roles),
            t("users.active"): u.active,
        }
        for u in users
    ],
    hide_index=True,
)

with st.form("add_user", clear_on_submit=True):
    st.subheader(t("users.add"))
    username = st.text_input(t("users.username"), max_chars=64)
    name = st.text_input(t("users.name"), max_chars=100)
    password = st.text_input(t("users.password"), type="password", max_chars=72)
    roles = st.multiselect(
        t("users.roles"), ROLES, default=["annotator"], format_func=lambda r: t(f"role.{r}")
    )
    if st.form_submit_button(t("users.add")):
        try:
            info = create_user(
                engine, actor=ctx.username, username=username, name=name, password=password, roles=roles
            )
        except UserExistsError:
            st.error(t("users.exists"))
        except ValueError as exc:
            st.error(t("users.error", error=str(exc)))
        else:
            st.success(t("users.created", username=info.username))
            st.rerun()

for u in users:
    if u.username == ctx.username:
        continue
    cols = st.columns([3, 1])
    cols[0].write(f"{u.username} · {u.name}")
    label = t("users.active")
    new = cols[1].toggle(label, value=u.active, key=f"active_{u.username}")
    if new != u.active:
        set_active(engine, actor=ctx.username, username=u.username, active=new)
        st.rerun()
