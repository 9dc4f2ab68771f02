"""The synthetic demo release: counts per dimension, every model answers every question,
and a bad file stops start-up naming the file, record and field with the database untouched."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlmodel import func, select

from judging.anonymize import mask_self_identification
from judging.dimensions import Dimension
from pipeline.startup.bootstrap import init_database
from pipeline.startup.demo import DemoError, load_demo
from pipeline.startup.settings import PROJECT_ROOT, Settings
from storage.db.engine import create_schema, make_engine
from storage.db.models import Question, Release, Response
from storage.db.session import read_session

DEMO = PROJECT_ROOT / "demo"


def test_demo_counts_per_dimension() -> None:
    demo = load_demo(DEMO)
    counts = Counter(dim for dim, _q in demo.questions)
    assert len(demo.questions) >= 60
    for dim in Dimension:
        assert counts[dim] >= 12, f"{dim.zh}: only {counts[dim]} questions"
    assert len(demo.models) >= 5
    assert all(q.sub_dimension and q.safe_note for _d, q in demo.questions)


def test_every_model_answers_every_question() -> None:
    demo = load_demo(DEMO)
    keys = {m.key for m in demo.models}
    for _dim, q in demo.questions:
        assert set(q.answers) == keys, q.id
        for key, answer in q.answers.items():
            assert len(answer.text) >= 40, f"{q.id}/{key}: answer reads like a placeholder"
            assert 1 <= answer.grade <= 5


def test_answers_name_a_model_only_where_masking_hides_it() -> None:
    """Some answers introduce themselves ("作为通义千问，", "我是暖心～", "As ChatGPT, I …"), as real
    models do, so the demo exercises masking; after masking no answer names a demo model."""
    demo = load_demo(DEMO)
    keys_and_names = [*(m.key for m in demo.models), *(m.display_name for m in demo.models)]
    parts = [part for m in demo.models for part in m.display_name.split()]
    registered = [*keys_and_names, *(p for p in parts if not p.isascii())]  # as the vote page passes them
    self_identifying = 0
    for _dim, q in demo.questions:
        for key, answer in q.answers.items():
            result = mask_self_identification(answer.text, extra_names=registered)
            self_identifying += result.masked
            for name in [*keys_and_names, *parts]:
                # Latin parts ("Care", "Open") as whole words: "OpenAI" is masked as a vendor anyway
                pattern = (
                    rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])" if name.isascii() else re.escape(name)
                )
                assert not re.search(pattern, result.text, re.IGNORECASE), f"{q.id}/{key} names {name}"
    assert self_identifying >= 6


def test_profiles_show_in_the_grades() -> None:
    """The careful model has the best mean grade; each problem model is worst somewhere."""
    demo = load_demo(DEMO)
    by_model: dict[str, list[int]] = {}
    for _d, q in demo.questions:
        for key, a in q.answers.items():
            by_model.setdefault(key, []).append(a.grade)
    means = {k: sum(v) / len(v) for k, v in by_model.items()}
    assert max(means, key=lambda k: means[k]) == "qingyun-care"


def test_every_file_is_marked_synthetic() -> None:
    for path in [DEMO / "models.yaml", DEMO / "release.yaml", *sorted((DEMO / "questions").glob("*.yaml"))]:
        text = path.read_text(encoding="utf-8")
        assert yaml.safe_load(text)["synthetic"] is True, path
        assert "SYNTHETIC" in text.upper() or "合成" in text, f"{path}: no synthetic marker comment"


def test_demo_loads_into_database(engine) -> None:
    demo = load_demo(DEMO)
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Question)).one() == len(demo.questions)
        assert session.exec(select(func.count()).select_from(Response)).one() == len(demo.questions) * len(
            demo.models
        )


def _copy_demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target)
    return target


def _break(path: Path, mutate) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["questions"][2]["answers"]["boshi-pro"].update(grade=9),
            ["field answers.boshi-pro.grade"],
        ),
        (lambda d: d["questions"][0].pop("safe_note"), ["field safe_note"]),
        (lambda d: d["questions"][1]["answers"].pop("kuaida-open"), ["field answers", "kuaida-open"]),
        (lambda d: d.update(dimension="天气"), ["field dimension"]),
    ],
)
def test_bad_demo_file_names_file_record_field(tmp_path: Path, mutate, expected) -> None:
    demo_dir = _copy_demo(tmp_path)
    path = demo_dir / "questions" / "privacy.yaml"
    original = yaml.safe_load(path.read_text(encoding="utf-8"))
    _break(path, mutate)
    with pytest.raises(DemoError) as err:
        load_demo(demo_dir)
    message = str(err.value)
    assert "privacy.yaml" in message
    for part in expected:
        assert part in message, message
    if "field dimension" not in expected:
        # the record is named by its id
        ids = [q["id"] for q in original["questions"]]
        assert any(i in message for i in ids), message


def test_bad_demo_leaves_database_untouched(tmp_path: Path) -> None:
    demo_dir = _copy_demo(tmp_path)
    _break(demo_dir / "questions" / "truthfulness.yaml", lambda d: d["questions"][3].update(question=""))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", data_dir=tmp_path, demo_dir=demo_dir)
    with pytest.raises(DemoError, match=r"truthfulness\.yaml: record tr-04, field question"):
        init_database(settings, announce=lambda _m: None)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Release)).one() == 0
        assert session.exec(select(func.count()).select_from(Question)).one() == 0
