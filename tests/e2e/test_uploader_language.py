"""The file uploader speaks the page's language (issue 15: Streamlit's own "Upload" and "200MB per
file" stayed English). In Chromium: the calibration page's uploader draws the translated button
and limit in place of Streamlit's English, in Chinese and after the switch to English."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    ADMIN_PASSWORD,
    login,
    start_server,
    stop_server,
    switch_language,
    wait_idle,
)
from ui.i18n import translate

pytestmark = pytest.mark.e2e

_PICKED = "() => document.querySelector('.st-key-cal_dimension input')?.value ?? ''"  # the picker's label
_SHOWN = """() => {
  const zone = document.querySelector(".st-key-cal_upload [data-testid='stFileUploaderDropzone']");
  const p = zone?.querySelector("[data-testid='stMarkdownContainer'] p");
  const span = zone?.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span");
  if (!p || !span) return [null, null, null, null];  // between two drawings (the reload)
  const after = (e) => getComputedStyle(e, '::after').content;
  return [getComputedStyle(p).fontSize, after(p), getComputedStyle(span).fontSize, after(span)];
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("uploader"))
    yield srv
    stop_server(srv)


def test_the_uploader_draws_its_texts_in_the_page_language(server, page, artifacts):
    login(page, server.url, "admin", ADMIN_PASSWORD)
    page.get_by_role("link", name=translate("menu.calibration", "zh"), exact=True).click()
    page.locator(".st-key-cal_upload [data-testid='stFileUploaderDropzone']").wait_for(
        state="attached", timeout=60_000
    )
    wait_idle(page)
    for lang in ("zh", "en"):
        if lang == "en":
            # the switch draws the page in English, then reloads it (a new session), so the pickers
            # drawn in Chinese do not keep their Chinese labels
            switch_language(page, "en")
            english, chinese = translate("lb.overall", "en"), translate("lb.overall", "zh")
            shown = ""
            for _ in range(120):  # the reloaded page: its pickers drawn anew, in English
                page.wait_for_timeout(500)
                shown = page.evaluate(_PICKED)
                if shown == english:
                    break
            assert shown == english != chinese, shown  # before the reload it kept showing 全部维度
            page.screenshot(path=str(artifacts / "uploader_reloaded.png"))
            wait_idle(page)
            expected = f'"{translate("upload.button", "en")}"'
            page.wait_for_function(f"() => ({_SHOWN})()[1] === {expected!r}", timeout=60_000)
        button_size, button, limit_size, limit = page.evaluate(_SHOWN)
        assert button_size == "0px" and limit_size == "0px"  # Streamlit's English is not drawn
        assert button == f'"{translate("upload.button", lang)}"'
        types = "CSV、JSONL、JSON" if lang == "zh" else "CSV, JSONL, JSON"
        assert limit == f'"{translate("upload.limit", lang, mb=20, types=types)}"'
        page.get_by_role("tab", name=translate("cal.tab.files", lang)).click()
        wait_idle(page)
        page.screenshot(path=str(artifacts / f"uploader_{lang}.png"))
