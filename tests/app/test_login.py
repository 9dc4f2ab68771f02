"""Logging in through the real form with the first-start admin account."""

from tests.app.conftest import ADMIN_PASSWORD


def _login(at, username, password):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_login_with_first_admin_then_menu_appears(make_app):
    at = make_app().run()
    at = _login(at, "admin", ADMIN_PASSWORD)
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert "admin" in at.session_state["roles"]
    labels = [n.proto.label for n in at.sidebar if type(n).__name__ == "PageLink"]
    assert "用户管理" in labels


def test_wrong_password_is_refused(make_app):
    at = make_app().run()
    at = _login(at, "admin", "wrong-password")
    assert at.session_state["authentication_status"] is False
    assert any("错误" in e.value for e in at.error)
    assert not [n for n in at.sidebar if type(n).__name__ == "PageLink"]


def test_english_switch(make_app):
    at = make_app(user="admin", roles=["admin"]).run()
    at.sidebar.selectbox[0].select("en").run()
    assert not at.exception
    assert at.session_state["lang"] == "en"
    assert any("Overview" in s.value for s in at.subheader)
