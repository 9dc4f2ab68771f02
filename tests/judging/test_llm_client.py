"""ChatClient against httpx.MockTransport: plain handler functions, a fake clock, no patching."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Coroutine, Iterator
from contextlib import aclosing
from typing import Any

import httpx
import pytest

from judging.llm import (
    ChatClient,
    ChatFailure,
    ChatMessage,
    ChatRequest,
    ChatSuccess,
    ClientSettings,
    EndpointConfig,
    ErrorKind,
    RetryPolicy,
    TokenUsage,
)

ENDPOINT = EndpointConfig(
    key="demo",
    base_url="http://llm.test/v1",
    model="demo-model",
    api_key_env="DEMO_KEY",
    extra_params={"temperature": 0.2},
)
KEY = "sk-test-very-secret"
FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05)
Handler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)


class FakeTime:
    """A clock that only moves when the client sleeps; sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def completion(content: str | None = "你好", **extra_message: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "model": "demo-model-2025",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, **extra_message},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    }


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler replying with ``responses`` in order (the last one repeats) and the requests seen."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = responses[min(len(seen), len(responses)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def run(
    handler: Handler,
    *,
    settings: ClientSettings | None = None,
    environ: dict[str, str] | None = None,
    fake: FakeTime | None = None,
    endpoint: EndpointConfig = ENDPOINT,
) -> ChatSuccess | ChatFailure:
    async def go() -> ChatSuccess | ChatFailure:
        time = fake or FakeTime()
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = ChatClient(
                http,
                settings or ClientSettings(retry=FAST_RETRY),
                rng=random.Random(1),
                environ={"DEMO_KEY": KEY} if environ is None else environ,
                clock=time.clock,
                sleep=time.sleep,
            )
            return await client.complete(endpoint, [ChatMessage.user("问题")], params={"max_tokens": 64})

    return asyncio.run(go())


def test_success_records_content_usage_and_sends_the_configured_request() -> None:
    handler, seen = scripted(
        httpx.Response(
            200,
            json={
                **completion("答案", reasoning_content="先想一想"),
                "usage": {
                    "prompt_tokens": 5,
                    "completion_tokens": 7,
                    "total_tokens": 12,
                    "completion_tokens_details": {"reasoning_tokens": 3},
                },
            },
        )
    )
    result = run(handler)
    assert isinstance(result, ChatSuccess)
    assert (result.content, result.reasoning_content, result.finish_reason) == ("答案", "先想一想", "stop")
    assert result.usage == TokenUsage(5, 7, 12, reasoning_tokens=3)
    assert (result.model, result.attempts) == ("demo-model-2025", 1)
    (request,) = seen
    assert str(request.url) == "http://llm.test/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(request.content)
    assert body == {
        "temperature": 0.2,
        "max_tokens": 64,
        "model": "demo-model",
        "messages": [{"role": "user", "content": "问题"}],
        "stream": False,
    }


def test_reasoning_field_variant_and_missing_usage() -> None:
    payload = completion("答案", reasoning="思考")
    del payload["usage"]
    result = run(scripted(httpx.Response(200, json=payload))[0])
    assert isinstance(result, ChatSuccess)
    assert (result.reasoning_content, result.usage) == ("思考", None)


@pytest.mark.parametrize(("content", "finish"), [(None, "length"), ("", "stop"), ("  \n", "stop")])
def test_an_empty_answer_is_retried_then_a_failure_never_stored(content, finish) -> None:
    # an empty completion is nothing to judge or vote on: retried (it may be a hiccup), then
    # returned as a failure of kind "empty"; a later real answer wins
    payload = completion(content)
    payload["choices"][0]["finish_reason"] = finish
    handler, seen = scripted(httpx.Response(200, json=payload), httpx.Response(200, json=completion()))
    result = run(handler, fake=FakeTime())
    assert isinstance(result, ChatSuccess) and result.content and result.attempts == 2
    always, seen = scripted(httpx.Response(200, json=payload))
    failed = run(always, fake=FakeTime())
    assert isinstance(failed, ChatFailure) and failed.kind is ErrorKind.EMPTY and failed.retryable
    assert len(seen) == failed.attempts > 1


