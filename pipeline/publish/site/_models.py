"""Model cards: what the site says about each rated model.

The database gives the display name, organisation, open weights (``open_source``), the demo's
profiles, the synthetic flag, and the metadata the endpoint registry stored (provider, release
date, parameters, URL, location; ``judging.model_metadata``). A metadata file (``site --models FILE``, YAML, TOML or JSON) adds
or overrides per model key::

    models:
      qingyun-care:
        organisation: 示例实验室 A
        open_weights: false
        release_date: 2026-01-15      # YYYY-MM-DD
        provider: 示例云
        url: https://example.org/qingyun   # http(s) only

The whole file is validated before anything is written; an error names the file, the model and
the field. A URL must be ``http``/``https`` with a host (no ``javascript:``, no spaces).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from judging.errors import ArenaError
from storage.db.models import ArenaModel
from storage.db.session import read_session
from storage.runs.endpoints import ModelFacts, model_facts

__all__ = ["ModelCard", "ModelMetadata", "SiteError", "model_cards", "read_model_metadata"]

_FIELDS = ("organisation", "open_weights", "release_date", "provider", "url")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays text, so a bad one is reported by field."""


_Loader.yaml_implicit_resolvers = {
    first: [(name, regex) for name, regex in resolvers if name != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SiteError(ArenaError, ValueError):
    """The site cannot be built or written as asked (nothing was written)."""


@dataclass(frozen=True)
class ModelMetadata:
    """One model's entry of a metadata file; None: the file does not say."""

    organisation: str | None = None
    open_weights: bool | None = None
    release_date: date | None = None
    provider: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ModelCard:
    key: str
    name: str
    organisation: str
    open_weights: bool | None  # None: unknown
    release_date: date | None
    provider: str
    url: str | None
    synthetic: bool
    profile_zh: str
    profile_en: str
    parameters: str = ""
    location: str = ""


def _where(path: Path, key: str, name: str) -> str:
    return f"{path}: models.{key}.{name}"


def _date(path: Path, key: str, value: Any) -> date:
    if isinstance(value, datetime):
        raise SiteError(f"{_where(path, key, 'release_date')}: must be a date YYYY-MM-DD, got {value!r}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        raise SiteError(f"{_where(path, key, 'release_date')}: must be a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SiteError(f"{_where(path, key, 'release_date')}: no such date {value!r}") from None


def _url(path: Path, key: str, value: Any) -> str:
    where = _where(path, key, "url")
    if not isinstance(value, str) or not value.strip():
        raise SiteError(f"{where}: must be an http:// or https:// URL, got {value!r}")
    text = value.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise SiteError(f"{where}: must not contain spaces or control characters, got {value!r}")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise SiteError(f"{where}: not a URL ({exc}), got {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteError(f"{where}: must be an http:// or https:// URL with a host, got {value!r}")
    return text


def _text(path: Path, key: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SiteError(f"{_where(path, key, name)}: must be a string, got {value!r}")
    return value.strip()


def _entry(path: Path, key: str, raw: Any) -> ModelMetadata:
    if not isinstance(raw, Mapping):
        raise SiteError(f"{path}: models.{key}: must be a mapping of {', '.join(_FIELDS)}, got {raw!r}")
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise SiteError(f"{path}: models.{key}: unknown field(s) {unknown} (expected {', '.join(_FIELDS)})")
    open_weights = raw.get("open_weights")
    if open_weights is not None and not isinstance(open_weights, bool):
        raise SiteError(f"{_where(path, key, 'open_weights')}: must be true or false, got {open_weights!r}")
    return ModelMetadata(
        organisation=None
        if raw.get("organisation") is None
        else _text(path, key, "organisation", raw["organisation"]),
        open_weights=open_weights,
        release_date=None if raw.get("release_date") is None else _date(path, key, raw["release_date"]),
        provider=None if raw.get("provider") is None else _text(path, key, "provider", raw["provider"]),
        url=None if raw.get("url") is None else _url(path, key, raw["url"]),
    )


def read_model_metadata(path: Path) -> dict[str, ModelMetadata]:
    """Read and validate a metadata file (``.yaml``/``.yml``, ``.toml`` or ``.json``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"{path}: cannot read the model metadata file: {exc}") from None
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            data: Any = yaml.load(text, Loader=_Loader)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise SiteError(f"{path}: unknown file type {suffix!r} (expected .yaml, .yml, .toml or .json)")
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise SiteError(f"{path}: not valid {suffix.lstrip('.').upper()}: {exc}") from None
    if not isinstance(data, Mapping) or set(data) != {"models"} or not isinstance(data["models"], Mapping):
        raise SiteError(f"{path}: must hold one mapping 'models' of model key -> fields")
    return {str(key): _entry(path, str(key), raw) for key, raw in data["models"].items()}


def _stored_card(key: str, row: ModelFacts | None, profiles: Mapping[str, tuple[str, str]]) -> ModelCard:
    if row is None:
        return ModelCard(key, key, "", None, None, "", None, False, "", "")
    profile_zh, profile_en = profiles.get(key, ("", ""))
    return ModelCard(
        key=key,
        name=row.display_name,
        organisation=row.organisation,
        # the database's flag defaults to False; only a model registered from an endpoint
        # file (or the metadata file) says so on purpose, so the demo's fiction is "unknown"
        open_weights=None if row.synthetic else row.open_source,
        release_date=date.fromisoformat(row.release_date) if row.release_date else None,
        provider=row.provider,
        url=row.url or None,
        synthetic=row.synthetic,
        profile_zh=profile_zh,
        profile_en=profile_en,
        parameters=row.parameters,
        location=row.location,
    )


def model_cards(
    engine: Engine, keys: tuple[str, ...], metadata: Mapping[str, ModelMetadata] | None = None
) -> tuple[ModelCard, ...]:
    """The cards of the models ``keys`` (in that order): the database's facts, then the file's."""
    with read_session(engine) as session:
        facts = model_facts(session=session, keys=keys)
        profiles = {
            m.key: (m.profile_zh, m.profile_en)
            for m in session.exec(select(ArenaModel).where(col(ArenaModel.key).in_(keys))).all()
        }
    cards = []
    for key in keys:
        card = _stored_card(key, facts.get(key), profiles)
        extra = (metadata or {}).get(key)
        if extra is not None:
            card = replace(
                card,
                organisation=card.organisation if extra.organisation is None else extra.organisation,
                open_weights=card.open_weights if extra.open_weights is None else extra.open_weights,
                release_date=card.release_date if extra.release_date is None else extra.release_date,
                provider=card.provider if extra.provider is None else extra.provider,
                url=card.url if extra.url is None else extra.url,
            )
        cards.append(card)
    return tuple(cards)
