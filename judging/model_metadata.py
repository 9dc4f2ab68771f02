"""What is known about a model beside its endpoint: provider, release date, parameters, a page
about it, where its maker is based — and the names LiveSecBench's model configuration uses for
the same facts.

A registry record (``cli.py endpoints import``) may carry these fields; LiveSecBench's names are
accepted as aliases:

=====================  ==================  ================================================
ours                   LiveSecBench        value
=====================  ==================  ================================================
``provider``           ``provider``        who serves the model (text)
``release_date``       ``publish_time``    ``YYYY-MM-DD`` (``YYYY/MM/DD`` as LiveSecBench
                                           writes it is read too); stored as ``YYYY-MM-DD``
``parameters``         —                   free text, e.g. ``72B`` (a number is kept as text)
``url``                ``model_detail_url`` an ``http://`` or ``https://`` URL with a host
``location``           ``location``        where the maker is based (text)
``enabled``            ``enabled``         true or false
``organisation``       ``organization``    the maker
``display_name``       ``model_name``      the name shown
``open_source``        ``open_weights``,   true or false
                       ``open_source``
``reasoning``          ``is_reasoning``    true or false
=====================  ==================  ================================================

LiveSecBench's ``calling_method``, ``image_text_input``, ``use_structured_content`` and
``api_config`` have no counterpart here and are refused by name, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CONFIG_ALIASES",
    "METADATA_FIELDS",
    "UNSUPPORTED_FIELDS",
    "MetadataError",
    "ModelMetadata",
    "check_release_date",
    "check_url",
    "split_metadata",
]

# alias -> our name, for fields the endpoint configuration itself holds
CONFIG_ALIASES: Mapping[str, str] = {
    "organization": "organisation",
    "model_name": "display_name",
    "open_weights": "open_source",
    "is_reasoning": "reasoning",
}
# alias -> our name, for the metadata fields
_METADATA_ALIASES: Mapping[str, str] = {"publish_time": "release_date", "model_detail_url": "url"}
METADATA_FIELDS = ("provider", "release_date", "parameters", "url", "location", "enabled")
UNSUPPORTED_FIELDS: Mapping[str, str] = {
    "calling_method": "every endpoint here is called through its OpenAI-compatible API",
    "image_text_input": "the arena is text-only",
    "use_structured_content": "messages are sent as plain text",
    "api_config": "give base_url, model and api_key_env at the top level of the record",
}
_DATE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})$")


class MetadataError(ValueError):
    """A metadata field is invalid; ``field`` names it as the file spelt it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ModelMetadata:
    """Validated metadata; ``""`` means not given (``enabled`` None: not given)."""

    provider: str = ""
    release_date: str = ""  # YYYY-MM-DD or ""
    parameters: str = ""
    url: str = ""
    location: str = ""
    enabled: bool | None = None


def check_release_date(value: Any) -> str:
    """``YYYY-MM-DD`` of a date, or of text written ``YYYY-MM-DD`` / ``YYYY/MM/DD``; raises
    ValueError naming the bad value."""
    if isinstance(value, datetime):
        raise ValueError(f"must be a date YYYY-MM-DD without a time, got {value!r}")
    if isinstance(value, date):
        return value.isoformat()
    if value == "":
        return ""
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"must be a date YYYY-MM-DD, got {value!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        raise ValueError(f"no such date {value!r}") from None


def check_url(value: Any) -> str:
    """An ``http``/``https`` URL with a host, without spaces or control characters; raises
    ValueError naming the bad value (``javascript:`` and friends never reach a page)."""
    if value == "":
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
    text = value.strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError(f"must not contain spaces or control characters, got {value!r}")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ValueError(f"not a URL ({exc}), got {value!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host, got {value!r}")
    return text


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"must be text, got {value!r}")
    return str(value).strip()


def _checked(name: str, value: Any) -> str | bool:
    if name == "release_date":
        return check_release_date(value)
    if name == "url":
        return check_url(value)
    if name == "enabled":
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {value!r}")
        return value
    if name in ("provider", "location") and not isinstance(value, str):
        raise ValueError(f"must be text, got {value!r}")
    return _text(value)


def _renamed(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The record with every alias under our name, and our name -> the name the file used."""
    out: dict[str, Any] = {}
    spelt: dict[str, str] = {}
    for name, value in record.items():
        if name in UNSUPPORTED_FIELDS:
            raise MetadataError(
                name, f"LiveSecBench's {name!r} has no counterpart here ({UNSUPPORTED_FIELDS[name]})"
            )
        ours = CONFIG_ALIASES.get(name) or _METADATA_ALIASES.get(name) or name
        if ours in out:
            raise MetadataError(name, f"given twice, as {spelt[ours]!r} and as {name!r}")
        out[ours] = value
        spelt[ours] = name
    return out, spelt


def split_metadata(record: Mapping[str, Any]) -> tuple[dict[str, Any], ModelMetadata]:
    """Split one registry record into the endpoint configuration's fields (aliases renamed, not
    yet checked) and its validated metadata. Raises ``MetadataError`` naming the field."""
    renamed, spelt = _renamed(record)
    values: dict[str, Any] = {}
    for name in METADATA_FIELDS:
        if name in renamed and renamed[name] is not None:
            try:
                values[name] = _checked(name, renamed.pop(name))
            except ValueError as exc:
                raise MetadataError(spelt[name], str(exc)) from None
        renamed.pop(name, None)
    return renamed, ModelMetadata(**values)
