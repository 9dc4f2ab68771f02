"""The queue settings page: the assignment lease is an admin setting."""

from __future__ import annotations

from dataclasses import replace

from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from pipeline.workflow.queue import load_queue_config, save_queue_config
from ui.i18n import translate


def test_admin_sets_the_lease_and_other_settings_survive(make_app, app_env):
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    start = load_queue_config(engine)
    save_queue_config(engine, replace(start, break_every=7), actor="test")
    at = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    (lease,) = [n for n in at.number_input if n.label == translate("queue.lease_minutes", "zh")]
    assert lease.value == 30
    lease.set_value(45)
    (save,) = [
        b for b in at.button if b.label == translate("queue.save", "zh") and b.form_id == "queue_config"
    ]
    save.click().run()
    assert not at.exception, at.exception
    saved = load_queue_config(engine)
    assert saved.lease_minutes == 45 and saved.break_every == 7
    assert saved.calibration_share == start.calibration_share == 0.2
    engine.dispose()


def test_the_active_policy_says_where_the_ranking_stands(make_app, app_env):
    from pipeline.workflow.queue import QueuePolicy, active_status

    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    start = load_queue_config(engine)
    at = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    status = active_status(engine)
    assert not status.converged and status.human_votes == 0 and status.neighbours_short == 4  # 5 demo models
    running = translate("queue.active_running", "zh", votes=0, short=4)
    assert running not in [c.value for c in at.caption]  # overlap policy: nothing to say
    save_queue_config(engine, replace(start, policy=QueuePolicy.ACTIVE), actor="test")
    at = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    assert running in [c.value for c in at.caption]  # no human votes yet: not settled
    engine.dispose()
