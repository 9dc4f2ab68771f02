"""Login, role guard and the role-aware sidebar menu (classic multipage mode)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC

import streamlit as st
import streamlit_authenticator as stauth

from storage.queries import audit
from storage.session import read_session, write_session
from storage.users import credentials_for_login, get_user, mark_logged_out, set_user_lang
from ui.i18n import LANGS, t
from ui.resources import get_engine, get_settings

__all__ = ["MENU", "AuthContext", "login_gate", "require_role"]

ALL_ROLES = ("admin", "expert", "annotator")

# (page file, string key, roles that may open it)
MENU: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("app.py", "menu.home", ALL_ROLES),
    ("pages/1_vote.py", "menu.vote", ALL_ROLES),
    ("pages/2_leaderboard.py", "menu.leaderboard", ALL_ROLES),
    ("pages/3_adjudicate.py", "menu.adjudicate", ("expert", "admin")),
    ("pages/4_calibration.py", "menu.calibration", ("expert", "admin")),
    ("pages/5_runs.py", "menu.runs", ("admin",)),
    ("pages/6_questions.py", "qb.menu", ("expert", "admin")),
    ("pages/7_queue.py", "menu.queue", ("admin",)),
    ("pages/8_users.py", "menu.users", ("admin",)),
    ("pages/9_events.py", "ev.menu", ("expert", "admin")),
    ("pages/10_verify.py", "ev.verify_menu", ("expert", "admin")),
    ("pages/11_report.py", "rep.menu", ALL_ROLES),
)


@dataclass(frozen=True)
class AuthContext:
    username: str
    name: str
    roles: tuple[str, ...]

    def has_any(self, roles: tuple[str, ...]) -> bool:
        return bool(set(self.roles) & set(roles))


def _authenticator() -> stauth.Authenticate:
    settings = get_settings()
    with read_session(get_engine()) as session:
        credentials = credentials_for_login(session=session)
    return stauth.Authenticate(
        credentials,
        settings.cookie_name,
        settings.cookie_key(),
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_sleep_time,
    )


def _on_login(event: dict[str, object]) -> None:
    username = str(event.get("username") or st.session_state.get("username") or "")
    st.session_state["arena_login_at"] = time.time()
    with write_session(get_engine()) as session:
        audit(session=session, actor=username, action="login")
        user = get_user(session=session, username=username)
    if user is not None:
        st.session_state["lang"] = user.lang


def _on_logout(event: dict[str, object]) -> None:
    username = str(event.get("username") or st.session_state.get("username") or "")
    # Logging out revokes server-side every session and cookie of this user issued so far: the
    # browser-side cookie deletion is best effort and must not be what ends the session.
    with write_session(get_engine()) as session:
        mark_logged_out(session=session, username=username)
        audit(session=session, actor=username, action="logout")
    for key in ("vote_item", "vote_result", "arena_login_at"):
        st.session_state.pop(key, None)


def login_gate() -> AuthContext:
    """Show the login form until the visitor is authenticated; stop the page otherwise."""
    st.set_page_config(page_title="Safety Arena · 安全竞技场", layout="wide")
    st.session_state.setdefault("lang", "zh")
    authenticator = _authenticator()
    if not st.session_state.get("authentication_status"):
        st.title(t("app.title"))
        st.caption(t("app.tagline"))
        authenticator.login(
            location="main",
            fields={
                "Form name": t("login.form"),
                "Username": t("login.username"),
                "Password": t("login.password"),
                "Login": t("login.submit"),
            },
            callback=_on_login,
        )
        status = st.session_state.get("authentication_status")
        if status is False:
            st.error(t("login.failed"))
        if not status:
            st.stop()
    username = str(st.session_state.get("username") or "")
    # Roles and the active flag are read from the database on every run, so a change by an
    # admin (or a deactivation) takes effect at once, not at the next login.
    with read_session(get_engine()) as session:
        user = get_user(session=session, username=username)
    if user is None or not user.active:
        _forget_login(authenticator)
        st.error(t("auth.inactive"))
        st.stop()
    login_at = st.session_state.get("arena_login_at")
    if login_at is None:
        # Authenticated from the re-login cookie: it was issued expiry_days before it expires.
        token = authenticator.cookie_controller.get_cookie() or {}
        expires = float(token.get("exp_date", 0) or 0)
        login_at = expires - get_settings().cookie_expiry_days * 86400 if expires else 0.0
        st.session_state["arena_login_at"] = login_at
    if user.logged_out_at is not None and login_at <= user.logged_out_at.replace(tzinfo=UTC).timestamp():
        _forget_login(authenticator)
        st.rerun()
    st.session_state["roles"] = list(user.roles)
    ctx = AuthContext(username=username, name=user.name or username, roles=user.roles)
    _sidebar(ctx, authenticator)
    return ctx


def _forget_login(authenticator: stauth.Authenticate) -> None:
    for key in ("authentication_status", "username", "name", "roles", "arena_login_at"):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True  # the authenticator then ignores the cookie in this session
    authenticator.cookie_controller.delete_cookie()


def _sidebar(ctx: AuthContext, authenticator: stauth.Authenticate) -> None:
    with st.sidebar:
        st.markdown(f"### {t('app.title')}")
        for page, label, roles in MENU:
            if ctx.has_any(roles):
                st.page_link(page, label=t(label))
        st.divider()
        lang = st.selectbox(
            t("menu.language"),
            LANGS,
            index=LANGS.index(st.session_state.get("lang", "zh")),
            format_func=lambda code: "中文" if code == "zh" else "English",
            key="lang_select",
        )
        if lang != st.session_state.get("lang"):
            st.session_state["lang"] = lang
            with write_session(get_engine()) as session:
                set_user_lang(session=session, username=ctx.username, lang=lang)
            st.rerun()
        roles = "、".join(t(f"role.{r}") for r in ctx.roles if r in ALL_ROLES)
        st.caption(t("menu.signed_in_as", name=ctx.name, roles=roles))
        authenticator.logout(t("logout"), location="sidebar", key="logout_button", callback=_on_logout)
    if not st.session_state.get("authentication_status"):
        st.rerun()  # just logged out: render nothing more of this page


def require_role(*allowed: str) -> AuthContext:
    """The first call on every page: log in, then stop unless the user has an allowed role."""
    ctx = login_gate()
    if not ctx.has_any(tuple(allowed)):
        st.error(t("auth.forbidden"))
        st.stop()
    return ctx
