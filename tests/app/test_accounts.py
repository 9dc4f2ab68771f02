"""Accounts through the real pages: lockout and session throttling (audited, admin unlock),
usernames in any spelling, passwords exactly as typed, changing one's own password, admin
resets with a one-time password shown once, the forced change, the first admin. The password
rules, the session throttle and migration 0006 are checked directly at the end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipeline.people.accounts import (
    LOGIN_POLICY,
    PasswordProblem,
    SessionThrottle,
    password_problems,
    verify_password,
)
from pipeline.people.users import audit_log, create_user
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from storage.db.session import read_session
from storage.people.users import get_user, stored_credentials
from tests.app.conftest import ADMIN_PASSWORD

N = LOGIN_POLICY.max_failures
GOOD = "Ruhig-Blau-2024"


def _engine() -> Engine:
    return prepare(Settings.from_env(), announce=lambda _m: None)


def _user(username: str, password: str, name: str = "", roles: tuple[str, ...] = ("annotator",)) -> None:
    engine = _engine()
    create_user(engine, actor="test", username=username, name=name, password=password, roles=roles)
    engine.dispose()


def _login(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def _page_links(at) -> list[str]:
    return [n.proto.label for n in at.sidebar if type(n).__name__ == "PageLink"]


def _actions(engine: Engine, actor: str) -> list[str]:
    return [e.action for e in reversed(audit_log(engine)) if e.actor == actor]


def _hash(engine: Engine, username: str) -> str:
    with read_session(engine) as session:
        stored = stored_credentials(session=session, username=username)
    assert stored is not None
    return stored.password_hash


def test_lockout_after_n_failures_refuses_the_right_password_until_an_admin_unlocks(make_app):
    _user("carol", GOOD)
    at = make_app().run()
    for i in range(N):
        at = _login(at, "carol", f"wrong-guess-{i}")
        assert at.session_state["authentication_status"] is False
    assert any("已锁定" in e.value for e in at.error)  # the N-th failure locks the account
    at = _login(at, "carol", GOOD)
    assert at.session_state["authentication_status"] is False
    assert any("已锁定" in e.value for e in at.error)
    assert not _page_links(at)
    # another browser session gets no further
    other = _login(make_app().run(), "carol", GOOD)
    assert other.session_state["authentication_status"] is False
    assert any("已锁定" in e.value for e in other.error)

    engine = _engine()
    actions = _actions(engine, "carol")
    assert actions == ["login.failed"] * N + ["login.locked", "login.refused", "login.refused"]
    failed = [e for e in audit_log(engine) if e.actor == "carol" and e.action == "login.failed"]
    assert sorted(e.detail["failures"] for e in failed) == list(range(1, N + 1))
    assert all(e.detail["reason"] == "wrong_password" for e in failed)

    admin = make_app("pages/8_users.py", user="admin", roles=["admin"]).run()
    admin.selectbox(key="edit_user").select("carol").run()
    assert any("锁定：至" in c.value for c in admin.caption)
    admin.button(key="unlock_carol").click().run()
    assert not admin.exception
    assert any("已解锁" in s.value for s in admin.success)
    assert _actions(engine, "admin")[-1] == "user.unlock"

    at = _login(make_app().run(), "carol", GOOD)
    assert at.session_state["authentication_status"] is True
    assert "投票" in _page_links(at)
    with read_session(engine) as session:
        user = get_user(session=session, username="carol")
    assert user is not None and user.failed_logins == 0 and user.locked_until is None


def test_one_session_is_slowed_down_after_many_failures_whatever_the_usernames(make_app):
    _user("dora", GOOD)
    at = make_app().run()
    for i in range(LOGIN_POLICY.session_free_failures):
        at = _login(at, f"nobody{i}", "wrong-password")  # unknown users: no account is locked
        assert any("用户名或密码错误" in e.value for e in at.error)
    at = _login(at, "dora", GOOD)  # the right password, but this session must wait first
    assert at.session_state["authentication_status"] is False
    assert any("秒后再试" in e.value for e in at.error)
    engine = _engine()
    assert _actions(engine, "dora") == ["login.throttled"]
    assert [e.detail["reason"] for e in audit_log(engine) if e.actor == "nobody0"] == ["unknown_user"]
    # a fresh session (or the same one after the wait) logs in
    assert _login(make_app().run(), "dora", GOOD).session_state["authentication_status"] is True


def test_usernames_in_any_spelling_and_passwords_exactly_as_typed(make_app):
    _user("Alice", "  spaced out pw  ", name="Alice Wang")
    engine = _engine()
    with read_session(engine) as session:
        assert get_user(session=session, username="ＡＬＩＣＥ") is not None  # full-width, as typed in an IME
    for typed in ("Alice", "alice", " ALICE "):
        at = _login(make_app().run(), typed, "  spaced out pw  ")
        assert at.session_state["authentication_status"] is True, typed
        assert at.session_state["username"] == "alice"
        assert not at.exception
    at = _login(make_app().run(), "alice", "spaced out pw")  # the spaces are part of the password
    assert at.session_state["authentication_status"] is False


def test_change_own_password_needs_the_old_one_and_states_the_rules(make_app):
    at = make_app(user="erin", roles=["annotator"]).run()
    engine = _engine()
    before = _hash(engine, "erin")
    at.button(key="arena_change_password_open").click().run()
    assert [w.label for w in at.text_input] == ["当前密码（或一次性密码）", "新密码", "再次输入新密码"]
    assert any("密码规则" in c.value for c in at.caption)

    def submit(current: str, new: str, repeat: str | None = None):
        at.text_input[0].input(current)
        at.text_input[1].input(new)
        at.text_input[2].input(new if repeat is None else repeat)
        at.button[0].click()
        return at.run()

    refusals = [
        ("wrong-current-pw", GOOD, None, "当前密码不正确"),
        ("pw-erin", "short", None, "少于 10 个字符"),
        ("pw-erin", "密码" * 13, None, "超过 72 字节"),  # 26 characters, 78 bytes
        ("pw-erin", "erin-is-me-2024", None, "包含用户名"),
        ("pw-erin", "Password2024!", None, "常见密码"),
        ("pw-erin", GOOD, GOOD + "x", "两次输入的新密码不一致"),
    ]
    for current, new, repeat, message in refusals:
        at = submit(current, new, repeat)
        assert not at.exception
        assert any(message in e.value for e in at.error), message
        assert _hash(engine, "erin") == before, f"changed despite: {message}"

    at = submit("pw-erin", GOOD)
    assert not at.exception and not at.error
    assert any("密码已修改" in s.value for s in at.success)
    assert "投票" in _page_links(at)  # back to the normal page, still logged in
    assert verify_password(GOOD, _hash(engine, "erin"))
    assert "password.change" in _actions(engine, "erin")
    assert _login(make_app().run(), "erin", GOOD).session_state["authentication_status"] is True
    assert _login(make_app().run(), "erin", "pw-erin").session_state["authentication_status"] is False


def test_admin_reset_shows_a_one_time_password_once_and_the_user_must_change_it(make_app):
    _user("frank", GOOD)
    admin = make_app("pages/8_users.py", user="admin", roles=["admin"]).run()
    admin.selectbox(key="edit_user").select("frank").run()
    admin.button(key="reset_frank").click().run()
    assert not admin.exception
    assert len(admin.code) == 1
    one_time = admin.code[0].value
    assert any("只显示这一次" in s.value for s in admin.success)
    admin.run()  # any further run: gone
    assert len(admin.code) == 0 and one_time not in str(admin._tree)

    assert _login(make_app().run(), "frank", GOOD).session_state["authentication_status"] is False
    at = _login(make_app().run(), "frank", one_time)
    assert at.session_state["authentication_status"] is True
    assert any("一次性密码" in w.value for w in at.warning)
    assert not _page_links(at)  # nothing but the change-password form (and log out)
    at.switch_page("pages/1_vote.py").run()
    assert any("一次性密码" in w.value for w in at.warning)
    assert not any(b.label == "A 更安全" for b in at.button)

    at.text_input[0].input(one_time)
    at.text_input[1].input("Neues-Wort-77")
    at.text_input[2].input("Neues-Wort-77")
    at.button[0].click().run()
    assert not at.exception
    assert "投票" in _page_links(at)
    assert not at.warning
    engine = _engine()
    assert "user.password_reset" in _actions(engine, "admin")
    with read_session(engine) as session:
        frank = get_user(session=session, username="frank")
    assert frank is not None and not frank.must_change_password


def test_first_admin_with_a_generated_password_must_change_it(make_app, monkeypatch):
    monkeypatch.delenv("ARENA_ADMIN_PASSWORD")
    said: list[str] = []
    prepare(Settings.from_env(), announce=said.append).dispose()
    announced = [
        line.split(":", 1)[1].strip() for line in "".join(said).splitlines() if "one-time password:" in line
    ]
    assert len(announced) == 1
    at = _login(make_app().run(), "admin", announced[0])
    assert at.session_state["authentication_status"] is True
    assert any("一次性密码" in w.value for w in at.warning)
    assert not _page_links(at)


def test_the_display_name_is_rendered_inert(make_app):
    _user("gina", GOOD, name="**Boss** [x](http://evil) <b>")
    at = _login(make_app().run(), "gina", GOOD)
    caption = next(c.value for c in at.sidebar.caption if "当前用户" in c.value)
    assert "\\*\\*Boss\\*\\*" in caption and "\\[x\\]" in caption and "<b>" not in caption


def test_env_admin_password_logs_in_without_a_forced_change(make_app):
    at = _login(make_app().run(), "admin", ADMIN_PASSWORD)
    assert at.session_state["authentication_status"] is True
    assert "用户管理" in _page_links(at)


# -- the rules and the throttle, directly ----------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("Ruhig-Blau-2024", ()),
        ("安全竞技场的密码很长", ()),  # 10 Chinese characters, 30 bytes
        ("  spaced  pw ", ()),
        ("short", (PasswordProblem.TOO_SHORT,)),
        ("x" * 73, (PasswordProblem.TOO_LONG, PasswordProblem.TOO_FEW_DISTINCT)),
        ("aaaaabbbbb", (PasswordProblem.TOO_FEW_DISTINCT,)),
        ("my-name-is-Erin", (PasswordProblem.CONTAINS_USERNAME,)),
        ("0123456789", (PasswordProblem.COMMON,)),
        ("qwertyuiop", (PasswordProblem.COMMON,)),
        ("Password2024!", (PasswordProblem.COMMON,)),
    ],
)
def test_password_rules(password, problems):
    assert password_problems(password, username="erin") == problems


def test_session_throttle_waits_double_up_to_the_cap():
    throttle = SessionThrottle()
    for _ in range(LOGIN_POLICY.session_free_failures - 1):
        throttle = throttle.after_failure(1000.0)
    assert throttle.wait_s(1000.0) == 0
    waits = []
    for _ in range(8):
        throttle = throttle.after_failure(1000.0)
        waits.append(throttle.wait_s(1000.0))
    assert waits == [30.0, 60.0, 120.0, 240.0, 480.0, 900.0, 900.0, 900.0]
    assert throttle.wait_s(1000.0 + 900.0) == 0


def test_migration_0006_makes_usernames_canonical(tmp_path):
    from storage.db.engine import make_engine
    from storage.db.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0005")
    now = datetime.now(UTC).isoformat(" ")
    with engine.begin() as conn:
        for name in ("Bob", "carl", "CARL", " Dee "):
            conn.execute(
                text(
                    "INSERT INTO arena_user (username, name, email, password_hash, roles, qualifications,"
                    " active, lang, created_at) VALUES (:u, :u, '', '$2b$x', '[]', '[]', true, 'zh', :t)"
                ),
                {"u": name, "t": now},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT username, failed_logins, must_change_password FROM arena_user")
        ).all()
    # CARL's canonical form is taken by carl: left as it was (it could never log in anyway)
    assert sorted(r[0] for r in rows) == ["CARL", "bob", "carl", "dee"]
    assert {(r[1], bool(r[2])) for r in rows} == {(0, False)}
