"""The endpoint registry: imported from a YAML/TOML file into the database, read back as
``EndpointConfig`` objects for the LLM client. API keys are referenced by variable name only."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from judging.errors import ArenaError
from judging.llm import EndpointConfig, RegistryError, parse_registry
from judging.model_metadata import MetadataError, ModelMetadata, split_metadata
from pipeline.runs.env_refs import expand_env_refs
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.runs.endpoints import (
    EndpointRow,
    ModelFacts,
    delete_endpoint,
    endpoint_in_use,
    list_endpoints,
    model_facts,
    set_endpoint_enabled,
    upsert_endpoint,
)

__all__ = [
    "ROLES",
    "EndpointError",
    "EndpointInfo",
    "Removal",
    "endpoint_configs",
    "endpoint_list",
    "endpoint_roles",
    "get_endpoint",
    "import_registry",
    "model_metadata",
    "remove_endpoint",
    "save_endpoint",
    "switch_endpoint",
]

# model: answers are collected and rated; judge: an LLM judge; generator: proposes questions
ROLES = ("model", "judge", "generator")


def _row(config: EndpointConfig, role: str = "model", metadata: ModelMetadata | None = None) -> EndpointRow:
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
        metadata=metadata,
    )


class EndpointError(ArenaError, LookupError):
    """An endpoint that is not registered, or is switched off, was asked for."""


class Removal(StrEnum):
    """What ``remove_endpoint`` did: deleted the row, or (something refers to it) switched it off."""

    DELETED = "deleted"
    DISABLED = "disabled"


@dataclass(frozen=True)
class EndpointInfo:
    """One registered endpoint as the admin page lists it."""

    config: EndpointConfig
    role: str
    enabled: bool


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


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: a release date stays text, so an impossible one
    (2026-13-01) is reported by field instead of failing inside the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    first: [(name, regex) for name, regex in resolvers if name != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(str(path), f"cannot read the file: {exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = yaml.load(raw.decode("utf-8"), Loader=_Loader)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(str(path), f"not valid UTF-8 YAML/TOML: {exc}") from None
    return expand_env_refs(data, source=str(path), environ=os.environ)  # ${MOCKLLM_PORT:-8600}


def _split_records(data: Any, source: str) -> tuple[Any, list[ModelMetadata]]:
    """The registry data with each model record's metadata taken out (and LiveSecBench's names
    for the configuration's own fields renamed), and the metadata of each record in order.
    Data that is not a mapping with a list of mappings is left for ``parse_registry`` to refuse."""
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        return data, []
    records: list[Any] = []
    metadata: list[ModelMetadata] = []
    for index, record in enumerate(data["models"], start=1):
        if not isinstance(record, dict):
            records.append(record)
            metadata.append(ModelMetadata())
            continue
        key = record.get("key") if isinstance(record.get("key"), str) else None
        try:
            config, meta = split_metadata(record)
        except MetadataError as exc:
            raise RegistryError(source, str(exc), record=index, key=key, field=exc.field) from None
        records.append(config)
        metadata.append(meta)
    return {**data, "models": records}, metadata


def import_registry(engine: Engine, path: Path, *, actor: str = "cli") -> list[str]:
    """Validate the whole file (errors name file, record and field), then upsert every endpoint.

    Besides the client's ``models`` and ``defaults``, the file may list ``judges``: keys of
    endpoints that act as LLM judges (their answers are not rated), and ``generators``: keys of
    endpoints that propose candidate questions from events. Model records may carry metadata
    (provider, release_date, parameters, url, location, enabled; LiveSecBench's names accepted,
    see ``judging.model_metadata``).
    """
    data, metadata = _split_records(_read(path), str(path))
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
        for index, config in enumerate(registry):
            meta = metadata[index] if index < len(metadata) else None
            upsert_endpoint(session=session, row=_row(config, role_of.get(config.key, "model"), meta))
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
    """The enabled endpoints (of ``role``): what pickers offer and runs call."""
    with read_session(engine) as session:
        return {
            row.key: _config(row)
            for row in list_endpoints(session=session)
            if row.enabled and role in (None, row.role)
        }


def endpoint_roles(engine: Engine) -> dict[str, str]:
    """The role of each enabled endpoint."""
    with read_session(engine) as session:
        return {row.key: row.role for row in list_endpoints(session=session) if row.enabled}


def endpoint_list(engine: Engine) -> list[EndpointInfo]:
    """Every registered endpoint, switched off or not (the admin's table)."""
    with read_session(engine) as session:
        return [EndpointInfo(_config(row), row.role, row.enabled) for row in list_endpoints(session=session)]


def get_endpoint(engine: Engine, key: str) -> EndpointConfig:
    """An enabled endpoint; an unknown or switched-off key raises ``EndpointError`` saying which."""
    configs = endpoint_configs(engine)
    if key not in configs:
        if any(info.config.key == key for info in endpoint_list(engine)):
            raise EndpointError(f"get_endpoint: endpoint {key!r} is switched off; switch it on to use it")
        known = ", ".join(sorted(configs)) or "none"
        raise EndpointError(f"get_endpoint: no endpoint {key!r} is registered (registered: {known})")
    return configs[key]


def switch_endpoint(engine: Engine, key: str, *, enabled: bool, actor: str) -> None:
    """Switch an endpoint on or off (kept in the table either way); unknown keys raise."""
    with write_session(engine) as session:
        if not set_endpoint_enabled(session=session, key=key, enabled=enabled):
            raise EndpointError(f"switch_endpoint: no endpoint {key!r} is registered")
        audit(
            session=session, actor=actor, action="endpoints.switch", detail={"key": key, "enabled": enabled}
        )


def remove_endpoint(engine: Engine, key: str, *, actor: str) -> Removal:
    """Delete an endpoint nothing refers to; one that answers, judged, generated or ran is
    switched off instead (its answers and votes keep their meaning). Unknown keys raise."""
    with write_session(engine) as session:
        if endpoint_in_use(session=session, key=key):
            found = set_endpoint_enabled(session=session, key=key, enabled=False)
            outcome = Removal.DISABLED
        else:
            found = delete_endpoint(session=session, key=key)
            outcome = Removal.DELETED
        if not found:
            raise EndpointError(f"remove_endpoint: no endpoint {key!r} is registered")
        audit(session=session, actor=actor, action=f"endpoints.{outcome.value}", detail={"key": key})
    return outcome


def model_metadata(engine: Engine, keys: list[str] | tuple[str, ...]) -> dict[str, ModelFacts]:
    """What is known about the arena models ``keys`` (display name, organisation, the metadata the
    registry stored), by key; unknown keys are left out."""
    with read_session(engine) as session:
        return model_facts(session=session, keys=list(keys))
