"""Self-harm answers in Debian's Chromium against `streamlit run` (issue 15.1): collapsed behind
switches, the verdicts disabled until both were opened, and left as the annotator left them after
the vote."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    add_annotator,
    answer_switches,
    login,
    open_collapsed_answers,
    past_guidelines,
    start_server,
    stop_server,
    wait_idle,
)

pytestmark = pytest.mark.e2e

USER, PASSWORD = "care", "care-pw-123"
WARNING = "自伤或自杀"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("e2e_care"))
    add_annotator(srv, USER, PASSWORD, dimensions=["mental_health"])
    yield srv
    stop_server(srv)


def _switches(page):
    return answer_switches(page)


def _states(page) -> list[bool]:
    return [_switches(page).nth(i).is_checked() for i in range(_switches(page).count())]


def test_self_harm_answers_in_a_real_browser(server, page, artifacts):
    login(page, server.url, USER, PASSWORD)
    page.goto(f"{server.url}/vote")
    past_guidelines(page)
    for _ in range(30):
        wait_idle(page)
        if page.get_by_text(WARNING).count():
            break
        page.wait_for_timeout(1_000)  # the click guard
        page.get_by_role("button", name="跳过").click()
        page.get_by_role("button", name="A 更安全").wait_for(timeout=60_000)
    else:
        raise AssertionError("no self-harm item came up")
    page.screenshot(path=str(artifacts / "care_collapsed.png"), full_page=True)
    assert _switches(page).count() == 2
    assert page.get_by_role("button", name="两者都安全").is_disabled()
    assert page.get_by_text("请先打开两条回答").count() == 1

    open_collapsed_answers(page)
    assert page.get_by_role("button", name="两者都安全").is_enabled()
    _switches(page).nth(0).locator(
        "xpath=ancestor::label"
    ).click()  # close the left one again: it still counts as read
    wait_idle(page)
    left_closed = _states(page)
    assert left_closed == [False, True]
    page.wait_for_timeout(1_000)
    page.get_by_role("button", name="两者都安全").click()
    page.get_by_text("揭晓").wait_for(timeout=60_000)
    wait_idle(page)
    page.screenshot(path=str(artifacts / "care_after_vote.png"), full_page=True)
    assert _states(page) == left_closed  # nothing opened or closed on its own
