"""AppTest fixtures: each test gets its own database through the environment the app reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipeline.startup.settings import PROJECT_ROOT

ADMIN_PASSWORD = "admin-test-pw-1"


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ARENA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARENA_LOGIN_SLEEP", "0")
    monkeypatch.setenv("ARENA_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.chdir(PROJECT_ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


def ensure_user(
    username: str, roles: list[str], qualifications: list[str] | None = None, *, read_guidelines: bool = True
) -> None:
    """Create the account in the app's database (the one the environment points at). Unless
    ``read_guidelines`` is False, the person has confirmed reading the guidelines in force, so
    the vote page goes straight to an item (tests/app/test_guidelines.py covers the first read)."""
    from pipeline.people.users import UserExistsError, create_user, set_qualifications, set_roles
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.settings import Settings
    from pipeline.workflow.guidelines import confirm_read, reading_for

    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    try:
        create_user(
            engine, actor="test", username=username, name=username, password="pw-" + username, roles=roles
        )
    except UserExistsError:
        set_roles(engine, actor="test", username=username, roles=roles)
    if qualifications is not None:
        set_qualifications(engine, actor="test", username=username, dimensions=qualifications)
    if read_guidelines:
        confirm_read(engine, username=username, guidelines=reading_for(engine, username=username).guidelines)
    engine.dispose()


def _as(at: AppTest, username: str, roles: list[str], *, read_guidelines: bool = True) -> AppTest:
    ensure_user(username, roles, read_guidelines=read_guidelines)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    at.session_state["roles"] = roles
    return at


@pytest.fixture
def make_app(app_env: Path) -> Callable[..., AppTest]:
    """Build an AppTest for a script, optionally already logged in as ``user`` with ``roles``."""

    def build(
        script: str = "app.py",
        user: str | None = None,
        roles: list[str] | None = None,
        *,
        read_guidelines: bool = True,
    ) -> AppTest:
        # Always start from the main script (classic multipage mode), then switch to the page,
        # exactly as the sidebar's page links do.
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
        if user is not None:
            _as(at, user, roles or ["annotator"], read_guidelines=read_guidelines)
        if script != "app.py":
            at.switch_page(script)
        return at

    return build
