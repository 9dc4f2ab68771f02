"""Login, role guard and the role-aware sidebar menu (classic multipage mode).

Passwords are checked by ``pipeline.people.accounts.log_in`` (per-account lockout, audit) in the login
form's submit callback, so the run that follows already renders the logged-in page. The
streamlit-authenticator object is built once per run for its re-login cookie and logout button
only: it holds no credentials and nothing sleeps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st
import streamlit.components.v1 as components
import streamlit_authenticator as stauth

from judging.roles import ALL_ROLES, REVIEWER_ROLES, Role
from pipeline.people.accounts import (
    LoginOutcome,
    SessionThrottle,
    UserInfo,
    account,
    change_own_password,
    log_in,
    log_out,
    record_throttled,
    set_language,
)
from ui.components import inert_markdown
from ui.flash import show_flash
from ui.i18n import LANGS, current_lang, join_list, t
from ui.resources import get_engine, get_settings

__all__ = ["MENU", "AuthContext", "login_gate", "require_role"]

ADMIN_ONLY: tuple[Role, ...] = (Role.ADMIN,)

# (page file, string key, roles that may open it): the same roles as the page's require_role
MENU: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("app.py", "menu.home", ALL_ROLES),
    ("pages/1_vote.py", "menu.vote", ALL_ROLES),
    ("pages/12_guidelines.py", "guide.menu", ALL_ROLES),
    ("pages/2_leaderboard.py", "menu.leaderboard", ALL_ROLES),
    ("pages/3_adjudicate.py", "menu.adjudicate", REVIEWER_ROLES),
    ("pages/4_calibration.py", "menu.calibration", REVIEWER_ROLES),
    ("pages/5_runs.py", "menu.runs", ADMIN_ONLY),
    ("pages/6_questions.py", "qb.menu", REVIEWER_ROLES),
    ("pages/7_queue.py", "menu.queue", ADMIN_ONLY),
    ("pages/8_users.py", "menu.users", ADMIN_ONLY),
    ("pages/9_events.py", "ev.menu", REVIEWER_ROLES),
    ("pages/10_verify.py", "ev.verify_menu", REVIEWER_ROLES),
    ("pages/11_report.py", "rep.menu", ALL_ROLES),
)

# session-state keys of this module
_USERNAME_INPUT = "arena_login_username"
_PASSWORD_INPUT = "arena_login_password"
_NOTICE = "arena_login_notice"  # (string key, format arguments) shown under the login form
_THROTTLE = "arena_login_throttle"  # SessionThrottle of this browser session
_SET_COOKIE = "arena_set_cookie"  # issue the re-login cookie in this run
_CHANGE = "arena_change_password"  # the user asked for the change-password form
_CHANGED = "arena_password_changed"  # show the confirmation once
_LANG_UNSET = "arena_lang_unset"  # this session's language came neither from the URL nor a choice
_RELOAD = "arena_reload_page"  # the language was switched: reload the page once it is drawn


@dataclass(frozen=True)
class AuthContext:
    username: str
    name: str
    roles: tuple[Role, ...]

    def has_any(self, roles: tuple[Role, ...]) -> bool:
        return bool(set(self.roles) & set(roles))


def _authenticator() -> stauth.Authenticate:
    settings = get_settings()
    return stauth.Authenticate(
        {"usernames": {}},
        settings.cookie_name,
        settings.cookie_key(),
        settings.cookie_expiry_days,
        auto_hash=False,
    )


def _signed_in(user: UserInfo, *, login_at: float) -> None:
    st.session_state["authentication_status"] = True
    st.session_state["username"] = user.username
    st.session_state["name"] = user.name
    st.session_state["roles"] = list(user.roles)
    st.session_state["arena_login_at"] = login_at


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # stored in UTC


def _when(moment: datetime | None) -> str:
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _submit_login() -> None:
    """The login form's callback: runs before the script, so the next run is already logged in."""
    username = str(st.session_state.get(_USERNAME_INPUT) or "")
    password = str(st.session_state.get(_PASSWORD_INPUT) or "")
    st.session_state[_PASSWORD_INPUT] = ""  # the password is never kept in the session
    st.session_state["authentication_status"] = False
    if not username.strip() or not password:
        st.session_state[_NOTICE] = ("login.failed", {})
        return
    throttle: SessionThrottle = st.session_state.get(_THROTTLE) or SessionThrottle()
    wait = throttle.wait_s(time.time())
    if wait > 0:
        record_throttled(get_engine(), username=username, wait_s=wait)
        st.session_state[_NOTICE] = ("acct.throttled", {"seconds": math.ceil(wait)})
        return
    attempt = log_in(get_engine(), username=username, password=password, now=datetime.now(UTC))
    if attempt.outcome is LoginOutcome.OK and attempt.user is not None:
        _signed_in(attempt.user, login_at=time.time())
        st.session_state["lang"] = attempt.user.lang
        st.session_state[_SET_COOKIE] = True
        st.session_state.pop(_THROTTLE, None)
        st.session_state.pop(_NOTICE, None)
        return
    st.session_state[_THROTTLE] = throttle.after_failure(time.time())
    st.session_state[_NOTICE] = {
        LoginOutcome.WRONG: ("login.failed", {}),
        LoginOutcome.LOCKED: ("acct.locked", {"until": _when(attempt.locked_until)}),
        LoginOutcome.INACTIVE: ("auth.inactive", {}),
    }[attempt.outcome]
    time.sleep(get_settings().login_sleep_time)  # a pause after a failure, never before a success


