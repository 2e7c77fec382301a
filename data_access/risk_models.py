"""Trained risk models in the database (表 risk_models), so every replica predicts with the same one.

Training is a write like any other: role checked (:data:`~data_access.policy.Action.TRAIN_RISK`), every
target's row inserted in one transaction with one audit entry each. Reading the newest row per target needs
no scope: a model holds no project's data, and what it predicts is computed from the viewer's scoped facts.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from data_access import audit
from data_access.audit import canonical_json
from data_access.db import transaction
from data_access.models import RiskModel
from data_access.policy import Action, Viewer, require


@dataclass(frozen=True)
class Training:
    """One target's result of a training run, as the service hands it over to be kept."""

    target: str
    status: str
    metrics: dict[str, Any]
    features: list[str]
    settings: dict[str, Any]
    model: bytes | None


@dataclass(frozen=True)
class StoredModel:
    """A kept training: what the app shows (status, metrics, age) and the model bytes when ready."""

    id: int
    target: str
    status: str
    trained_at: dt.datetime
    data_version: int
    metrics: dict[str, Any]
    features: list[str]
    settings: dict[str, Any]
    model: bytes | None
    trained_by: int | None


def save_trainings(engine: Engine, actor: Viewer, trainings: Sequence[Training], *, read_version: int,
                   now: dt.datetime | None = None) -> list[int]:
    """Keep every target's training in one transaction, audited (``risk_model.train``); returns the row ids.
    ``read_version``: the data version the training read (:func:`data_access.db.data_version` before reading)."""
    require(actor, Action.TRAIN_RISK)
    now = now or dt.datetime.now(dt.UTC)
    ids = []
    with transaction(engine) as session:
        for training in trainings:
            row = RiskModel(target=training.target, status=training.status, trained_at=now,
                            data_version=read_version, metrics=canonical_json(training.metrics),
                            features=canonical_json(training.features), settings=canonical_json(training.settings),
                            model=training.model, trained_by=actor.person_id)
            session.add(row)
            session.flush()
            ids.append(row.id)
            audit.append(session, actor=actor, action="risk_model.train", entity="risk_model", entity_id=row.id,
                         after={"target": training.target, "status": training.status,
                                "data_version": read_version, "bytes": len(training.model or b"")}, now=now)
    return ids


def latest_models(engine: Engine) -> dict[str, StoredModel]:
    """Each target's newest training (the last one kept), whatever its status."""
    newest = select(func.max(RiskModel.id)).group_by(RiskModel.target)
    with engine.connect() as connection:
        rows = connection.execute(select(RiskModel.__table__).where(RiskModel.id.in_(newest))).all()
    return {row.target: StoredModel(
        id=row.id, target=row.target, status=row.status, trained_at=_utc(row.trained_at),
        data_version=row.data_version, metrics=json.loads(row.metrics), features=json.loads(row.features),
        settings=json.loads(row.settings), model=row.model, trained_by=row.trained_by) for row in rows}


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