def test_after_a_401_nothing_more_is_sent_to_that_endpoint() -> None:
    handler, seen = scripted(httpx.Response(401, json={"error": {"message": "bad key"}}))
    other_handler_calls: list[str] = []

    async def go() -> list[ChatSuccess | ChatFailure]:
        time = FakeTime()

        def route(request: httpx.Request) -> httpx.Response:
            if "other" in str(request.url):
                other_handler_calls.append(str(request.url))
                return httpx.Response(200, json=completion())
            return handler(request)

        other = EndpointConfig(
            key="other", base_url="http://other.test/v1", model="m", api_key_env="DEMO_KEY"
        )
        async with httpx.AsyncClient(transport=httpx.MockTransport(route)) as http:
            client = ChatClient(
                http,
                ClientSettings(retry=FAST_RETRY),
                rng=random.Random(1),
                environ={"DEMO_KEY": KEY},
                clock=time.clock,
                sleep=time.sleep,
            )
            results = [await client.complete(ENDPOINT, [ChatMessage.user("问题")]) for _ in range(3)]
            results.append(await client.complete(other, [ChatMessage.user("问题")]))
            return results

    first, second, third, other_result = asyncio.run(go())
    assert isinstance(first, ChatFailure) and first.kind is ErrorKind.AUTH and first.attempts == 1
    assert len(seen) == 1  # one request reached the endpoint that refused the key
    assert isinstance(second, ChatFailure) and second.kind is ErrorKind.AUTH and second.attempts == 0
    assert "not sent" in second.message and isinstance(third, ChatFailure) and third.attempts == 0
    assert isinstance(other_result, ChatSuccess) and len(other_handler_calls) == 1  # others go on


def test_429_honours_retry_after_then_succeeds() -> None:
    fake = FakeTime()
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"message": "slow down"}}),
        httpx.Response(200, json=completion()),
    )
    result = run(handler, fake=fake)
    assert isinstance(result, ChatSuccess)
    assert (len(seen), result.attempts) == (2, 2)
    assert fake.sleeps == [7.0]  # Retry-After beats the (tiny) backoff
    assert result.elapsed_s == pytest.approx(7.0)


def test_5xx_backs_off_with_jittered_exponential_steps() -> None:
    fake = FakeTime()
    handler, seen = scripted(
        httpx.Response(500),
        httpx.Response(503),
        httpx.Response(502),
        httpx.Response(200, json=completion()),
    )
    result = run(handler, fake=fake)
    assert isinstance(result, ChatSuccess) and result.attempts == 4 and len(seen) == 4
    # Equal jitter: step/2 <= delay <= step, with steps 0.01, 0.02, 0.04.
    for delay, step in zip(fake.sleeps, (0.01, 0.02, 0.04), strict=True):
        assert step / 2 <= delay <= step


def test_5xx_gives_up_after_max_attempts_with_a_typed_failure() -> None:
    handler, seen = scripted(httpx.Response(503, json={"error": {"message": "overloaded"}}))
    result = run(handler)
    assert isinstance(result, ChatFailure)
    assert (result.kind, result.status, result.attempts, result.retryable) == (ErrorKind.SERVER, 503, 4, True)
    assert result.message == "HTTP 503: overloaded"
    assert len(seen) == 4


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, ErrorKind.AUTH),
        (403, ErrorKind.AUTH),
        (400, ErrorKind.CLIENT),
        (404, ErrorKind.CLIENT),
        (422, ErrorKind.CLIENT),
    ],
)
def test_other_4xx_are_never_retried(status: int, kind: ErrorKind) -> None:
    handler, seen = scripted(httpx.Response(status, json={"error": {"message": "nope"}}))
    result = run(handler)
    assert isinstance(result, ChatFailure)
    assert (result.kind, result.status, result.attempts, result.retryable) == (kind, status, 1, False)
    assert len(seen) == 1


def test_408_counts_as_a_timeout_and_is_retried() -> None:
    handler, seen = scripted(httpx.Response(408), httpx.Response(200, json=completion()))
    result = run(handler)
    assert isinstance(result, ChatSuccess) and result.attempts == 2 and len(seen) == 2


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ReadTimeout("slow"), ErrorKind.TIMEOUT),
        (httpx.ConnectTimeout("slow"), ErrorKind.TIMEOUT),
        (httpx.ConnectError("refused"), ErrorKind.CONNECTION),
        (httpx.RemoteProtocolError("closed"), ErrorKind.CONNECTION),
    ],
)
def test_transport_errors_are_retried(error: Exception, kind: ErrorKind) -> None:
    handler, seen = scripted(error, httpx.Response(200, json=completion()))
    result = run(handler)
    assert isinstance(result, ChatSuccess) and result.attempts == 2 and len(seen) == 2
    failure = run(scripted(error)[0])
    assert isinstance(failure, ChatFailure) and (failure.kind, failure.attempts) == (kind, 4)


def test_a_hanging_server_hits_the_whole_request_deadline() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return httpx.Response(200, json=completion())

    settings = ClientSettings(timeout_s=0.05, retry=RetryPolicy(max_attempts=2, backoff_base_s=0.0))
    result = run(hang, settings=settings)
    assert isinstance(result, ChatFailure)
    assert (result.kind, result.attempts) == (ErrorKind.TIMEOUT, 2)