def _login_form() -> None:
    st.title(t("app.title"))
    st.caption(t("app.tagline"))
    with st.form("login"):
        st.subheader(t("login.form"))
        st.text_input(t("login.username"), key=_USERNAME_INPUT, autocomplete="username")
        st.text_input(
            t("login.password"), type="password", key=_PASSWORD_INPUT, autocomplete="current-password"
        )
        st.form_submit_button(t("login.submit"), on_click=_submit_login)
    notice = st.session_state.get(_NOTICE)
    if notice is not None and st.session_state.get("authentication_status") is False:
        key, args = notice
        st.error(t(key, **args))


def _restore_from_cookie(authenticator: stauth.Authenticate) -> None:
    """Log in from a valid re-login cookie (a new browser session of someone who logged in)."""
    token = authenticator.cookie_controller.get_cookie()
    if not token:
        return
    user = account(get_engine(), username=str(token.get("username") or ""))
    if user is None or not user.active:
        return
    # the cookie was issued expiry_days before it expires
    issued = float(token.get("exp_date", 0) or 0) - get_settings().cookie_expiry_days * 86400
    _signed_in(user, login_at=issued)


def _on_logout(event: dict[str, object]) -> None:
    username = str(event.get("username") or st.session_state.get("username") or "")
    # Logging out revokes server-side every session and cookie of this user issued so far: the
    # browser-side cookie deletion is best effort and must not be what ends the session.
    log_out(get_engine(), username=username)
    for key in ("vote_item", "vote_result", "arena_login_at", _CHANGE):
        st.session_state.pop(key, None)


def login_gate(*, anonymous_view: Callable[[], None] | None = None) -> AuthContext:
    """Show the login form until the visitor is authenticated; stop the page otherwise. A user
    with a one-time password sees only the change-password form until they have changed it.
    ``anonymous_view`` (the landing page's public leaderboard) is drawn under the login form for
    a visitor who is not logged in; pages never pass one."""
    st.set_page_config(page_title="Safety Arena · 安全竞技场", layout="wide")
    _language_from_url()
    # The first page of a fresh server prepares the database here, not in the login that follows.
    get_engine()
    authenticator = _authenticator()  # once per run: it renders the cookie component
    if not st.session_state.get("authentication_status"):
        _restore_from_cookie(authenticator)
    if not st.session_state.get("authentication_status"):
        _login_form()
        if anonymous_view is not None:
            anonymous_view()
        st.stop()
    if st.session_state.pop(_SET_COOKIE, False):
        authenticator.cookie_controller.set_cookie()
    username = str(st.session_state.get("username") or "")
    # Roles and the active flag are read from the database on every run, so a change by an
    # admin (or a deactivation) takes effect at once, not at the next login.
    user = account(get_engine(), username=username)
    if user is None or not user.active:
        _forget_login(authenticator)
        st.error(t("auth.inactive"))
        st.stop()
    login_at = float(st.session_state.get("arena_login_at") or 0.0)
    if user.logged_out_at is not None and login_at <= _aware(user.logged_out_at).timestamp():
        _forget_login(authenticator)
        st.rerun()
    st.session_state["roles"] = list(user.roles)
    if st.session_state.pop(_LANG_UNSET, False):  # a page opened by URL: the user's own language
        st.session_state["lang"] = user.lang
    ctx = AuthContext(username=user.username, name=user.name or user.username, roles=user.roles)
    if user.must_change_password or st.session_state.get(_CHANGE):
        _sidebar(ctx, authenticator, menu=not user.must_change_password)
        _change_password_form(ctx, forced=user.must_change_password)
        st.stop()
    _sidebar(ctx, authenticator)
    if st.session_state.pop(_CHANGED, False):
        st.success(t("acct.changed"))
    show_flash()  # a confirmation stored by the action before its st.rerun()
    _reload_in_browser()
    return ctx


