"""The endpoint registry: imported from a YAML/TOML file into the database, read back as
``EndpointConfig`` objects for the LLM client. API keys are referenced by variable name only."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from judging.llm import EndpointConfig, RegistryError, parse_registry
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.runs.endpoints import EndpointRow, list_endpoints, upsert_endpoint

__all__ = ["ROLES", "endpoint_configs", "endpoint_roles", "get_endpoint", "import_registry", "save_endpoint"]

# model: answers are collected and rated; judge: an LLM judge; generator: proposes questions
ROLES = ("model", "judge", "generator")


def _row(config: EndpointConfig, role: str = "model") -> EndpointRow:
    return EndpointRow(
        key=config.key,
        display_name=config.display_name,
        base_url=config.base_url,
        model=config.model,
        api_key_env=config.api_key_env,
        organisation=config.organisation,
        open_source=config.open_source,
        reasoning=config.reasoning,
        params=dict(config.extra_params),
        role=role,
    )


def _config(row: EndpointRow) -> EndpointConfig:
    return EndpointConfig(
        key=row.key,
        base_url=row.base_url,
        model=row.model,
        display_name=row.display_name,
        api_key_env=row.api_key_env,
        organisation=row.organisation,
        open_source=row.open_source,
        reasoning=row.reasoning,
        extra_params=row.params,
    )


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(str(path), f"cannot read the file: {exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(raw.decode("utf-8"))
        return yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(str(path), f"not valid UTF-8 YAML/TOML: {exc}") from None


def import_registry(engine: Engine, path: Path, *, actor: str = "cli") -> list[str]:
    """Validate the whole file (errors name file, record and field), then upsert every endpoint.

    Besides the client's ``models`` and ``defaults``, the file may list ``judges``: keys of
    endpoints that act as LLM judges (their answers are not rated), and ``generators``: keys of
    endpoints that propose candidate questions from events.
    """
    data = _read(path)
    lists: dict[str, list[str]] = {"judges": [], "generators": []}
    if isinstance(data, dict) and set(lists) & set(data):
        data = dict(data)
        for name in lists:
            lists[name] = list(data.pop(name, None) or [])
    registry = parse_registry(data, source=str(path))
    for name, keys in lists.items():
        unknown = sorted(set(keys) - set(registry.keys))
        if unknown:
            raise RegistryError(str(path), f"{name} lists keys that are not in models: {unknown}", field=name)
    both = sorted(set(lists["judges"]) & set(lists["generators"]))
    if both:
        raise RegistryError(str(path), f"keys listed as both judge and generator: {both}", field="generators")
    role_of = {k: "judge" for k in lists["judges"]} | {k: "generator" for k in lists["generators"]}
    with write_session(engine) as session:
        for config in registry:
            upsert_endpoint(session=session, row=_row(config, role_of.get(config.key, "model")))
        audit(
            session=session,
            actor=actor,
            action="endpoints.import",
            detail={"file": str(path), "keys": list(registry.keys)},
        )
    return list(registry.keys)


def save_endpoint(engine: Engine, config: EndpointConfig, *, actor: str, role: str = "model") -> None:
    """Add or change one endpoint (the admin page); the config is validated on construction."""
    if role not in ROLES:
        raise ValueError(f"save_endpoint: role must be one of {ROLES}, got {role!r}")
    with write_session(engine) as session:
        upsert_endpoint(session=session, row=_row(config, role))
        audit(session=session, actor=actor, action="endpoints.save", detail={"key": config.key})


def endpoint_configs(engine: Engine, *, role: str | None = None) -> dict[str, EndpointConfig]:
    with read_session(engine) as session:
        return {row.key: _config(row) for row in list_endpoints(session=session) if role in (None, row.role)}


def endpoint_roles(engine: Engine) -> dict[str, str]:
    with read_session(engine) as session:
        return {row.key: row.role for row in list_endpoints(session=session)}


def get_endpoint(engine: Engine, key: str) -> EndpointConfig:
    configs = endpoint_configs(engine)
    if key not in configs:
        known = ", ".join(sorted(configs)) or "none"
        raise LookupError(f"get_endpoint: no endpoint {key!r} is registered (registered: {known})")
    return configs[key]
