"""Endpoint configuration and the model registry file (YAML or TOML).

A registry file lists OpenAI-compatible endpoints::

    defaults:                      # optional, merged into every record
      base_url: http://127.0.0.1:8600/v1
      api_key_env: MOCKLLM_API_KEY
    models:
      - key: qingyun-care          # stable id used in the database
        display_name: 青云 Care
        model: qingyun-care        # the model id sent in the request
        organisation: 示例实验室 A
        open_source: false
        reasoning: false
        extra_params: {temperature: 0.0, max_tokens: 1024}

TOML uses ``[defaults]`` and ``[[models]]``. ``api_key_env`` is the *name* of an environment
variable; the key itself is never stored in the file, in this object or in a log.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from judging.llm._errors import MissingApiKey, RegistryError

__all__ = ["EndpointConfig", "ModelRegistry", "load_registry", "parse_registry"]

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Parameters the client sets itself; an endpoint may not override them.
RESERVED_PARAMS = frozenset({"model", "messages", "stream", "n"})


def _check_key(value: Any) -> str | None:
    if not isinstance(value, str) or not _KEY_RE.match(value):
        return "must be 1-128 characters of letters, digits and . _ : / - (starting with a letter or digit)"
    return None


def _check_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    return None


def _check_base_url(value: Any) -> str | None:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        return "must be an http:// or https:// URL (for example http://127.0.0.1:8600/v1)"
    return None


def _check_api_key_env(value: Any) -> str | None:
    # The value is deliberately not echoed: a user may have pasted the key itself here.
    if value is None:
        return None
    if not isinstance(value, str) or not _ENV_RE.match(value):
        return "must be the NAME of an environment variable (letters, digits, _), not the key itself"
    return None


def _check_str(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _check_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _check_params(value: Any) -> str | None:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        return "must be a mapping of request parameter names to values"
    reserved = sorted(RESERVED_PARAMS & set(value))
    if reserved:
        return f"may not set {', '.join(reserved)} (the client sets them)"
    return None


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "key": _check_key,
    "display_name": _check_text,
    "base_url": _check_base_url,
    "model": _check_text,
    "api_key_env": _check_api_key_env,
    "organisation": _check_str,
    "open_source": _check_bool,
    "reasoning": _check_bool,
    "extra_params": _check_params,
}
_REQUIRED = ("key", "base_url", "model")


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """One model behind an OpenAI-compatible chat-completions endpoint."""

    key: str
    base_url: str
    model: str
    display_name: str = ""
    api_key_env: str | None = None
    organisation: str = ""
    open_source: bool = False
    reasoning: bool = False
    extra_params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.display_name:
            object.__setattr__(self, "display_name", self.key)
        for name, check in _CHECKS.items():
            problem = check(getattr(self, name))
            if problem:
                raise ValueError(f"EndpointConfig({self.key!r}): {name} {problem}")
        # A private deep copy, read-only: the caller's dict is neither shared nor mutated.
        frozen = MappingProxyType(copy.deepcopy(dict(self.extra_params)))
        object.__setattr__(self, "extra_params", frozen)

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def resolve_api_key(self, environ: Mapping[str, str]) -> str | None:
        """The API key from ``environ``; None for a keyless endpoint; raises MissingApiKey."""
        if self.api_key_env is None:
            return None
        value = environ.get(self.api_key_env, "")
        if not value:
            raise MissingApiKey(self.key, self.api_key_env)
        return value


@dataclass(frozen=True, slots=True)
class ModelRegistry:
    """The configured endpoints, in file order, with unique keys."""

    endpoints: tuple[EndpointConfig, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for endpoint in self.endpoints:
            if endpoint.key in seen:
                raise ValueError(f"ModelRegistry: duplicate endpoint key {endpoint.key!r}")
            seen.add(endpoint.key)

    def __iter__(self) -> Iterator[EndpointConfig]:
        return iter(self.endpoints)

    def __len__(self) -> int:
        return len(self.endpoints)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(e.key for e in self.endpoints)

    def get(self, key: str) -> EndpointConfig:
        for endpoint in self.endpoints:
            if endpoint.key == key:
                return endpoint
        raise KeyError(f"ModelRegistry.get: unknown endpoint key {key!r} (known: {', '.join(self.keys)})")

    def select(self, spec: str | Sequence[str]) -> tuple[EndpointConfig, ...]:
        """``"all"``, ``"m1,m2"`` or a list of keys; an unknown key raises KeyError."""
        if isinstance(spec, str):
            if spec.strip() == "all":
                return self.endpoints
            spec = [part.strip() for part in spec.split(",") if part.strip()]
        if not spec:
            raise ValueError("ModelRegistry.select: no endpoint keys given")
        return tuple(self.get(key) for key in spec)


def load_registry(path: Path | str) -> ModelRegistry:
    """Read a ``.yaml``/``.yml`` or ``.toml`` registry; every problem raises RegistryError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(path, f"cannot read file: {exc.strerror}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise RegistryError(path, f"unknown file type {suffix!r} (expected .yaml, .yml or .toml)")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(path, f"not valid {suffix.lstrip('.').upper()}: {exc}") from None
    return parse_registry(data, source=str(path))


def parse_registry(data: Any, *, source: str = "<registry>") -> ModelRegistry:
    """Validate already-decoded registry data (a mapping with ``models`` and optional ``defaults``)."""
    defaults, records = _registry_parts(data, source)
    endpoints: list[EndpointConfig] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records, start=1):
        merged, key = _checked_record(record, defaults, source, index)
        if key in seen:
            raise RegistryError(
                source,
                f"duplicate key (first used by record #{seen[key]})",
                record=index,
                key=key,
                field="key",
            )
        seen[key] = index
        endpoints.append(EndpointConfig(**merged))
    return ModelRegistry(tuple(endpoints))


def _registry_parts(data: Any, source: str) -> tuple[Mapping[str, Any], list[Any]]:
    """The registry's ``defaults`` and its list of model records, each checked for shape."""
    if not isinstance(data, Mapping):
        raise RegistryError(source, "top level must be a mapping with a 'models' list")
    unknown_top = sorted(set(data) - {"models", "defaults", "synthetic"})
    if unknown_top:
        raise RegistryError(source, f"unknown top-level keys {unknown_top} (expected models, defaults)")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise RegistryError(source, "must be a mapping", field="defaults")
    for name in defaults:
        if name not in _CHECKS or name == "key":
            raise RegistryError(source, "unknown or non-defaultable field", field=f"defaults.{name}")
    records = data.get("models")
    if not isinstance(records, list) or not records:
        raise RegistryError(source, "must be a non-empty list of model records", field="models")
    return defaults, records


def _checked_record(
    record: Any, defaults: Mapping[str, Any], source: str, index: int
) -> tuple[dict[str, Any], str]:
    """One model record merged over the defaults and checked field by field; with its key."""
    if not isinstance(record, Mapping):
        raise RegistryError(source, "must be a mapping", record=index)
    merged = {**defaults, **record}
    key = merged.get("key") if isinstance(merged.get("key"), str) else None
    for name in merged:
        if name not in _CHECKS:
            allowed = ", ".join(_CHECKS)
            raise RegistryError(
                source, f"unknown field (allowed: {allowed})", record=index, key=key, field=name
            )
    for name in _REQUIRED:
        if merged.get(name) is None:
            raise RegistryError(source, "is required", record=index, key=key, field=name)
    for name, value in merged.items():
        problem = _CHECKS[name](value)
        if problem:
            raise RegistryError(source, problem, record=index, key=key, field=name)
    assert key is not None  # checked above
    return merged, key
