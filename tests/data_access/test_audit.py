"""The audit chain detects edits, deletions, insertions and reordering, and never forks under concurrency."""
import threading

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from data_access import audit
from data_access.db import transaction
from data_access.models import AuditEntry
from tests.conftest import as_viewer


def _write_entries(engine, count):
    actor = as_viewer(engine, "admin")
    for k in range(count):
        with transaction(engine) as session:
            audit.append(session, actor=actor, action="test.write", entity="thing", entity_id=k, after={"k": k})


def _tamper(engine, statement):
    """Run a statement that PostgreSQL's append-only trigger would refuse, with the trigger off."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        connection.execute(statement)
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


def test_untouched_chain_verifies(seeded_engine):
    _write_entries(seeded_engine, 5)
    verdict = audit.verify_chain(seeded_engine)
    assert verdict.ok and verdict.checked == 5
    assert audit.chain_head(seeded_engine)[0] == 5


def test_edited_entry_is_found(seeded_engine):
    _write_entries(seeded_engine, 5)
    _tamper(seeded_engine, update(AuditEntry).where(AuditEntry.id == 3).values(after='{"k":99}'))
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.first_bad_id) == (False, 3)
    assert "changed" in verdict.reason


def test_deleted_entry_is_found(seeded_engine):
    _write_entries(seeded_engine, 5)
    _tamper(seeded_engine, text("DELETE FROM audit_log WHERE id = 2"))
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.first_bad_id) == (False, 3)


def test_deleted_last_entry_is_found(seeded_engine):
    _write_entries(seeded_engine, 4)
    _tamper(seeded_engine, text("DELETE FROM audit_log WHERE id = 4"))
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.first_bad_id) == (False, 4)


def test_swapped_entries_are_found(seeded_engine):
    _write_entries(seeded_engine, 5)
    _tamper(seeded_engine, text("UPDATE audit_log SET id = -1 WHERE id = 2"))
    _tamper(seeded_engine, text("UPDATE audit_log SET id = 2 WHERE id = 3"))
    _tamper(seeded_engine, text("UPDATE audit_log SET id = 3 WHERE id = -1"))
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.first_bad_id) == (False, 2)


def test_rehashed_forgery_without_the_key_is_found(seeded_engine):
    _write_entries(seeded_engine, 3)
    with seeded_engine.connect() as connection:
        entry = connection.execute(select(AuditEntry).where(AuditEntry.id == 3)).one()
    forged = dict(entry._mapping) | {"after": '{"k":42}'}
    fields = {k: forged[k] for k in ("id", "actor_id", "actor_name", "action", "entity", "entity_id", "before",
                                     "after")} | {"occurred_at": audit.utc_text(forged["occurred_at"])}
    new_hash = audit.entry_digest(fields, entry.prev_hash)
    _tamper(seeded_engine, update(AuditEntry).where(AuditEntry.id == 3).values(after='{"k":42}', entry_hash=new_hash))
    _tamper(seeded_engine, text(f"UPDATE audit_chain_head SET last_hash = '{new_hash}'"))
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.first_bad_id) == (False, 3)
    assert "signature" in verdict.reason


@pytest.mark.parametrize("db_backend", ["postgresql"])  # the append-only trigger is PostgreSQL's
def test_postgresql_refuses_update_and_delete_of_audit_entries(seeded_engine):
    _write_entries(seeded_engine, 1)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), seeded_engine.begin() as connection:
            connection.execute(text(statement))


def test_concurrent_writers_keep_the_chain_linear(seeded_engine):
    errors = []

    def worker():
        try:
            _write_entries(seeded_engine, 10)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = audit.verify_chain(seeded_engine)
    assert verdict.ok and verdict.checked == 40
