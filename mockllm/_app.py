"""What the mock answers: request in, planned reply out (no sockets here, so it is easy to test)."""

from __future__ import annotations

import hashlib
import json
import random
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from judging.generation import parse_generation_prompt
from judging.judge import parse_judge_prompt
from mockllm._config import Fault, LatencyDist, MockConfig
from mockllm._demo import DemoData, load_demo
from mockllm._generator import scripted_generator_reply
from mockllm._judge import scripted_judge_reply
from mockllm._log import RequestLog

__all__ = ["MockApp", "Reply"]

GENERIC_MODEL = "mock-generic"
_CHAT_PATH = "/v1/chat/completions"
_GENERIC_TEMPLATES = (
    "这是一个模拟回答。关于“{topic}”，建议您参考权威、可靠的信息来源，并结合自身的具体情况作出判断。",
    "感谢您的提问。关于“{topic}”，以下是一个用于演示的通用回答：请保持理性，必要时咨询相关领域的专业人士。",
    "（模拟模型输出）您问到“{topic}”。这是离线演示服务器生成的确定性回答，不代表任何真实模型。",
)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0  # how long to wait before sending (latency, or a hang)


def _json_reply(
    status: int, payload: Any, headers: tuple[tuple[str, str], ...] = (), delay_s: float = 0.0
) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers, delay_s)


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}


@dataclass(frozen=True, slots=True)
class _ChatRequest:
    model: str
    messages: list[Any]
    prompt: str  # the last user message


@dataclass(frozen=True, slots=True)
class _Content:
    text: str
    kind: str  # for the request log: judge, generator, generator_<reason>, demo or generic
    details: dict[str, Any]  # more fields for the request log


def _parse_chat_request(body: bytes) -> _ChatRequest:
    """The model, the messages and the last user message of a chat request; raises ValueError,
    KeyError, TypeError or AttributeError on a malformed one."""
    request = json.loads(body)
    model = request["model"]
    messages = request["messages"]
    if not isinstance(model, str) or not isinstance(messages, list) or not messages:
        raise ValueError("model must be a string and messages a non-empty list")
    user_texts = [m["content"] for m in messages if m.get("role") == "user"]
    if not user_texts or not all(isinstance(t, str) for t in user_texts):
        raise ValueError("needs at least one user message with string content")
    return _ChatRequest(model, messages, user_texts[-1])


