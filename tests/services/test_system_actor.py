"""The background evaluator acts as the explicit system actor, never as a user or a borrowed role."""
import datetime as dt

from sqlalchemy import select

from data_access.models import AuditEntry
from data_access.policy import SYSTEM
from services import alerts
from services.alerts import evaluate
from tests.conftest import EVALUATION_DAY

NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def test_the_evaluator_reads_as_the_system_actor():
    assert alerts.SYSTEM is SYSTEM and SYSTEM.role == "system"


def test_the_evaluators_audit_entries_name_system_and_no_user(seeded_engine):
    assert evaluate(seeded_engine, as_of=EVALUATION_DAY, now=NOW).opened > 0
    with seeded_engine.connect() as connection:
        actors = set(connection.execute(select(AuditEntry.actor_id, AuditEntry.actor_name)
                                        .where(AuditEntry.action.like("alert.%"))).all())
    assert actors == {(None, "system")}
