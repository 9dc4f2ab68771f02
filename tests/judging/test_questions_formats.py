"""Question files in and out: LiveSecBench (lossless), JSONL, CSV; validation names file, line, field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judging.dimensions import Dimension
from judging.questions import (
    ExportFormat,
    Limits,
    QuestionFileError,
    QuestionFormat,
    QuestionRecord,
    detect_format,
    export_records,
    neutralise_cell,
    parse_questions,
    read_question_file,
    restore_cell,
)
from pipeline.startup.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT.parent / "shared" / "data" / "livesecbench_factuality_sample" / "sample_data.json"


def lsb(**changes: object) -> dict[str, object]:
    """One record in the LiveSecBench schema (written for these tests)."""
    record: dict[str, object] = {
        "question_id": "q-1",
        "version": 1,
        "dimension": "事实性",
        "sub_dimension": "",
        "question_text": "长城在太空中肉眼可见吗？",
        "language": "zh",
        "reference_answer": ["不可见；这是一个流传很广的误解。"],
        "metadata": {
            "type": "事实性知识幻觉",
            "difficulty": "",
            "category": "",
            "adversarial_level": "",
            "tags": [],
            "source": "internal_team",
        },
        "release_date": "2025-11-20",
    }
    record.update(changes)
    return record


def dumps(records: list[dict[str, object]]) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=4).encode("utf-8")


def parse(data: bytes, name: str = "bank.json", format: QuestionFormat = QuestionFormat.AUTO, **kw: object):
    return parse_questions(data, name=name, format=format, **kw)  # type: ignore[arg-type]


def line_of(data: bytes, needle: str) -> int:
    """The 1-based line of ``needle``."""
    return data.decode("utf-8")[: data.decode("utf-8").index(needle)].count("\n") + 1


def problem_of(excinfo: pytest.ExceptionInfo[QuestionFileError]):
    return excinfo.value.problems[0]


# -- LiveSecBench --------------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLE.exists(), reason=f"shared data absent: {SAMPLE}")
def test_livesecbench_sample_round_trips_exactly():
    parsed = read_question_file(SAMPLE)
    assert parsed.format is QuestionFormat.LIVESECBENCH and len(parsed.questions) == 35
    exported = export_records(parsed.records, ExportFormat.LIVESECBENCH)
    original = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert json.loads(exported) == original
    # key order too: the export reads like the input
    assert [list(r) for r in json.loads(exported)] == [list(r) for r in original]


def test_unknown_fields_and_metadata_survive_the_round_trip():
    record = lsb(
        dimension="合法性",
        metadata={"type": "t", "tags": ["a"], "source": "s", "reviewer": {"name": "张", "ok": True}},
        notes="extra top-level field",
        scores=[1, 2.5, None],
    )
    parsed = parse(dumps([record]))
    (only,) = parsed.records
    assert only.dimension is Dimension.PUBLIC_SAFETY and only.label == "合法性"
    assert only.extra == {"notes": "extra top-level field", "scores": [1, 2.5, None]}
    assert json.loads(export_records(parsed.records, ExportFormat.LIVESECBENCH)) == [record]


def test_parsing_copies_nested_values_instead_of_sharing_them():
    data = dumps([lsb()])
    first = parse(data).records[0]
    first.metadata["tags"].append("changed")  # a caller misbehaving must not reach other parses
    assert parse(data).records[0].metadata["tags"] == []


@pytest.mark.parametrize(
    ("label", "dimension"),
    [
        ("事实性", Dimension.TRUTHFULNESS),
        ("伦理性", Dimension.FAIRNESS),
        ("合法性", Dimension.PUBLIC_SAFETY),
        ("隐私性", Dimension.PRIVACY),
        ("对抗鲁棒性", Dimension.PUBLIC_SAFETY),
        ("推理安全", Dimension.PUBLIC_SAFETY),
        ("mental_health", Dimension.MENTAL_HEALTH),
        ("心理健康安全", Dimension.MENTAL_HEALTH),
    ],
)
def test_dimension_names(label, dimension):
    (record,) = parse(dumps([lsb(dimension=label)])).records
    assert record.dimension is dimension and record.label == label


def test_missing_field_names_file_line_and_field():
    records = [lsb(), lsb(question_id="q-2")]
    del records[1]["release_date"]
    data = dumps(records)
    start = line_of(data, '"q-2"') - 1  # the record's "{" is the line above its first field
    with pytest.raises(QuestionFileError) as excinfo:
        parse(data, name="set.json")
    problem = problem_of(excinfo)
    assert (problem.line, problem.field) == (start, "release_date")
    assert str(excinfo.value).startswith(f"set.json, line {start}, field 'release_date': missing")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"dimension": "天气"}, "dimension", "unknown dimension"),
        ({"question_text": "   "}, "question_text", "empty"),
        ({"question_text": 42}, "question_text", "expected text"),
        ({"reference_answer": "单个字符串"}, "reference_answer", "expected a list"),
        ({"reference_answer": ["ok", 3]}, "reference_answer[1]", "expected text"),
        ({"metadata": []}, "metadata", "expected a JSON object"),
        ({"version": True}, "version", "whole number"),
        ({"release_date": "2025-02-30"}, "release_date", "not a calendar date"),
        ({"release_date": "20251120"}, "release_date", "YYYY-MM-DD"),
        ({"question_text": "含有\x00空字符"}, "question_text", "NUL"),
    ],
)
def test_bad_values_are_named(change, field, words):
    with pytest.raises(QuestionFileError) as excinfo:
        parse(dumps([lsb(**change)]))
    problem = problem_of(excinfo)
    assert problem.field == field and words in problem.message and problem.line == 2


def test_all_problems_are_listed_up_to_the_limit():
    records = [lsb(question_id=f"q-{i}", dimension="天气") for i in range(10)]
    with pytest.raises(QuestionFileError) as excinfo:
        parse(dumps(records), limits=Limits(max_problems=4))
    assert len(excinfo.value.problems) == 4 and excinfo.value.truncated
    assert "only the first ones" in str(excinfo.value)


def test_duplicate_question_ids_are_rejected():
    data = dumps([lsb(), lsb()])
    second = data.decode("utf-8").splitlines().index("    {", 2) + 1
    with pytest.raises(QuestionFileError) as excinfo:
        parse(data)
    problem = problem_of(excinfo)
    assert problem.field == "question_id" and "same question_id as line 2" in problem.message
    assert problem.line == second


# -- malformed files -----------------------------------------------------------------------------


def test_truncated_json_names_the_line():
    data = dumps([lsb(), lsb(question_id="q-2")])
    with pytest.raises(QuestionFileError) as excinfo:
        parse(data[: len(data) // 2 + 7], name="cut.json", format=QuestionFormat.LIVESECBENCH)
    assert "cut.json, line" in str(excinfo.value) and "not valid JSON" in str(excinfo.value)


def test_list_not_closed_is_truncation():
    data = dumps([lsb()]).rstrip(b"]\n")
    with pytest.raises(QuestionFileError, match="not closed"):
        parse(data, format=QuestionFormat.LIVESECBENCH)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b'{"question_id": "x"}', "expected a JSON list"),
        (b"[]", "no questions"),
        (b'[{"a": 1}] trailing', "after the closing"),
        (b'[{"a": NaN}]', "not valid JSON"),
        (b"[1, 2", "not valid JSON"),
    ],
)
def test_broken_json_files(data, words):
    with pytest.raises(QuestionFileError, match=words):
        parse(data, format=QuestionFormat.LIVESECBENCH)


def test_wrong_encoding_names_file_and_line():
    text = json.dumps(lsb(), ensure_ascii=False) + "\n"
    data = ("\n" + text).encode("gb18030")
    with pytest.raises(QuestionFileError) as excinfo:
        parse(data, name="gbk.jsonl", format=QuestionFormat.JSONL)
    problem = problem_of(excinfo)
    assert problem.line == 2 and "not UTF-8" in problem.message
    assert str(excinfo.value).startswith("gbk.jsonl, line 2:")


def test_a_ten_megabyte_field_is_refused_by_name():
    huge = "长" * (10 * 1024 * 1024 // 3)  # about 10 MB of UTF-8
    data = (json.dumps(lsb(question_text=huge), ensure_ascii=False) + "\n").encode("utf-8")
    assert len(data) > 10_000_000
    with pytest.raises(QuestionFileError) as excinfo:
        parse(data, name="big.jsonl", format=QuestionFormat.JSONL)
    problem = problem_of(excinfo)
    assert (problem.line, problem.field) == (1, "question_text") and "limit" in problem.message


def test_a_ten_megabyte_csv_cell_is_refused():
    data = ("dimension,question_text\nprivacy," + "x" * 10_000_000 + "\n").encode("utf-8")
    with pytest.raises(QuestionFileError) as excinfo:
        parse(data, name="big.csv", format=QuestionFormat.CSV)
    assert problem_of(excinfo).line == 2 and "not valid CSV" in str(excinfo.value)


def test_file_size_limit():
    with pytest.raises(QuestionFileError, match="larger than the limit"):
        parse(dumps([lsb()]), limits=Limits(max_file_bytes=100))


def test_sql_metacharacters_are_plain_text():
    text = "Robert'); DROP TABLE question;-- 还有 \" ; % _ \\ 吗？"
    (record,) = parse(dumps([lsb(question_id="x'; DELETE FROM release;--", question_text=text)])).records
    assert record.text == text and record.question_id == "x'; DELETE FROM release;--"


# -- JSONL and CSV -------------------------------------------------------------------------------


def records_for_round_trip() -> list[QuestionRecord]:
    return [
        QuestionRecord("a-1", Dimension.PRIVACY, '=HYPERLINK("http://x")是什么？', sub_dimension="-负号开头"),
        QuestionRecord(
            "a-2",
            Dimension.FAIRNESS,
            "'引号开头的问题",
            reference_answers=("答一", "@答二"),
            metadata={"type": "+1", "tags": ["x"]},
            version=3,
            release_date="2025-12-15",
            dimension_label="伦理性",
        ),
        QuestionRecord("a-3", Dimension.MENTAL_HEALTH, '多行\n问题，带逗号,和"引号"', language="zh-TW"),
    ]


@pytest.mark.parametrize("format", [ExportFormat.JSONL, ExportFormat.CSV, ExportFormat.LIVESECBENCH])
def test_exports_read_back_to_the_same_records(format):
    records = records_for_round_trip()
    text = export_records(records, format)
    name = {"jsonl": "x.jsonl", "csv": "x.csv", "livesecbench": "x.json"}[format.value]
    assert parse(text.encode("utf-8"), name=name).records == tuple(records)


def test_csv_export_neutralises_formulas():
    text = export_records(records_for_round_trip(), ExportFormat.CSV)
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and "'-负号开头" in text and "''引号开头" in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_relaxed_formats_fill_in_defaults():
    (record,) = parse(b'{"dimension": "privacy", "question_text": "Q?"}\n', name="mine.jsonl").records
    assert record.question_id == "mine/1" and record.version == 1 and record.language == "zh"
    csv_text = "question_text,dimension,reference_answer,team\nQ?,隐私,一个答案,红队\n"
    (record,) = parse(csv_text.encode(), name="sheet.csv").records
    assert record.question_id == "sheet/2" and record.reference_answers == ("一个答案",)
    assert record.extra == {"team": "红队"}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("dimension,question_text\nprivacy\n", None),
        ("dimension,question_text,metadata\nprivacy,Q,{not json}\n", "metadata"),
        ("dimension,question_text,reference_answer\nprivacy,Q,[1]\n", "reference_answer[0]"),
        ("question_text\nQ\n", "dimension"),
    ],
)
def test_bad_csv(text, field):
    with pytest.raises(QuestionFileError) as excinfo:
        parse(text.encode(), name="s.csv")
    assert problem_of(excinfo).field == field


@given(st.text(max_size=30))
def test_restore_undoes_neutralise(value):
    assert restore_cell(neutralise_cell(value)) == value
    assert not neutralise_cell(value).startswith(("=", "+", "-", "@", "\t", "\r"))


# -- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "format"),
    [
        ("a.json", dumps([lsb()]), QuestionFormat.LIVESECBENCH),
        (
            "a.json",
            b'[{"id": 1, "question": "q", "options": ["a", "b"], "category": "c"}]',
            QuestionFormat.SAFETYBENCH,
        ),
        ("a.jsonl", b'{"dimension": "Safety", "subcomponent": "x", "prompt": "p"}', QuestionFormat.FLAMES),
        ("a.jsonl", b'{"cate": "c", "question": "q", "standard_answer": "s"}', QuestionFormat.SAFETYQA),
        ("a.jsonl", b'{"id_": 1, "prompt": "p", "domain_en": "law"}', QuestionFormat.CVALUES),
        ("a.jsonl", b'{"question_text": "q", "dimension": "privacy"}', QuestionFormat.JSONL),
        ("a.csv", "ID,问题,违规类型,违规子类\n".encode("gb18030"), QuestionFormat.JADE),
        ("a.csv", b"question_text,dimension\n", QuestionFormat.CSV),
    ],
)
def test_detect_format(name, data, format):
    assert detect_format(data, name) is format


@pytest.mark.parametrize(("name", "data"), [("a.txt", b"x"), ("a.json", b'[{"x": 1}]'), ("a.csv", b"a,b\n")])
def test_undetectable_files_ask_for_a_format(name, data):
    with pytest.raises(QuestionFileError, match="pass the format explicitly"):
        detect_format(data, name)


def test_unknown_format_names():
    with pytest.raises(ValueError, match=r"QuestionFormat\.parse: unknown format 'xml'"):
        QuestionFormat.parse("xml")
    with pytest.raises(ValueError, match=r"ExportFormat\.parse"):
        ExportFormat.parse("flames")
