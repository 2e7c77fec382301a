"""An alert's history: every status change is an event and an audit entry, in the caller's transaction."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from data_access import audit
from data_access.models import Alert, AlertEvent
from data_access.scope import Viewer


def record_event(session: Session, alert: Alert, actor: Viewer, before: str | None, note: str | None,
                 now: dt.datetime) -> None:
    """Record that ``alert`` moved from ``before`` to its current status (the system actor names no user)."""
    session.add(AlertEvent(alert_id=alert.id, occurred_at=now, actor_id=actor.person_id,
                           from_status=before, to_status=alert.status, note=note))
    audit.append(session, actor=actor, action=f"alert.{alert.status}", entity="alert", entity_id=alert.id,
                 before=None if before is None else {"status": before}, after={"status": alert.status, "note": note},
                 now=now)
