"""The audit trail: who did what and when, written beside every administrative change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.db.models import (
    AuditLog,
)

__all__ = [
    "AuditEntry",
    "audit",
    "recent_audit",
]


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


def recent_audit(*, session: Session, limit: int = 200) -> list[AuditEntry]:
    rows = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)).all()
    return [AuditEntry(r.at, r.actor, r.action, json.loads(r.detail)) for r in rows]


def audit(*, session: Session, actor: str, action: str, detail: dict[str, object] | None = None) -> None:
    session.add(AuditLog(actor=actor, action=action, detail=json.dumps(detail or {}, ensure_ascii=False)))
