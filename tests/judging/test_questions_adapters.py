"""Adapters for the public sets: the documented per-dimension counts on the real files (skipped
when ../shared/data is absent), and each mapping on small records written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judging.dimensions import Dimension
from judging.questions import (
    CVALUES_MAPPING,
    FLAMES_MAPPING,
    SAFETYBENCH_MAPPING,
    QuestionFileError,
    QuestionFormat,
    parse_questions,
    read_question_file,
)
from pipeline.startup.settings import PROJECT_ROOT

DATA = PROJECT_ROOT.parent / "shared" / "data"
PS, FA, PR, TR, MH = (
    Dimension.PUBLIC_SAFETY,
    Dimension.FAIRNESS,
    Dimension.PRIVACY,
    Dimension.TRUTHFULNESS,
    Dimension.MENTAL_HEALTH,
)

# The table of docs/question-import.md: records per dimension (public safety, fairness, privacy,
# truthfulness, mental health) that each published file gives.
DOCUMENTED = [
    ("livesecbench_factuality_sample/sample_data.json", QuestionFormat.LIVESECBENCH, (0, 0, 0, 35, 0)),
    ("flames_1k_zh/Flames_1k_Chinese.jsonl", QuestionFormat.FLAMES, (382, 249, 75, 242, 52)),
    ("jade_db_zh/jade-db-v1.0/jade_benchmark_zh.csv", QuestionFormat.JADE, (71, 31, 40, 4, 4)),
    ("jade_db_zh/jade-db-v2.0/jade_benchmark_easy_zh.csv", QuestionFormat.JADE, (532, 112, 253, 30, 73)),
    ("jade_db_zh/jade-db-v2.0/jade_benchmark_medium_zh.csv", QuestionFormat.JADE, (627, 64, 201, 32, 76)),
    ("jade_db_zh/jade-db-v3.0/jade_alignment_hard_zh.csv", QuestionFormat.JADE, (150, 0, 0, 0, 0)),
    ("jade_db_zh/jade-db-v3.0/jade_alignment_hard_zh.utf8.csv", QuestionFormat.JADE, (150, 0, 0, 0, 0)),
    ("jade_db_zh/jade-db-v3.0/jade_alignment_medium_zh.csv", QuestionFormat.JADE, (500, 0, 0, 0, 0)),
    ("jade_db_zh/jade-db-v3.0/jade_alignment_medium_zh.utf8.csv", QuestionFormat.JADE, (500, 0, 0, 0, 0)),
    ("chinese_safetyqa/chinese_safetyqa.jsonl", QuestionFormat.SAFETYQA, (0, 0, 0, 2000, 0)),
    (
        "cvalues_responsibility_prompts/cvalues_responsibility_prompts.jsonl",
        QuestionFormat.CVALUES,
        (193, 196, 95, 10, 170),
    ),
    ("safetybench_zh/test_zh_subset.json", QuestionFormat.SAFETYBENCH, (900, 600, 300, 0, 300)),
]


def shared(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"shared data absent: {path} (see /work/shared/data/README.md)")
    return path


@pytest.mark.parametrize(
    ("relative", "format", "counts"), DOCUMENTED, ids=[d[0].split("/")[-1] for d in DOCUMENTED]
)
def test_documented_counts_per_dimension(relative, format, counts):
    parsed = read_question_file(shared(relative))
    assert parsed.format is format  # auto-detected
    by_dimension = parsed.count_by_dimension()
    assert tuple(by_dimension[d] for d in (PS, FA, PR, TR, MH)) == counts


def test_documented_counts_match_the_docs():
    doc = (PROJECT_ROOT / "docs" / "question-import.md").read_text(encoding="utf-8")
    for relative, _format, counts in DOCUMENTED:
        row = f"| `{relative.split('/')[-1]}` | " + " | ".join(str(n) for n in counts) + f" | {sum(counts)} |"
        assert row in doc, row


def test_jade_v3_encodings_give_the_same_records():
    gb = read_question_file(shared("jade_db_zh/jade-db-v3.0/jade_alignment_medium_zh.csv"))
    utf8 = read_question_file(shared("jade_db_zh/jade-db-v3.0/jade_alignment_medium_zh.utf8.csv"))
    assert gb.records == utf8.records
    first = gb.records[0]
    # v3 has no labels: the lexicon proposes (this one is about smuggling), nothing collapses
    assert first.question_id == "jade/jade_alignment_medium_zh/1" and not first.sensitive
    assert first.reference_answers and first.metadata["unsafe_answer"]


def test_safetybench_uses_the_answers_file_beside_it():
    parsed = read_question_file(shared("safetybench_zh/test_zh_subset.json"))
    answers = json.loads(shared("safetybench_zh/test_answers_zh_subset.json").read_text(encoding="utf-8"))
    record = parsed.records[0]
    item_id = record.question_id.rsplit("/", 1)[1]
    options = record.metadata["options"]
    assert record.reference_answers == (
        f"({'ABCD'[answers[item_id]['answer']]}) {options[answers[item_id]['answer']]}",
    )


# -- each mapping on records written for these tests ----------------------------------------------


def jsonl(*rows: dict[str, object]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


@pytest.mark.parametrize(("key", "dimension"), list(FLAMES_MAPPING.items()))
def test_flames_mapping(key, dimension):
    row = {"dimension": key[0], "subcomponent": key[1], "prompt": "你觉得这样做对吗？"}
    (record,) = parse_questions(jsonl(row), name="f.jsonl", format=QuestionFormat.FLAMES).records
    assert record.dimension is dimension and record.sub_dimension == key[1] and not record.sensitive
    assert record.metadata["category"] == key[0] and record.question_id == "flames/f/1"


def test_flames_unknown_pair_is_an_error():
    row = {"dimension": "Fairness", "subcomponent": "Mental harm", "prompt": "p"}
    with pytest.raises(QuestionFileError) as excinfo:
        parse_questions(jsonl(row), name="f.jsonl", format=QuestionFormat.FLAMES)
    problem = excinfo.value.problems[0]
    assert (problem.line, problem.field) == (
        1,
        "subcomponent",
    ) and "not in the dimension mapping" in problem.message


@pytest.mark.parametrize(
    ("violation", "subtype", "dimension"),
    [
        ("歧视偏见", "地域歧视内容", FA),
        ("违法犯罪", "宣扬民族歧视", FA),
        ("侵害权益", "健康歧视内容", FA),
        ("侵犯权益", "侵害他人隐私权|侵害他人名誉权", PR),
        ("侵害权益", "侵害他人个人信息权益", PR),
        ("违法犯罪", "非法获取私人信息", PR),
        ("侵害权益", "侵害他人肖像权", PR),
        ("侵害权益", "侵害他人身心健康", MH),
        ("违法犯罪", "传播虚假有害信息", TR),
        ("侵害权益", "侵害他人名誉权|侵害他人隐私权", PS),  # the first sub-type decides
        ("违法犯罪", "诈骗", PS),
        (" 违法犯罪", " 网络欺诈与犯罪 ", PS),
        ("歧视偏见", "其他", FA),
    ],
)
def test_jade_mapping(violation, subtype, dimension):
    text = f"ID,问题,违规类型,违规子类\n7,这个问题是测试用的吗？,{violation},{subtype}\n"
    (record,) = parse_questions(text.encode("utf-8"), name="jade_x.csv", format=QuestionFormat.JADE).records
    assert record.dimension is dimension and record.question_id == "jade/jade_x/7"
    assert record.sub_dimension == subtype.strip() and record.metadata["category"] == violation.strip()


def test_jade_gb18030_and_unknown_type():
    text = "ID,问题,违规类型,违规子类\n1,测试问题一,违法犯罪,偷窃\n2,测试问题二,天气,晴\n"
    with pytest.raises(QuestionFileError) as excinfo:
        parse_questions(text.encode("gb18030"), name="j.csv", format=QuestionFormat.JADE)
    problem = excinfo.value.problems[0]
    assert (problem.line, problem.field) == (3, "违规类型")


def test_jade_is_the_only_format_that_reads_gb18030():
    text = "dimension,question_text\n隐私,测试问题\n"
    with pytest.raises(QuestionFileError, match="not UTF-8"):
        parse_questions(text.encode("gb18030"), name="x.csv", format=QuestionFormat.CSV)


def test_safetyqa_record():
    row = {
        "cate": "违法违规风险-刑事违法类-网络犯罪类",
        "question": "这是一道测试题吗？",
        "standard_answer": "是",
        "standard_source_url": "https://example.org",
        "options": "{'A': '是', 'B': '否'}",
        "correct_answer": "A",
    }
    (record,) = parse_questions(jsonl(row), name="qa.jsonl").records
    assert record.dimension is TR and record.sub_dimension == "违法违规风险"
    assert record.reference_answers == ("是",) and record.metadata["options"] == "{'A': '是', 'B': '否'}"


@pytest.mark.parametrize(("domain", "dimension"), list(CVALUES_MAPPING.items()))
def test_cvalues_mapping(domain, dimension):
    row = {"id_": 12, "prompt": "测试提示？", "domain_en": domain, "domain_zh": "中文名"}
    (record,) = parse_questions(jsonl(row), name="cv.jsonl").records
    assert record.dimension is dimension and record.question_id == "cvalues/cv/12"


@pytest.mark.parametrize(("category", "dimension"), list(SAFETYBENCH_MAPPING.items()))
def test_safetybench_mapping(category, dimension):
    items = [{"id": 5, "question": "以下哪项更安全？", "options": ["甲", "乙", "丙"], "category": category}]
    answers = {"5": {"category": category, "answer": 2}}
    parsed = parse_questions(
        json.dumps(items, ensure_ascii=False).encode(),
        name="test_zh.json",
        answers=json.dumps(answers, ensure_ascii=False).encode(),
    )
    (record,) = parsed.records
    assert record.dimension is dimension
    assert record.text == "以下哪项更安全？\n选项：\n(A) 甲\n(B) 乙\n(C) 丙"
    assert record.reference_answers == ("(C) 丙",) and record.metadata["answer"] == 2


@pytest.mark.parametrize(
    ("answers", "words"),
    [({}, "no answer"), ({"5": {"category": "Mental Health", "answer": 9}}, "not an option")],
)
def test_safetybench_answers_are_checked(answers, words):
    items = [{"id": 5, "question": "q", "options": ["a", "b"], "category": "Mental Health"}]
    with pytest.raises(QuestionFileError, match=words):
        parse_questions(json.dumps(items).encode(), name="t.json", answers=json.dumps(answers).encode())
