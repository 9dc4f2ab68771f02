"""The calibration page's upload: bounded before it is read (a file over the page's limit is
refused with its size), a nesting bomb is a message, and the Arena-format JSON list is read."""

from __future__ import annotations

import json

from ui.calibration_files import UPLOAD_MAX_BYTES
from ui.i18n import translate

PAGE = "pages/4_calibration.py"


def _upload(make_app, name: str, data: bytes):  # type: ignore[no-untyped-def]
    at = make_app(PAGE, user="exp", roles=["expert"])
    at.run()
    at.file_uploader(key="cal_upload").set_value((name, data, "application/json"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_upload_over_the_limit_is_refused_by_its_size(make_app):
    at = _upload(make_app, "votes.csv", b"model_a,model_b,winner\n" + b" " * UPLOAD_MAX_BYTES)
    size = f"{(UPLOAD_MAX_BYTES + 23) / 1_000_000:,.1f} MB"
    expected = translate("cal.upload_too_large", "zh", size=size, limit="20.0 MB")
    assert [e.value for e in at.error] == [expected]


def test_a_nesting_bomb_is_a_message(make_app):
    at = _upload(make_app, "bomb.json", b"[" * 100_000)
    (error,) = at.error
    assert "nested too deeply" in error.value and "RecursionError" not in error.value


def test_an_arena_json_list_is_reported_on(make_app):
    battles = [
        {
            "model_a": "m1",
            "model_b": "m2",
            "winner": w,
            "judge": r,
            "source": s,
            "question_id": q,
            "shown_first": "a",
        }
        for w, r, s, q in [
            ("model_a", "ann", "human", "q1"),
            ("model_a", "J", "judge", "q1"),
            ("tie (bothbad)", "ann", "human", "q2"),
            ("model_b", "J", "judge", "q2"),
        ]
    ]
    at = _upload(make_app, "battles.json", json.dumps(battles, indent=2).encode())
    assert not at.error
    summary = translate("cal.file_summary", "zh", n=4, human=2, judge=2, expert=0, none=0)
    assert summary in [c.value for c in at.caption]


def test_identical_rows_count_once_and_the_page_says_so(make_app):
    # as cli.py calibrate does: the page's figures must not count a repeated row twice
    header = "model_a,model_b,winner,source,rater,question_id\n"
    rows = ["m1,m2,model_a,human,ann,q1\n", "m1,m2,model_a,judge,J,q1\n", "m1,m2,model_b,human,ann,q2\n"]
    data = (header + rows[0] + rows[0] + "".join(rows[1:]) + rows[2]).encode()
    at = _upload(make_app, "votes.csv", data)
    assert not at.error
    captions = [c.value for c in at.caption]
    assert translate("cal.file_summary", "zh", n=3, human=2, judge=1, expert=0, none=0) in captions
    assert translate("cal.file_duplicates", "zh", n=2, lines="3, 6") in captions
