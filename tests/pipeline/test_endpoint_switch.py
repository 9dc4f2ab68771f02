"""Endpoints switched off or deleted (issue 15): on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from judging.llm import EndpointConfig
from judging.runs import RunKind
from judging.types import Source, Verdict
from pipeline.runs.common import start_run
from pipeline.runs.registry import (
    EndpointError,
    Removal,
    endpoint_configs,
    endpoint_list,
    endpoint_roles,
    get_endpoint,
    remove_endpoint,
    save_endpoint,
    switch_endpoint,
)
from storage.db.models import ArenaModel, CallFailure, Endpoint, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.record import record_vote


def _save(engine, key: str, role: str = "model") -> None:
    save_endpoint(
        engine, EndpointConfig(key=key, base_url="http://127.0.0.1:9/v1", model=key), actor="t", role=role
    )


def test_a_switched_off_endpoint_is_kept_listed_but_never_offered_or_called(engine):
    _save(engine, "j1", "judge")
    _save(engine, "g1", "generator")
    switch_endpoint(engine, "j1", enabled=False, actor="t")
    assert "j1" not in endpoint_configs(engine) and "j1" not in endpoint_roles(engine)
    assert endpoint_roles(engine)["g1"] == "generator"
    assert {(e.config.key, e.enabled) for e in endpoint_list(engine)} >= {("j1", False), ("g1", True)}
    with pytest.raises(EndpointError, match="switched off"):
        get_endpoint(engine, "j1")
    _save(engine, "j1", "judge")  # saving the form again keeps the switch as it is
    assert "j1" not in endpoint_configs(engine)
    switch_endpoint(engine, "j1", enabled=True, actor="t")
    assert get_endpoint(engine, "j1").key == "j1"
    with pytest.raises(EndpointError, match="no endpoint 'nope'"):
        switch_endpoint(engine, "nope", enabled=False, actor="t")


@pytest.mark.parametrize("reference", ["none", "failure", "judge_vote", "answers", "run"])
def test_delete_only_what_nothing_refers_to(engine, reference):
    _save(engine, "e1", "judge")
    with write_session(engine) as session:
        if reference == "failure":
            run_id = start_run(engine, kind=RunKind.JUDGE, params={}, total=1, actor="t")
            session.add(CallFailure(run_id=run_id, endpoint="e1", kind="connect", message="refused"))
        elif reference == "judge_vote":
            first, second = session.exec(select(Response).order_by(Response.id).limit(2)).all()
            battle = get_or_create_battle(
                session=session, question_id=first.question_id, response_ids=(first.id, second.id)
            )
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.JUDGE,
                rater="e1",
                verdict=Verdict.A,
                left_response_id=battle.response_a_id,
                idempotency_key="t|e1",
            )
    if reference == "answers":  # a demo model that has answers, registered as an endpoint
        with read_session(engine) as session:
            key = session.exec(select(ArenaModel.key).where(ArenaModel.reference == False)).first()  # noqa: E712
        _save(engine, key)
    else:
        key = "e1"
    if reference == "run":
        start_run(engine, kind=RunKind.JUDGE, params={"judge": "e1"}, total=0, actor="t")
    outcome = remove_endpoint(engine, key, actor="t")
    with read_session(engine) as session:
        row = session.exec(select(Endpoint).where(Endpoint.key == key)).first()
    if reference == "none":
        assert outcome is Removal.DELETED and row is None
    else:
        assert outcome is Removal.DISABLED and row is not None and not row.enabled
    with pytest.raises(EndpointError):
        remove_endpoint(engine, "never-registered", actor="t")


def test_cli_lists_switched_off_endpoints_marked(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import cli
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.settings import Settings

    monkeypatch.setenv("ARENA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARENA_ADMIN_PASSWORD", "cli-admin-pw-1")
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    _save(engine, "live")
    _save(engine, "dead", "judge")
    switch_endpoint(engine, "dead", enabled=False, actor="t")
    engine.dispose()
    out = CliRunner().invoke(cli.app, ["endpoints", "list"], terminal_width=200)
    assert out.exit_code == 0, out.output
    lines = {line.split()[0]: line for line in out.output.splitlines() if line.strip()}
    assert lines["dead"].endswith("(switched off)") and not lines["live"].endswith("(switched off)")
