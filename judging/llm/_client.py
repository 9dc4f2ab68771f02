"""An async client for OpenAI-compatible chat completions, safe to run thousands of times.

The caller hands in the ``httpx.AsyncClient`` (so tests can use ``httpx.MockTransport``), the
settings, the RNG used for backoff jitter, the environment the API keys are read from and,
optionally, a clock and a sleep function. Nothing here reads ``os.environ`` or global state.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx

from judging.llm._config import EndpointConfig
from judging.llm._errors import (
    AuthError,
    ClientError,
    ConfigError,
    ConnectionFailed,
    EmptyAnswer,
    ErrorKind,
    MalformedResponse,
    RateLimited,
    RequestError,
    RequestTimeout,
    ServerError,
)
from judging.llm._pool import map_unordered
from judging.llm._ratelimit import TokenBucket
from judging.llm._retry import RetryPolicy, parse_retry_after
from judging.llm._types import (
    ChatFailure,
    ChatMessage,
    ChatRequest,
    ChatResult,
    ChatSuccess,
    Done,
    TokenUsage,
)

__all__ = ["ChatClient", "ClientSettings"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_ERROR_SNIPPET = 300


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Limits of one ChatClient. Build one ChatClient per endpoint for per-provider limits."""

    max_concurrency: int = 16
    requests_per_second: float | None = None  # None: no rate limit beyond the concurrency bound
    burst: int = 1
    timeout_s: float = 120.0  # whole request, connect to last byte
    connect_timeout_s: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if self.max_concurrency < 1:
            raise ValueError(
                f"ClientSettings: max_concurrency must be at least 1, got {self.max_concurrency!r}"
            )
        if self.requests_per_second is not None and not self.requests_per_second > 0:
            raise ValueError(
                f"ClientSettings: requests_per_second must be positive or None, got {self.requests_per_second!r}"
            )
        if not self.timeout_s > 0 or not self.connect_timeout_s > 0:
            raise ValueError("ClientSettings: timeouts must be positive")


class ChatClient:
    """Chat completions with bounded concurrency, a rate limit, timeouts and retries.

    ``complete`` never raises for a failed request: it returns a ``ChatFailure`` value. Build
    ``http`` with ``make_http_client(settings.max_concurrency)``: httpx's stock pool costs
    milliseconds of CPU per request at 64 connections (see bench/pipeline.py).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: ClientSettings,
        *,
        rng: random.Random,
        environ: Mapping[str, str],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self.settings = settings
        self._rng = rng
        self._environ = environ
        self._clock = clock
        self._sleep = sleep
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        self._bucket = (
            TokenBucket(settings.requests_per_second, burst=settings.burst, clock=clock, sleep=sleep)
            if settings.requests_per_second is not None
            else None
        )
        self._timeout = httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)
        # endpoint key -> the 401/403 it answered: nothing more is sent to it in this client's life
        self._refused: dict[str, ChatFailure] = {}

    async def complete(
        self,
        endpoint: EndpointConfig,
        messages: Sequence[ChatMessage],
        *,
        params: Mapping[str, Any] | None = None,
    ) -> ChatResult:
        """One chat completion, retried per the settings; failures are returned, not raised."""
        started = self._clock()
        refused = self._refused.get(endpoint.key)
        if refused is not None:
            return replace(
                refused,
                message=f"not sent: the endpoint refused our key earlier in this run ({refused.message})",
                attempts=0,
                elapsed_s=0.0,
            )
        try:
            api_key = endpoint.resolve_api_key(self._environ)
        except ConfigError as exc:
            log.warning("chat %s: %s", endpoint.key, exc)
            return ChatFailure.from_error(exc, attempts=0, elapsed_s=0.0)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        body = _request_body(endpoint, messages, params)
        policy = self.settings.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._slots:
                    if self._bucket is not None:
                        await self._bucket.acquire()
                    sent = self._clock()
                    success = await self._attempt(endpoint.chat_url, headers, body, api_key)
                    latency = self._clock() - sent
            except RequestError as exc:
                if not policy.should_retry(exc, attempt):
                    log.warning(
                        "chat %s: giving up after %d attempt(s): %s %s",
                        endpoint.key,
                        attempt,
                        exc.kind.value,
                        exc.message,
                    )
                    failure = ChatFailure.from_error(exc, attempts=attempt, elapsed_s=self._clock() - started)
                    if isinstance(exc, AuthError):
                        self._refused.setdefault(endpoint.key, failure)
                    return failure
                delay = policy.delay(exc, attempt, self._rng)
                log.info(
                    "chat %s: attempt %d failed (%s), retrying in %.2fs",
                    endpoint.key,
                    attempt,
                    exc.kind.value,
                    delay,
                )
                await self._sleep(delay)
                continue
            return replace(success, latency_s=latency, elapsed_s=self._clock() - started, attempts=attempt)

    async def complete_many(
        self, requests: Iterable[ChatRequest[T]]
    ) -> AsyncGenerator[Done[ChatRequest[T], ChatResult], None]:
        """Run many requests, yielding each ``Done(request, result)`` as it finishes.

        One item's failure (or even a bug while handling one item) never stops the run.
        """

        async def run(request: ChatRequest[T]) -> ChatResult:
            started = self._clock()
            try:
                return await self.complete(request.endpoint, request.messages, params=request.params)
            except Exception as exc:
                # The batch boundary: a surprise in one item is recorded against that item
                # (with a traceback in the log) instead of killing an hours-long run.
                log.exception("chat %s: unexpected error", request.endpoint.key)
                return ChatFailure(
                    ErrorKind.INTERNAL,
                    f"{type(exc).__name__}: {exc}",
                    None,
                    False,
                    0,
                    self._clock() - started,
                )

        async for done in map_unordered(requests, run, concurrency=self.settings.max_concurrency):
            yield done

    async def _attempt(
        self, url: str, headers: Mapping[str, str], body: dict[str, Any], api_key: str | None
    ) -> ChatSuccess:
        try:
            # httpx's timeouts are per phase; the outer deadline bounds the whole exchange, so a
            # server that trickles bytes cannot hold a slot forever.
            async with asyncio.timeout(self.settings.timeout_s):
                response = await self._http.post(url, json=body, headers=headers, timeout=self._timeout)
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise RequestTimeout(
                f"timed out after {self.settings.timeout_s:g}s ({type(exc).__name__})"
            ) from None
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.TooManyRedirects) as exc:
            raise ClientError(f"{type(exc).__name__}: {exc}") from None
        except httpx.DecodingError as exc:
            raise MalformedResponse(f"undecodable response body: {exc}") from None
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"{type(exc).__name__}: {exc}") from None
        status = response.status_code
        if 200 <= status < 300:
            return _parse_completion(response)
        message = f"HTTP {status}: {_error_text(response, api_key)}"
        retry_after = parse_retry_after(response.headers.get("retry-after"), response.headers.get("date"))
        if status == 429:
            raise RateLimited(message, status=status, retry_after=retry_after)
        if status >= 500:
            raise ServerError(message, status=status, retry_after=retry_after)
        if status in (401, 403):
            raise AuthError(message, status=status)
        if status == 408:
            # "Request Timeout" is the server timing out our request, not a fault in the request.
            raise RequestTimeout(message, status=status)
        raise ClientError(message, status=status)


def _request_body(
    endpoint: EndpointConfig, messages: Sequence[ChatMessage], params: Mapping[str, Any] | None
) -> dict[str, Any]:
    if not messages:
        raise ValueError(f"ChatClient.complete: messages is empty for endpoint {endpoint.key!r}")
    body: dict[str, Any] = {**endpoint.extra_params, **(params or {})}
    body.update(model=endpoint.model, messages=[m.to_json() for m in messages], stream=False)
    return body


def _error_text(response: httpx.Response, api_key: str | None) -> str:
    """The server's error message, shortened, with our own key masked should a server echo it."""
    text = response.text
    try:
        data = response.json()
    except ValueError:
        pass
    else:
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            text = str(data["error"].get("message", text))
        elif isinstance(data, dict) and isinstance(data.get("error"), str):
            text = data["error"]
    if api_key:
        text = text.replace(api_key, "***")
    text = " ".join(text.split())
    return text[:_ERROR_SNIPPET] + ("…" if len(text) > _ERROR_SNIPPET else "")


