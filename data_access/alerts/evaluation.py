"""What the evaluator (system) writes: new alerts, refreshed live ones, cleared ones, reopened recurrences,
and escalations of red alerts left unacknowledged. Which pairs to open, keep or clear is
``scoring.rules.reconcile``; whether a closed alert reopens is decided here, against its closing time.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.alerts.events import record_event
from data_access.alerts.notifications import notify, supervisors_of
from data_access.alerts.statuses import CLEARED_BY_DATA, CLOSED
from data_access.db import changes_nothing_shown, only_within_projects, transaction
from data_access.models import Alert, AlertEvent, Project
from data_access.policy import Action, Viewer, require
from scoring.periods import first_of_month
from scoring.rules import reconcile


@dataclass(frozen=True)
class EvaluationChanges:
    opened: int
    reopened: int
    kept: int
    cleared: int


def _stored_fields(finding: Any) -> dict[str, Any]:
    """The alert columns one finding (a row of ``scoring.rules.evaluate``) sets."""
    return {"severity": finding.severity, "value": None if pd.isna(finding.value) else float(finding.value),
            "threshold": None if pd.isna(finding.threshold) else float(finding.threshold),
            "data_period": None if pd.isna(finding.period) else pd.Timestamp(finding.period).date(),
            "detail": json.dumps(finding.detail, sort_keys=True, ensure_ascii=False, default=str)}


def _persists_after_closing(closed: Alert, data_period: dt.date | None, as_of: dt.date) -> bool:
    """Reopen only on evidence newer than the closing: a later data month, or a later evaluation day."""
    closed_at = closed.closed_at if closed.closed_at.tzinfo else closed.closed_at.replace(tzinfo=dt.UTC)
    if data_period is not None:
        return data_period > first_of_month(closed_at)
    return as_of > closed_at.date()


def _open_or_reopen(session: Session, actor: Viewer, key: tuple[int, int], fields: dict[str, Any], as_of: dt.date,
                    now: dt.datetime) -> str | None:
    """A finding without a live alert: reopen the latest closed one, open a new one, or (when the data
    behind a verified fix has not changed since its closing) leave it closed. Says which it did."""
    closed = session.execute(
        select(Alert).where(Alert.rule_id == key[0], Alert.project_id == key[1], Alert.status == CLOSED)
        .order_by(Alert.closed_at.desc()).limit(1)).scalar_one_or_none()
    if closed is not None and _persists_after_closing(closed, fields["data_period"], as_of):
        closed.status, closed.closed_at, closed.reopen_count = "open", None, closed.reopen_count + 1
        closed.acknowledged_at, closed.escalated_at, closed.opened_at = None, None, now
        for name, value in fields.items():
            setattr(closed, name, value)
        closed.last_evaluated_at, closed.version = now, closed.version + 1
        record_event(session, closed, actor, CLOSED, "condition persists after closing", now)
        project = session.get(Project, closed.project_id)
        notify(session, [project.manager_id, *supervisors_of(session, project)], "alert.reopened", closed, now)
        return "reopened"
    if closed is not None:
        return None
    alert = Alert(rule_id=key[0], project_id=key[1], status="open", opened_at=now, last_evaluated_at=now,
                  reopen_count=0, version=1, **fields)
    session.add(alert)
    session.flush()
    record_event(session, alert, actor, None, None, now)
    project = session.get(Project, alert.project_id)
    recipients = [project.manager_id] + (supervisors_of(session, project) if alert.severity == "red" else [])
    notify(session, recipients, "alert.opened", alert, now)
    return "opened"


def apply_findings(engine: Engine, findings: pd.DataFrame, *, actor: Viewer, rule_ids: Sequence[int],
                   project_ids: Sequence[int] | None, as_of: dt.date, now: dt.datetime | None = None
                   ) -> EvaluationChanges:
    """Store one evaluation: open new alerts, refresh live ones, resolve cleared ones, reopen recurrences.

    Only rules in ``rule_ids`` and (when given) projects in ``project_ids`` are touched, so evaluating the
    projects of one import leaves every other alert as it is. Idempotent: the same findings twice change
    nothing the second time but ``last_evaluated_at``. Only the system actor raises alerts (``RAISE_ALERTS``).
    """
    require(actor, Action.RAISE_ALERTS)
    now = now or dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        live_query = select(Alert).where(Alert.status != CLOSED, Alert.rule_id.in_(list(rule_ids)))
        if project_ids is not None:
            live_query = live_query.where(Alert.project_id.in_(list(project_ids)))
            only_within_projects(session, project_ids)  # these projects' warnings (and their notices) alone
        live = {(a.rule_id, a.project_id): a for a in session.execute(live_query).scalars()}
        plan = reconcile(findings, list(live), rule_ids=rule_ids)
        kept_changed = False
        for finding in plan.to_keep.itertuples(index=False):
            alert = live[int(finding.rule_id), int(finding.project_id)]
            for name, value in _stored_fields(finding).items():
                kept_changed |= getattr(alert, name) != value
                setattr(alert, name, value)
            alert.last_evaluated_at = now
        done = [_open_or_reopen(session, actor, (int(finding.rule_id), int(finding.project_id)),
                                _stored_fields(finding), as_of, now)
                for finding in plan.to_open.itertuples(index=False)]
        cleared = 0
        for pair in plan.to_close.itertuples(index=False):
            alert = live[int(pair.rule_id), int(pair.project_id)]
            if alert.status in CLEARED_BY_DATA:
                before = alert.status
                alert.status, alert.last_evaluated_at, alert.version = "resolved", now, alert.version + 1
                record_event(session, alert, actor, before, "condition cleared in the data", now)
                notify(session, supervisors_of(session, session.get(Project, alert.project_id)), "alert.resolved",
                       alert, now)
                cleared += 1
        if not (kept_changed or any(done) or cleared):
            # Only the time it looked is new: every page still shows the same, so the hourly run and the check
            # after each push leave the cached pages of every replica warm.
            changes_nothing_shown(session)
    return EvaluationChanges(done.count("opened"), done.count("reopened"), len(plan.to_keep), cleared)


def escalate_unacknowledged(engine: Engine, *, actor: Viewer, after_days: float, now: dt.datetime | None = None
                            ) -> int:
    """Escalate red alerts still open after ``after_days`` to the supervisors; each alert once (system only)."""
    require(actor, Action.RAISE_ALERTS)
    now = now or dt.datetime.now(dt.UTC)
    deadline = now - dt.timedelta(days=after_days)
    with transaction(engine) as session:
        due = session.execute(select(Alert).where(Alert.status == "open", Alert.severity == "red",
                                                  Alert.escalated_at.is_(None), Alert.opened_at <= deadline)
                              ).scalars().all()
        if not due:
            changes_nothing_shown(session)
        for alert in due:
            alert.escalated_at, alert.version = now, alert.version + 1
            project = session.get(Project, alert.project_id)
            session.add(AlertEvent(alert_id=alert.id, occurred_at=now, actor_id=actor.person_id, from_status="open",
                                   to_status="open", note=f"escalated after {after_days:g} days unacknowledged"))
            audit.append(session, actor=actor, action="alert.escalated", entity="alert", entity_id=alert.id, now=now)
            notify(session, supervisors_of(session, project), "alert.escalated", alert, now)
        return len(due)
