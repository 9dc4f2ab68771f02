"""Talking to OpenAI-compatible chat endpoints: the model registry and a robust async client."""

from judging.llm._client import ChatClient, ClientSettings
from judging.llm._config import EndpointConfig, ModelRegistry, load_registry, parse_registry
from judging.llm._errors import (
    AuthError,
    ClientError,
    ConfigError,
    ConnectionFailed,
    EmptyAnswer,
    ErrorKind,
    LLMError,
    MalformedResponse,
    MissingApiKey,
    RateLimited,
    RegistryError,
    RequestError,
    RequestTimeout,
    ServerError,
)
from judging.llm._pool import map_unordered
from judging.llm._ratelimit import TokenBucket
from judging.llm._retry import RetryPolicy, parse_retry_after
from judging.llm._transport import ShardedTransport, make_http_client
from judging.llm._types import (
    ChatFailure,
    ChatMessage,
    ChatRequest,
    ChatResult,
    ChatSuccess,
    Done,
    Role,
    TokenUsage,
)

__all__ = [
    "AuthError",
    "ChatClient",
    "ChatFailure",
    "ChatMessage",
    "ChatRequest",
    "ChatResult",
    "ChatSuccess",
    "ClientError",
    "ClientSettings",
    "ConfigError",
    "ConnectionFailed",
    "Done",
    "EmptyAnswer",
    "EndpointConfig",
    "ErrorKind",
    "LLMError",
    "MalformedResponse",
    "MissingApiKey",
    "ModelRegistry",
    "RateLimited",
    "RegistryError",
    "RequestError",
    "RequestTimeout",
    "RetryPolicy",
    "Role",
    "ServerError",
    "ShardedTransport",
    "TokenBucket",
    "TokenUsage",
    "load_registry",
    "make_http_client",
    "map_unordered",
    "parse_registry",
    "parse_retry_after",
]