def _parse_completion(response: httpx.Response) -> ChatSuccess:
    try:
        data = response.json()
    except ValueError as exc:
        raise MalformedResponse(
            f"HTTP {response.status_code} body is not JSON: {exc}", status=response.status_code
        ) from None
    if not isinstance(data, dict):
        raise MalformedResponse("completion is not a JSON object", status=response.status_code)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        detail = f"; error: {data['error']}" if "error" in data else ""
        raise MalformedResponse(
            f"completion has no choices{detail}"[:_ERROR_SNIPPET], status=response.status_code
        )
    choice = choices[0]
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        raise MalformedResponse("choices[0].message is missing", status=response.status_code)
    finish_reason = choice.get("finish_reason")
    content = message.get("content")
    if content is None and finish_reason == "length":
        # A reasoning model can spend all of max_tokens thinking: no answer text at all.
        content = ""
    if not isinstance(content, str):
        raise MalformedResponse("choices[0].message.content is not a string", status=response.status_code)
    if not content.strip():
        # Nothing to judge or vote on: retried like a malformed reply, then recorded as failed.
        raise EmptyAnswer(
            f"the completion's text is empty (finish_reason {finish_reason!r})", status=response.status_code
        )
    # DeepSeek and most vLLM builds use reasoning_content; newer vLLM/OpenRouter use reasoning.
    reasoning = message.get("reasoning_content", message.get("reasoning"))
    # Timings and attempts are filled in by ChatClient.complete, which knows them.
    return ChatSuccess(
        content=content,
        reasoning_content=reasoning if isinstance(reasoning, str) else None,
        finish_reason=finish_reason if isinstance(finish_reason, str) else None,
        usage=_parse_usage(data.get("usage")),
        model=data.get("model") if isinstance(data.get("model"), str) else None,
        latency_s=0.0,
        elapsed_s=0.0,
        attempts=0,
    )


def _parse_usage(usage: Any) -> TokenUsage | None:
    if not isinstance(usage, dict):
        return None

    def count(source: Any, name: str) -> int | None:
        value = source.get(name) if isinstance(source, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return TokenUsage(
        prompt_tokens=count(usage, "prompt_tokens"),
        completion_tokens=count(usage, "completion_tokens"),
        total_tokens=count(usage, "total_tokens"),
        reasoning_tokens=count(usage.get("completion_tokens_details"), "reasoning_tokens"),
    )