@pytest.mark.parametrize(
    "bad",
    [
        httpx.Response(200, content=b'{"choices": [{"mess'),
        httpx.Response(200, json={"choices": []}),
        httpx.Response(200, json={"error": {"message": "upstream failed"}}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"choices": [{"message": {"role": "assistant", "content": None}}]}),
        httpx.Response(200, json={"choices": ["text"]}),
    ],
    ids=["bad-json", "empty-choices", "error-body", "not-object", "null-content", "choice-not-object"],
)
def test_malformed_completions_are_retryable_failures(bad: httpx.Response) -> None:
    handler, seen = scripted(bad, httpx.Response(200, json=completion()))
    result = run(handler)
    assert isinstance(result, ChatSuccess) and result.attempts == 2 and len(seen) == 2
    failure = run(scripted(bad)[0])
    assert isinstance(failure, ChatFailure)
    assert (failure.kind, failure.attempts, failure.retryable) == (ErrorKind.MALFORMED, 4, True)


def test_missing_key_variable_fails_without_sending() -> None:
    handler, seen = scripted(httpx.Response(200, json=completion()))
    result = run(handler, environ={})
    assert isinstance(result, ChatFailure)
    assert (result.kind, result.attempts, result.retryable) == (ErrorKind.CONFIG, 0, False)
    assert "DEMO_KEY" in result.message and seen == []


def test_keyless_endpoint_sends_no_authorization_header() -> None:
    handler, seen = scripted(httpx.Response(200, json=completion()))
    keyless = EndpointConfig(key="local", base_url="http://llm.test/v1/", model="m")
    assert isinstance(run(handler, endpoint=keyless, environ={}), ChatSuccess)
    assert "authorization" not in seen[0].headers
    assert str(seen[0].url) == "http://llm.test/v1/chat/completions"


def test_the_key_never_reaches_logs_or_failures(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    handler, _ = scripted(
        httpx.Response(401, json={"error": {"message": f"Incorrect API key provided: {KEY}"}})
    )
    result = run(handler)
    assert isinstance(result, ChatFailure) and result.kind is ErrorKind.AUTH
    assert KEY not in result.message and "***" in result.message
    assert KEY not in caplog.text
    assert "giving up" in caplog.text


def test_rate_limit_spaces_requests_on_the_injected_clock() -> None:
    fake = FakeTime()
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(fake.now)
        return httpx.Response(200, json=completion())

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = ChatClient(
                http,
                ClientSettings(max_concurrency=8, requests_per_second=4.0, burst=2),
                rng=random.Random(1),
                environ={"DEMO_KEY": KEY},
                clock=fake.clock,
                sleep=fake.sleep,
            )
            for _ in range(6):
                await client.complete(ENDPOINT, [ChatMessage.user("q")])

    asyncio.run(go())
    # A burst of 2 goes at once, then one request every 1/4 s.
    assert sent_at == pytest.approx([0.0, 0.0, 0.25, 0.5, 0.75, 1.0])


def requests(n: int) -> Iterator[ChatRequest[int]]:
    for i in range(n):
        yield ChatRequest(ENDPOINT, (ChatMessage.user(f"问题 {i}"),), tag=i)


def test_batch_respects_the_concurrency_bound_and_returns_every_item() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        prompt = json.loads(request.content)["messages"][0]["content"]
        if prompt.endswith("3"):
            return httpx.Response(400, json={"error": {"message": "bad prompt"}})
        return httpx.Response(200, json=completion(f"答：{prompt}"))

    async def go() -> dict[int, ChatSuccess | ChatFailure]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = ChatClient(
                http,
                ClientSettings(max_concurrency=5, retry=FAST_RETRY),
                rng=random.Random(0),
                environ={"DEMO_KEY": KEY},
            )
            return {done.item.tag: done.result async for done in client.complete_many(requests(40))}

    results = asyncio.run(go())
    assert sorted(results) == list(range(40))
    assert 1 < peak <= 5
    failed = sorted(tag for tag, r in results.items() if isinstance(r, ChatFailure))
    assert failed == [3, 13, 23, 33]
    first = results[0]
    assert isinstance(first, ChatSuccess) and first.content == "答：问题 0"


def test_a_bug_while_handling_one_item_does_not_stop_the_batch() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["messages"][0]["content"] == "问题 2":
            raise RuntimeError("surprise")
        return httpx.Response(200, json=completion())

    async def go() -> dict[int, ChatSuccess | ChatFailure]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = ChatClient(
                http, ClientSettings(max_concurrency=2), rng=random.Random(0), environ={"DEMO_KEY": KEY}
            )
            async with aclosing(client.complete_many(requests(5))) as stream:
                return {done.item.tag: done.result async for done in stream}

    results = asyncio.run(go())
    assert len(results) == 5
    broken = results[2]
    assert isinstance(broken, ChatFailure)
    assert broken.kind is ErrorKind.INTERNAL and "RuntimeError: surprise" in broken.message


def test_settings_validation() -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        ClientSettings(max_concurrency=0)
    with pytest.raises(ValueError, match="requests_per_second"):
        ClientSettings(requests_per_second=0)
