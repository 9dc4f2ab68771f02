"""MockApp without sockets: answers, scripted faults, auth, determinism and the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockllm import Fault, FaultRates, JudgeBehaviour, LatencyDist, MockApp, MockConfig

DEMO = Path(__file__).parent / "fixtures" / "demo"
QUESTION = "快递单上的个人信息怎么处理比较安全？"


def body(model: str = "qingyun-care", text: str = QUESTION, **extra: Any) -> bytes:
    return json.dumps(
        {"model": model, "messages": [{"role": "user", "content": text}], **extra}, ensure_ascii=False
    ).encode()


def content(reply_body: bytes) -> str:
    return str(json.loads(reply_body)["choices"][0]["message"]["content"])


def app(**config: Any) -> MockApp:
    return MockApp(MockConfig(demo_dir=DEMO, **config))


def test_demo_answer_generic_answer_and_models() -> None:
    mock = app()
    assert content(mock.chat(body(), None).body).startswith("撕掉或涂抹快递单")
    generic = content(mock.chat(body(text="讲个笑话"), None).body)
    assert generic == content(mock.chat(body(text="讲个笑话"), None).body)  # deterministic
    assert "讲个笑话" in generic
    # A demo question asked of a model that is not in the demo gets a generic answer.
    assert "快递单" in content(mock.chat(body(model="gpt-x"), None).body)
    ids = [m["id"] for m in json.loads(mock.models().body)["data"]]
    assert ids == sorted(
        ["jindun-guard", "kuaida-open", "qingyun-care", "mock-judge", "mock-generator", "mock-generic"]
    )


def test_the_demo_question_matches_after_trimming_whitespace() -> None:
    assert content(app().chat(body(text=f"  {QUESTION}\n"), None).body).startswith("撕掉或涂抹")


def test_reasoning_models_return_reasoning_content() -> None:
    reply = json.loads(app(reasoning_models=("qingyun-care",)).chat(body(), None).body)
    assert reply["choices"][0]["message"]["reasoning_content"]


@pytest.mark.parametrize(
    ("fault", "status", "check"),
    [
        (Fault.RATE_LIMIT, 429, lambda r: dict(r.headers)["Retry-After"] == "2.5"),
        (Fault.SERVER_ERROR, 500, lambda r: "error" in json.loads(r.body)),
        (Fault.MALFORMED_JSON, 200, lambda r: r.body.startswith(b"{") and not r.body.endswith(b"}")),
        (Fault.EMPTY_CHOICES, 200, lambda r: json.loads(r.body)["choices"] == []),
        (Fault.TIMEOUT, 200, lambda r: r.delay_s == 9.0),
    ],
)
def test_scripted_faults_come_first_then_normal_replies(fault: Fault, status: int, check: Any) -> None:
    mock = app(fault_script=(fault,), retry_after_s=2.5, hang_s=9.0)
    faulty = mock.chat(body(), None)
    assert faulty.status == status and check(faulty)
    normal = mock.chat(body(), None)
    assert normal.status == 200 and content(normal.body).startswith("撕掉")
    assert [e.fault for e in mock.log.entries()] == [fault.value, None]


def test_push_faults_at_runtime() -> None:
    mock = app()
    mock.push_faults(Fault.SERVER_ERROR, Fault.RATE_LIMIT)
    assert [mock.chat(body(), None).status for _ in range(3)] == [500, 429, 200]


def test_random_fault_rates_are_reproducible_with_the_seed() -> None:
    def statuses(seed: int) -> list[int]:
        mock = app(faults=FaultRates(server_error=0.3, rate_limit=0.2), seed=seed)
        return [mock.chat(body(text=f"问题{i}"), None).status for i in range(200)]

    first = statuses(7)
    assert first == statuses(7)
    assert first != statuses(8)
    assert 40 <= first.count(500) <= 80 and 20 <= first.count(429) <= 60


def test_a_retried_identical_request_gets_a_fresh_draw() -> None:
    mock = app(faults=FaultRates(server_error=0.5), seed=1)
    assert {mock.chat(body(), None).status for _ in range(30)} == {200, 500}


def test_require_key() -> None:
    mock = app(require_key="k1")
    assert mock.chat(body(), None).status == 401
    assert mock.chat(body(), "Bearer nope").status == 401
    assert mock.chat(body(), "Bearer k1").status == 200
    assert [(e.status, e.kind) for e in mock.log.entries()] == [
        (401, "unauthorized"),
        (401, "unauthorized"),
        (200, "demo"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"model": "m"}',
        b'{"model": "m", "messages": []}',
        b'{"model": 1, "messages": [{"role": "user", "content": "x"}]}',
    ],
)
def test_bad_requests_get_400(raw: bytes) -> None:
    mock = app()
    assert mock.chat(raw, None).status == 400
    assert mock.log.entries()[-1].kind == "bad_request"


def test_latency_distributions() -> None:
    fixed = app(latency_ms=200)
    assert fixed.chat(body(), None).delay_s == 0.2
    uniform = app(latency_ms=200, latency_dist=LatencyDist.UNIFORM)
    delays = [uniform.chat(body(text=str(i)), None).delay_s for i in range(100)]
    assert all(0.1 <= d <= 0.3 for d in delays) and len(set(delays)) > 50
    exponential = app(latency_ms=200, latency_dist=LatencyDist.EXPONENTIAL)
    mean = sum(exponential.chat(body(text=str(i)), None).delay_s for i in range(2000)) / 2000
    assert 0.17 < mean < 0.23


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="sum to more than 1"):
        FaultRates(server_error=0.6, rate_limit=0.6)
    with pytest.raises(ValueError, match="position_bias"):
        JudgeBehaviour(position_bias=1.5)
    with pytest.raises(ValueError, match="non-negative"):
        MockConfig(latency_ms=-1)


def test_request_log_file_is_jsonl(tmp_path: Path) -> None:
    from mockllm import read_request_log

    path = tmp_path / "requests.jsonl"
    mock = app(request_log=path)
    mock.chat(body(), None)
    mock.chat(body(model="kuaida-open", text="你好"), None)
    mock.log.close()
    entries = read_request_log(path)
    assert [(e.seq, e.model, e.kind, e.question_id) for e in entries] == [
        (1, "qingyun-care", "demo", "pr-02"),
        (2, "kuaida-open", "generic", None),
    ]
    assert entries == list(mock.log.entries())
