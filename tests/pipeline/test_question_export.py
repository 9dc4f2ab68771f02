"""The LiveSecBench question export: a published release stamps its date, and one file per
dimension in LiveSecBench's question_set layout reads back with the importer."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from judging.questions import ExportFormat
from judging.staged_files import TargetError
from pipeline.bank.question_export import export_release, release_records, write_question_export
from pipeline.bank.questions import read_question_files
from pipeline.bank.releases import create_release

DIMENSIONS = ["fairness", "mental_health", "privacy", "public_safety", "truthfulness"]


def test_published_release_stamps_its_date(engine):
    day = "2026-12-01"  # the date the tag v261201 names
    exported = json.loads(export_release(engine, "v261201", ExportFormat.LIVESECBENCH))
    assert len(exported) == 65 and {q["release_date"] for q in exported} == {day}
    assert {q["version"] for q in exported} == {1}  # the question's own revision, as LiveSecBench
    create_release(engine, "draft-261208", title="草稿", parent="v261201")
    draft = release_records(engine, "draft-261208")
    # a draft exports as stored; the anchors carried over are stored without a date
    assert draft and all(r.release_date == "" for r in draft)


def test_one_file_per_dimension_reads_back(engine, tmp_path):
    out = tmp_path / "question_set"
    paths = write_question_export(engine, "v261201", ExportFormat.LIVESECBENCH, out, per_dimension=True)
    assert sorted(p.relative_to(out).as_posix() for p in paths) == [f"{d}/v261201.json" for d in DIMENSIONS]
    good, bad = read_question_files(paths)
    assert not bad
    for file, dimension in zip(good, DIMENSIONS, strict=True):
        assert len(file.records) == 13 and {r.dimension.value for r in file.records} == {dimension}
    with pytest.raises(TargetError, match="not empty"):
        write_question_export(engine, "v261201", ExportFormat.JSONL, out, per_dimension=True)
    assert sorted(p.name for p in (out / "privacy").iterdir()) == ["v261201.json"]
    again = write_question_export(engine, "v261201", ExportFormat.CSV, out, per_dimension=True, force=True)
    assert {p.name for p in again} == {"v261201.csv"} and not (out / "privacy" / "v261201.json").exists()


def test_cli_directory_target(engine, tmp_path, monkeypatch):
    from cli import app

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ARENA_DATA_DIR", str(tmp_path))
    target = tmp_path / "sets"
    target.mkdir()
    result = CliRunner().invoke(app, ["export-questions", "--release", "v261201", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == DIMENSIONS
    refused = CliRunner().invoke(app, ["export-questions", "--release", "v261201", str(target)])
    assert refused.exit_code == 2 and "not empty" in refused.output
    slash = CliRunner().invoke(app, ["export-questions", "--release", "v261201", str(tmp_path / "new") + "/"])
    assert slash.exit_code == 0 and (tmp_path / "new" / "privacy" / "v261201.json").exists()
    single = tmp_path / "all.jsonl"
    assert (
        CliRunner()
        .invoke(app, ["export-questions", "--release", "v261201", "--format", "jsonl", str(single)])
        .exit_code
        == 0
    )
    assert len(single.read_text(encoding="utf-8").splitlines()) == 65
