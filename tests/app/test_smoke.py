def test_unauthenticated_sees_only_login(make_app):
    at = make_app().run()
    assert not at.exception
    labels = [w.label for w in at.text_input]
    assert labels == ["用户名", "密码"]
    assert len(at.button) == 1  # the form's submit button only (no menu, no logout)
    assert not at.sidebar.children or all(not c for c in at.sidebar)
