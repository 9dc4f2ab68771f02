"""Value types of the LLM client: messages, requests and their results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar

from judging.llm._config import EndpointConfig
from judging.llm._errors import ConfigError, ErrorKind, RequestError

__all__ = [
    "ChatFailure",
    "ChatMessage",
    "ChatRequest",
    "ChatResult",
    "ChatSuccess",
    "Done",
    "Role",
    "TokenUsage",
]

T = TypeVar("T")
R = TypeVar("R")


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        if not isinstance(self.content, str):
            raise TypeError(f"ChatMessage: content must be a str, got {type(self.content).__name__}")

    @classmethod
    def system(cls, content: str) -> ChatMessage:
        return cls(Role.SYSTEM, content)

    @classmethod
    def user(cls, content: str) -> ChatMessage:
        return cls(Role.USER, content)

    @classmethod
    def assistant(cls, content: str) -> ChatMessage:
        return cls(Role.ASSISTANT, content)

    def to_json(self) -> dict[str, str]:
        return {"role": self.role.value, "content": self.content}


@dataclass(frozen=True, slots=True)
class ChatRequest(Generic[T]):
    """One chat completion to run in a batch; ``tag`` is the caller's id for the item."""

    endpoint: EndpointConfig
    messages: tuple[ChatMessage, ...]
    tag: T
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)


@dataclass(frozen=True, slots=True)
class TokenUsage:
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    reasoning_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class ChatSuccess:
    """A usable completion. ``latency_s`` is the final attempt; ``elapsed_s`` includes retries."""

    content: str
    reasoning_content: str | None
    finish_reason: str | None
    usage: TokenUsage | None
    model: str | None  # as reported by the server
    latency_s: float
    elapsed_s: float
    attempts: int

    @property
    def ok(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class ChatFailure:
    """A request that did not produce a completion, after ``attempts`` tries (0: never sent)."""

    kind: ErrorKind
    message: str
    status: int | None
    retryable: bool  # False: permanent (bad key, bad request); True: gave up after the retry limit
    attempts: int
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return False

    @classmethod
    def from_error(cls, error: RequestError | ConfigError, *, attempts: int, elapsed_s: float) -> ChatFailure:
        if isinstance(error, RequestError):
            return cls(error.kind, error.message, error.status, error.retryable, attempts, elapsed_s)
        return cls(error.kind, str(error), None, False, attempts, elapsed_s)


ChatResult = ChatSuccess | ChatFailure


class Done(NamedTuple, Generic[T, R]):
    """One finished item of a batch run: the item that went in and what came out."""

    item: T
    result: R