def _reload_in_browser() -> None:
    """After a language switch (once): reload the page in the browser, a new session (``?lang=``
    and the login cookie carry over). A picker drawn before the switch keeps showing the old
    language's label of its choice (the browser keeps a keyed widget's label; only a new widget
    takes the new one), so the page is drawn once in the new language and then loaded afresh.
    The reload runs in the page's own window (a component's frame may not navigate the page)."""
    if not st.session_state.pop(_RELOAD, False):
        return
    components.html('<script>window.parent.setTimeout("location.reload()", 0)</script>', height=0)


def _language_from_url() -> None:
    """A new session (a reload, a page opened by URL) takes its language from the URL's
    ``?lang=``, else from the user's saved choice once logged in, else Chinese. The URL is only
    read here: it is written by the switch (which reruns anyway) and carried by the menu links,
    because a URL written in the middle of a run makes the browser draw the page twice."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in LANGS else "zh"
        st.session_state[_LANG_UNSET] = wanted not in LANGS


def _lang_in_url(lang: str) -> None:
    """``?lang=`` says a language other than the default; the default leaves the URL as it was."""
    if lang == LANGS[0]:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang


def _lang_query() -> dict[str, str] | None:
    """The menu links' query: the language when it is not the default."""
    lang = current_lang()
    return None if lang == LANGS[0] else {"lang": lang}


def _forget_login(authenticator: stauth.Authenticate) -> None:
    for key in ("authentication_status", "username", "name", "roles", "arena_login_at", _CHANGE):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True  # the authenticator then ignores the cookie in this session
    authenticator.cookie_controller.delete_cookie()


def _change_password_form(ctx: AuthContext, *, forced: bool) -> None:
    st.title(t("acct.change_title"))
    if forced:
        st.warning(t("acct.must_change"))
    st.caption(t("acct.rules"))
    with st.form("arena_change_password_form", clear_on_submit=True):
        current = st.text_input(t("acct.current"), type="password", autocomplete="current-password")
        new = st.text_input(t("acct.new"), type="password", autocomplete="new-password")
        repeat = st.text_input(t("acct.repeat"), type="password", autocomplete="new-password")
        submitted = st.form_submit_button(t("acct.submit"))
    if not forced and st.button(t("acct.cancel"), key="arena_change_password_cancel"):
        st.session_state[_CHANGE] = False
        st.rerun()
    if not submitted:
        return
    if new != repeat:
        st.error(t("acct.mismatch"))
        return
    result = change_own_password(
        get_engine(), username=ctx.username, current=current, new=new, now=datetime.now(UTC)
    )
    if not result.changed:
        reasons = "\n".join(f"- {t(f'acct.problem.{p.value}')}" for p in result.problems)
        st.error(f"{t('acct.refused')}\n{reasons}")
        return
    # every session of the user was revoked; this one goes on under a new login time and cookie
    st.session_state["arena_login_at"] = time.time()
    st.session_state[_SET_COOKIE] = True
    st.session_state[_CHANGE] = False
    st.session_state[_CHANGED] = True
    st.rerun()


def _ask_for_password_change() -> None:
    st.session_state[_CHANGE] = True


def _sidebar(ctx: AuthContext, authenticator: stauth.Authenticate, *, menu: bool = True) -> None:
    with st.sidebar:
        st.markdown(f"### {t('app.title')}")
        if menu:
            for page, label, roles in MENU:
                if ctx.has_any(roles):
                    st.page_link(page, label=t(label), query_params=_lang_query())
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
            _lang_in_url(lang)  # a reload keeps the choice
            set_language(get_engine(), username=ctx.username, lang=lang)
            st.session_state[_RELOAD] = True
            st.rerun()
        role_names = join_list(t(f"role.{r}") for r in ctx.roles if r in ALL_ROLES)
        st.caption(t("menu.signed_in_as", name=inert_markdown(ctx.name), roles=role_names))
        if menu:
            st.button(
                t("acct.change_menu"), key="arena_change_password_open", on_click=_ask_for_password_change
            )
        authenticator.logout(t("logout"), location="sidebar", key="logout_button", callback=_on_logout)
    if not st.session_state.get("authentication_status"):
        st.rerun()  # just logged out: render nothing more of this page


def require_role(*allowed: Role) -> AuthContext:
    """The first call on every page: log in, then stop unless the user has an allowed role."""
    ctx = login_gate()
    if not ctx.has_any(tuple(allowed)):
        st.error(t("auth.forbidden"))
        st.stop()
    return ctx
