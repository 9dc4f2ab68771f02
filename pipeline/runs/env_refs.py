"""``${NAME}`` and ``${NAME:-default}`` in an endpoint file's strings, filled from the environment
when the file is imported: the demo's mock endpoints say
``base_url: http://127.0.0.1:${MOCKLLM_PORT:-8600}/v1`` so ``make mock PORT=8700`` and the file
agree. Only these two forms are read; any other ``$`` is kept as written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from judging.llm import RegistryError

__all__ = ["expand_env_refs"]

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _expand_text(text: str, *, source: str, environ: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = environ.get(name)
        if found:
            return found
        if default is not None:
            return default
        raise RegistryError(source, f"${{{name}}} is used but the environment variable {name} is not set")

    return _REF.sub(value, text)


def expand_env_refs(data: Any, *, source: str, environ: Mapping[str, str]) -> Any:
    """``data`` (parsed YAML/TOML) with every environment reference in its strings filled in; an
    unset variable without a default raises ``RegistryError`` naming it. The input is not changed."""
    if isinstance(data, str):
        return _expand_text(data, source=source, environ=environ)
    if isinstance(data, list):
        return [expand_env_refs(item, source=source, environ=environ) for item in data]
    if isinstance(data, dict):
        return {key: expand_env_refs(item, source=source, environ=environ) for key, item in data.items()}
    return data
