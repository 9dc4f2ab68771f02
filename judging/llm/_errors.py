"""The error hierarchy of the LLM client.

Configuration problems (a bad registry file, a missing API key variable) are raised as
:class:`ConfigError`. Problems with one request are :class:`RequestError` subclasses; the client
catches them, retries the retryable ones and hands the last one back as a ``ChatFailure`` value,
so a batch run never stops because one item failed.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from judging.errors import ArenaError

__all__ = [
    "AuthError",
    "ClientError",
    "ConfigError",
    "ConnectionFailed",
    "EmptyAnswer",
    "ErrorKind",
    "LLMError",
    "MalformedResponse",
    "MissingApiKey",
    "RateLimited",
    "RegistryError",
    "RequestError",
    "RequestTimeout",
    "ServerError",
]


class ErrorKind(StrEnum):
    """The class of a failure, as stored next to a failed item."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    RATE_LIMITED = "rate_limited"
    SERVER = "server_error"
    CLIENT = "client_error"
    AUTH = "auth"
    MALFORMED = "malformed"
    EMPTY = "empty"  # a completion with no text: retried, then recorded as failed, never stored
    CONFIG = "config"
    INTERNAL = "internal"


class LLMError(ArenaError):
    """Base of every error defined by ``judging.llm``."""


class ConfigError(LLMError):
    """The configuration is unusable; raised, because retrying cannot help."""

    kind: ClassVar[ErrorKind] = ErrorKind.CONFIG


class RegistryError(ConfigError):
    """A model registry file is invalid; the message names the file, the record and the field."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        record: int | None = None,
        key: str | None = None,
        field: str | None = None,
    ) -> None:
        where = str(path)
        if record is not None:
            where += f", record #{record}"
            if key:
                where += f" ({key!r})"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.record = record
        self.key = key
        self.field = field


class MissingApiKey(ConfigError):
    """The environment variable named by an endpoint's ``api_key_env`` is unset or empty."""

    def __init__(self, endpoint: str, env_name: str) -> None:
        super().__init__(
            f"endpoint {endpoint!r}: environment variable {env_name} (api_key_env) is not set or empty"
        )
        self.endpoint = endpoint
        self.env_name = env_name


class RequestError(LLMError):
    """One request failed. ``retryable`` says whether trying again may help."""

    kind: ClassVar[ErrorKind]
    retryable: ClassVar[bool]

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


class RequestTimeout(RequestError):
    kind = ErrorKind.TIMEOUT
    retryable = True


class ConnectionFailed(RequestError):
    kind = ErrorKind.CONNECTION
    retryable = True


class RateLimited(RequestError):
    """HTTP 429; ``retry_after`` carries the server's ``Retry-After`` in seconds when it sent one."""

    kind = ErrorKind.RATE_LIMITED
    retryable = True


class ServerError(RequestError):
    """HTTP 5xx."""

    kind = ErrorKind.SERVER
    retryable = True


class MalformedResponse(RequestError):
    """A 2xx reply that is not a usable chat completion (bad JSON, no choices, no content)."""

    kind = ErrorKind.MALFORMED
    retryable = True


class EmptyAnswer(MalformedResponse):
    """A 2xx completion whose text is empty or blanks only: not an answer to judge or vote on."""

    kind = ErrorKind.EMPTY
    retryable = True


class ClientError(RequestError):
    """HTTP 4xx other than 429: the request itself is wrong, so it is never retried."""

    kind = ErrorKind.CLIENT
    retryable = False


class AuthError(ClientError):
    """HTTP 401/403: a bad or missing key; never retried."""

    kind = ErrorKind.AUTH
    retryable = False
