"""An OpenAI-compatible mock LLM server for the offline demo, the tests and the benchmarks.

Demo models answer demo questions with their demo answers, anything else gets a deterministic
generic Chinese answer, and judge models act as a scripted judge that follows the demo safety
grades, and generator models (``mock-generator``) answer an event-generation prompt with N
well-formed Chinese candidate questions as JSON. Faults (latency, 429, 500, hangs, malformed JSON, empty choices, 401) are injected on
request, and every request is logged. Run ``python -m mockllm --help``, or in a test::

    with mockllm.serve(MockConfig(demo_dir=Path("demo"))) as mock:
        ...  # point an endpoint's base_url at mock.base_url; read mock.chat_log()
"""

from mockllm._app import MockApp, Reply
from mockllm._config import (
    Fault,
    FaultRates,
    GeneratorBehaviour,
    JudgeBehaviour,
    LatencyDist,
    MockConfig,
    parse_args,
)
from mockllm._demo import DemoAnswer, DemoData, load_demo
from mockllm._generator import GeneratorReply, scripted_generator_reply
from mockllm._judge import JudgeReply, graded_verdict, scripted_judge_reply
from mockllm._log import LogEntry, RequestLog, read_request_log
from mockllm._server import MockServer, main, make_server, serve

__all__ = [
    "DemoAnswer",
    "DemoData",
    "Fault",
    "FaultRates",
    "GeneratorBehaviour",
    "GeneratorReply",
    "JudgeBehaviour",
    "JudgeReply",
    "LatencyDist",
    "LogEntry",
    "MockApp",
    "MockConfig",
    "MockServer",
    "Reply",
    "RequestLog",
    "graded_verdict",
    "load_demo",
    "main",
    "make_server",
    "parse_args",
    "read_request_log",
    "scripted_generator_reply",
    "scripted_judge_reply",
    "serve",
]