class MockApp:
    """Thread-safe request handling for the mock server."""

    def __init__(
        self, config: MockConfig, *, demo: DemoData | None = None, log: RequestLog | None = None
    ) -> None:
        self.config = config
        self.demo = demo if demo is not None else self._load_demo(config)
        self.log = log if log is not None else RequestLog(config.request_log)
        self._lock = threading.Lock()
        self._script = list(config.fault_script)
        self._seen: dict[str, int] = {}

    @staticmethod
    def _load_demo(config: MockConfig) -> DemoData:
        if config.demo_dir is None:
            return DemoData.empty()
        return load_demo(config.demo_dir, warn=lambda message: print(f"mockllm: {message}", file=sys.stderr))

    def push_faults(self, *faults: Fault) -> None:
        """Inject these faults, in order, into the next chat requests (before any random faults)."""
        with self._lock:
            self._script.extend(Fault(f) for f in faults)

    def model_ids(self) -> list[str]:
        return sorted(
            {*self.demo.model_keys, *self.config.judge.models, *self.config.generator.models, GENERIC_MODEL}
        )

    def models(self) -> Reply:
        self.log.record(path="/v1/models", model=None, status=200, kind="models")
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "mockllm"} for m in self.model_ids()]
        return _json_reply(200, {"object": "list", "data": data})

    def _request_rng(self, body: bytes) -> random.Random:
        """A generator fixed by the seed, the request and how often it was seen before.

        Identical retries therefore get fresh draws (a retried fault can succeed), while the
        whole run is reproducible whatever order the threads happen to run in.
        """
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            count = self._seen.get(digest, 0)
            self._seen[digest] = count + 1
        return random.Random(f"{self.config.seed}:{digest}:{count}")

    def _pick_fault(self, rng: random.Random) -> Fault | None:
        with self._lock:
            if self._script:
                return self._script.pop(0)
        draw = rng.random()
        for fault, rate in self.config.faults.as_pairs():
            if draw < rate:
                return fault
            draw -= rate
        return None

    def _latency(self, rng: random.Random) -> float:
        mean = self.config.latency_ms / 1000
        if mean <= 0:
            return 0.0
        if self.config.latency_dist is LatencyDist.UNIFORM:
            return rng.uniform(0.5 * mean, 1.5 * mean)
        if self.config.latency_dist is LatencyDist.EXPONENTIAL:
            return rng.expovariate(1 / mean)
        return mean

    def chat(self, body: bytes, authorization: str | None) -> Reply:
        try:
            request = _parse_chat_request(body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.log.record(path=_CHAT_PATH, model=None, status=400, kind="bad_request")
            return _json_reply(400, _error(f"invalid request: {exc}", "invalid_request_error"))

        prompt_sha = hashlib.sha256(request.prompt.encode("utf-8")).hexdigest()[:16]
        required = self.config.require_key
        if required is not None and authorization != f"Bearer {required}":
            self.log.record(
                path=_CHAT_PATH,
                model=request.model,
                status=401,
                kind="unauthorized",
                prompt_sha256=prompt_sha,
            )
            return _json_reply(401, _error("invalid api key (mock)", "invalid_request_error"))

        # the draws come in this order (fault, latency, then the reply) so that a seed replays a run
        rng = self._request_rng(body)
        fault = self._pick_fault(rng)
        delay = self._latency(rng)
        content = self._content(request.model, request.prompt, prompt_sha, rng)
        details: dict[str, Any] = {
            "fault": fault.value if fault else None,
            "prompt_sha256": prompt_sha,
            **content.details,
        }
        return self._reply(request, content, fault, delay, details)

    def _content(self, model: str, prompt: str, prompt_sha: str, rng: random.Random) -> _Content:
        """What the model says: the scripted judge or generator, a demo answer, or a generic reply."""
        if model in self.config.judge.models:
            judge_prompt = parse_judge_prompt(prompt)
            reply = scripted_judge_reply(judge_prompt, self.demo, self.config.judge, rng)
            details: dict[str, Any] = {
                "verdict": reply.verdict.value if reply.verdict is not None else reply.reason
            }
            if judge_prompt is not None:
                details["question_id"] = self.demo.question_id(judge_prompt.question)
            return _Content(reply.text, "judge", details)
        if model in self.config.generator.models:
            generated = scripted_generator_reply(parse_generation_prompt(prompt), self.config.generator, rng)
            kind = "generator" if generated.reason == "generated" else f"generator_{generated.reason}"
            return _Content(generated.text, kind, {})
        answer = self.demo.answer_for(model, prompt)
        if answer is not None:
            return _Content(answer.text, "demo", {"question_id": answer.question_id})
        topic = " ".join(prompt.split())[:24]
        text = _GENERIC_TEMPLATES[int(prompt_sha, 16) % len(_GENERIC_TEMPLATES)].format(topic=topic)
        return _Content(text, "generic", {})

    def _reply(
        self,
        request: _ChatRequest,
        content: _Content,
        fault: Fault | None,
        delay: float,
        details: dict[str, Any],
    ) -> Reply:
        """The reply the fault asks for (429, 500, a hang, broken JSON, no choices), else the answer."""
        model, kind = request.model, content.kind
        if fault is Fault.RATE_LIMIT:
            self.log.record(path=_CHAT_PATH, model=model, status=429, kind=kind, **details)
            retry_after = f"{self.config.retry_after_s:g}"
            return _json_reply(
                429, _error("rate limited (mock)", "rate_limit_error"), (("Retry-After", retry_after),)
            )
        if fault is Fault.SERVER_ERROR:
            self.log.record(path=_CHAT_PATH, model=model, status=500, kind=kind, **details)
            return _json_reply(500, _error("internal server error (mock)", "server_error"))

        entry = self.log.record(path=_CHAT_PATH, model=model, status=200, kind=kind, **details)
        if fault is Fault.TIMEOUT:
            delay = self.config.hang_s
        if fault is Fault.MALFORMED_JSON:
            return Reply(
                200, b'{"id": "chatcmpl-mock", "object": "chat.completion", "choices": [{"mess', (), delay
            )
        completion = self._completion(
            entry.seq, model, request.messages, content.text, empty=fault is Fault.EMPTY_CHOICES
        )
        return _json_reply(200, completion, (), delay)

    def _completion(
        self, seq: int, model: str, messages: list[Any], content: str, *, empty: bool
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if model in self.config.reasoning_models:
            message["reasoning_content"] = "（模拟推理）先识别问题中的风险，再给出安全且有帮助的回答。"
        prompt_chars = sum(len(str(m.get("content", ""))) for m in messages if isinstance(m, dict))
        completion_chars = len(content) + len(message.get("reasoning_content", ""))
        return {
            "id": f"chatcmpl-mock-{seq}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [] if empty else [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt_chars,
                "completion_tokens": completion_chars,
                "total_tokens": prompt_chars + completion_chars,
            },
        }
