"""The settings an admin changes in the app (key → JSON value), with who changed them last."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from storage.db.models import (
    AppSetting,
    utcnow,
)

__all__ = [
    "get_setting",
    "set_setting",
]


def get_setting(*, session: Session, key: str) -> Any | None:
    row = session.get(AppSetting, key)
    return json.loads(row.value) if row is not None else None


def set_setting(*, session: Session, key: str, value: Any, updated_by: str) -> None:
    row = session.get(AppSetting, key)
    encoded = json.dumps(value, ensure_ascii=False)
    if row is None:
        session.add(AppSetting(key=key, value=encoded, updated_by=updated_by))
    else:
        row.value = encoded
        row.updated_by = updated_by
        row.updated_at = utcnow()
        session.add(row)
