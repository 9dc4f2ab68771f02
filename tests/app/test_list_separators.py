"""Lists of display items on the pages follow the UI language (ui.i18n.join_list): the users
page's roles and qualified dimensions and the sidebar's roles read ``甲、乙`` in Chinese and
``a, b`` in English (the users table joined by 、 in both languages before)."""

from __future__ import annotations

import pytest

from judging.dimensions import Dimension
from tests.app.conftest import ensure_user
from ui.i18n import translate

USERS = "pages/8_users.py"


@pytest.mark.parametrize(("lang", "separator"), [("zh", "、"), ("en", ", ")])
def test_the_users_page_lists_roles_and_dimensions_in_the_page_language(make_app, lang, separator):
    ensure_user("both", ["annotator", "expert"], qualifications=["privacy", "fairness"])
    at = make_app(USERS, user="boss", roles=["admin", "expert"])
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    roles = translate("users.roles", lang)
    (table,) = [d.value for d in at.dataframe if roles in d.value.columns]
    row = table[table[translate("users.username", lang)] == "both"].iloc[0]
    assert row[roles] == separator.join(translate(f"role.{r}", lang) for r in ("annotator", "expert"))
    dimensions = sorted(row[translate("users.qualifications", lang)].split(separator))
    assert dimensions == sorted(Dimension(d).label(lang) for d in ("privacy", "fairness"))
    # the sidebar names the signed-in person's roles by the same separator
    admin, expert = (translate(f"role.{r}", lang) for r in ("admin", "expert"))
    assert any(f"{admin}{separator}{expert}" in c.value for c in at.sidebar.caption)
