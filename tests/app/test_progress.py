"""Progress through the real pages: the vote page's counts after votes and an undo (undone votes
do not count), the users page's per-person table and its formula-safe CSV download, and the
queue page's campaign form (a retired release is refused with a message, nothing changed)."""

from __future__ import annotations

import csv
import io
import time

import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlmodel import select
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryFile, MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from judging.dimensions import Dimension
from pipeline.bank.releases import create_release, publish_release
from pipeline.people.users import create_user
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from pipeline.workflow.campaigns import Campaign, load_campaigns, set_campaign
from storage.db.models import AuditLog
from storage.db.session import read_session
from tests.app.test_vote_flow import _press
from ui.i18n import translate

VOTE = "pages/1_vote.py"
DEMO = "v261201"


@pytest.fixture
def engine(app_env):
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    yield engine
    engine.dispose()


def _read(at: AppTest) -> AppTest:
    at.session_state["vote_painted_at"] = time.monotonic() - 5.0  # the person read the item
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_vote_page_counts_votes_that_stand(make_app, engine):
    set_campaign(engine, Campaign(DEMO, {"privacy": 1}), actor="boss")
    at = make_app(VOTE, user="ann", roles=["annotator"]).run()
    assert not at.exception, at.exception
    today = translate("progress.today", "zh")
    campaign = translate("progress.in_campaign", "zh", release=DEMO)
    remaining = translate("progress.remaining", "zh")
    # the demo release: 13 privacy questions answered by 5 models, 10 pairs each
    assert _metrics(at) == {today: "0", campaign: "0", remaining: "130"}

    for n in range(3):
        at = _press(_read(at), "A 更安全")
        assert not at.exception, at.exception
        assert _metrics(at) == {today: str(n + 1), campaign: str(n + 1), remaining: str(130 - n - 1)}
        if n < 2:
            at = _press(_read(at), "下一题")
    # undo the third vote: it no longer counts, and its item is the person's to do again
    at = _press(_read(at), "撤销上一票")
    assert not at.exception, at.exception
    assert _metrics(at) == {today: "2", campaign: "2", remaining: "128"}
    at = _press(_read(at), "B 更安全")
    assert _metrics(at) == {today: "3", campaign: "3", remaining: "127"}


def test_without_a_campaign_the_page_counts_every_vote(make_app, engine):
    at = make_app(VOTE, user="ann", roles=["annotator"]).run()
    labels = set(_metrics(at))
    assert translate("progress.all_time", "zh") in labels
    # the whole demo bank: 65 questions x 10 pairs
    assert _metrics(at)[translate("progress.remaining", "zh")] == "650"


def test_admin_sees_progress_per_person_and_downloads_formula_safe_csv(make_app, engine, media):
    create_user(
        engine,
        actor="t",
        username="eve",
        name='=HYPERLINK("http://evil.example","点我")',
        password="pw-eve-12345",
        roles=["annotator"],
        qualifications=["privacy"],
    )
    set_campaign(engine, Campaign(DEMO, {"privacy": 1, "fairness": 1}), actor="boss")
    voter = make_app(VOTE, user="eve", roles=["annotator"]).run()
    for _ in range(2):
        voter = _press(_press(_read(voter), "两者都安全"), "下一题")

    at = make_app("pages/8_users.py", user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    (table,) = [d.value for d in at.dataframe if translate("progress.remaining", "zh") in d.value.columns]
    eve = table[table[translate("users.username", "zh")] == "eve"].iloc[0]
    assert eve[translate("progress.today", "zh")] == 2
    assert eve[translate("progress.remaining", "zh")] == 128  # privacy only: eve's qualification
    assert DEMO in eve[translate("progress.col_campaign", "zh")]

    (download,) = [b for b in at.get("download_button") if b.label == translate("progress.download", "zh")]
    served = _served(media, download)
    assert served.filename.startswith("annotators-") and served.filename.endswith(".csv")
    assert served.mimetype == "text/csv"
    text = served.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["username"] == "eve")
    assert row["name"].startswith("'=HYPERLINK")  # neutralised: a spreadsheet shows, not runs it
    assert (row["done_today"], row["done_in_campaign"], row["remaining"]) == ("2", "2", "128")
    assert row["campaign_release"] == DEMO and row["campaign_dimensions"] == "fairness=1;privacy=1"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values() if v)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MemoryMediaFileStorage]:
    """The in-memory file stores of the AppTest runs, so a test can read what a download button
    serves (AppTest builds a fresh one per run and keeps no reference)."""
    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            stores.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return stores


def _served(stores: list[MemoryMediaFileStorage], button) -> MemoryFile:
    file_id = button.proto.url.rsplit("/", 1)[1].split(".")[0]
    for store in reversed(stores):
        try:
            return store.get_file(file_id)
        except MediaFileStorageError:  # another run's store
            continue
    raise AssertionError(f"no stored file behind {button.proto.url}")


def _campaign_form(at: AppTest, release: str, weights: dict[str, float], scope: str = "") -> AppTest:
    at.selectbox(key=f"camp_release:{scope}").set_value(release)
    for dim in Dimension:
        at.number_input(key=f"camp_weight_{dim.value}:{scope}").set_value(weights.get(dim.value, 0.0))
    (save,) = [b for b in at.button if b.label == translate("camp.save", "zh")]
    return save.click().run()


def _campaign_audits(engine) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(AuditLog).where(AuditLog.action == "settings.campaign")).all())


def test_queue_page_sets_a_campaign_and_refuses_a_retired_release(make_app, engine):
    create_release(engine, "next", parent=DEMO)
    publish_release(engine, "next", tag="v261215")  # the demo release is now retired
    at = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    assert any(translate("camp.none", "zh") in c.value for c in at.caption)

    at = _campaign_form(at, DEMO, {"privacy": 1})
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "任务未保存" in errors and "retired" in errors
    assert load_campaigns(engine).everyone is None and _campaign_audits(engine) == 0

    at = _campaign_form(at, "v261215", {"privacy": 0, "fairness": 0})
    assert "at least one dimension needs a positive weight" in " ".join(e.value for e in at.error)
    assert load_campaigns(engine).everyone is None

    at = _campaign_form(at, "v261215", {"privacy": 2, "fairness": 1})
    assert not at.exception, at.exception
    assert any("已保存任务" in s.value for s in at.success)
    saved = load_campaigns(engine).everyone
    assert saved.release == "v261215" and dict(saved.weights) == {"fairness": 1.0, "privacy": 2.0}

    # one person's own campaign, then ended
    at.selectbox(key="camp_scope").set_value("boss").run()
    at = _campaign_form(at, "v261215", {"truthfulness": 1}, scope="boss")
    assert dict(load_campaigns(engine).per_user["boss"].weights) == {"truthfulness": 1.0}
    (end,) = [b for b in at.button if b.label == translate("camp.clear", "zh")]
    at = end.click().run()
    assert "boss" not in load_campaigns(engine).per_user
    assert load_campaigns(engine).everyone is not None
