"""The audit chain detects edits, deletions, insertions and reordering, and never forks under concurrency."""
import datetime as dt
import json
import logging
import threading

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from data_access import anchors, audit
from data_access.anchors.__main__ import main as anchor_command
from data_access.db import transaction
from data_access.errors import ConfigurationError
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
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = audit.verify_chain(seeded_engine)
    assert verdict.ok and verdict.checked == 40


@pytest.fixture
def anchor_dir(tmp_path, monkeypatch):
    """Anchors in a private directory, written only on demand unless a test asks for more."""
    folder = tmp_path / "anchors"
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_DIR", str(folder))
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_EVERY", "0")
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_MINUTES", "0")
    anchors._last_anchor.clear()
    return folder


def _anchor_lines(engine):
    return [json.loads(line) for line in anchors.anchor_path(engine).read_text().splitlines()]


def _truncate_to(engine, last_id):
    """What someone with database access does to hide the newest entries: delete them, rewrite the head row."""
    _tamper(engine, text(f"DELETE FROM audit_log WHERE id > {last_id}"))
    with engine.connect() as connection:
        last_hash = connection.execute(select(AuditEntry.entry_hash).where(AuditEntry.id == last_id)).scalar_one()
    _tamper(engine, text(f"UPDATE audit_chain_head SET last_entry_id = {last_id}, last_hash = '{last_hash}'"))


@pytest.mark.usefixtures("anchor_dir")
def test_truncating_the_tail_and_rewriting_the_head_passes_the_chain_but_the_anchor_reports_it(
        seeded_engine):
    _write_entries(seeded_engine, 5)
    audit.anchor_head(seeded_engine)
    _write_entries(seeded_engine, 2)
    _truncate_to(seeded_engine, 3)
    verdict = audit.verify_chain(seeded_engine)
    name = f"{anchors.anchor_path(seeded_engine).name} line 1"
    assert (verdict.ok, verdict.checked, verdict.first_bad_id, verdict.anchor) == (False, 3, 4, name)
    assert verdict.reason.startswith(f"anchor {name} of ")
    assert verdict.reason.endswith("names entry 5, but the log ends at entry 3: entries were removed")


@pytest.mark.usefixtures("anchor_dir")
def test_an_anchored_entry_replaced_after_truncation_is_reported(seeded_engine):
    _write_entries(seeded_engine, 3)
    audit.anchor_head(seeded_engine)
    _truncate_to(seeded_engine, 2)
    _write_entries(seeded_engine, 2)  # the app carries on: entries 3 and 4 are new, validly signed
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.first_bad_id) == (False, 3)
    assert verdict.reason.endswith("entry 3 is not the entry that was anchored")


@pytest.mark.usefixtures("anchor_dir")
def test_a_forged_anchor_line_is_reported(seeded_engine):
    _write_entries(seeded_engine, 2)
    audit.anchor_head(seeded_engine)
    head_id, head_hash = audit.chain_head(seeded_engine)
    with anchors.anchor_path(seeded_engine).open("a") as handle:
        handle.write(json.dumps({"entry_id": head_id, "entry_hash": head_hash,
                                 "anchored_at": "2026-11-29T10:00:00.000000Z", "hmac": "0" * 64}) + "\n")
    verdict = audit.verify_chain(seeded_engine)
    name = f"{anchors.anchor_path(seeded_engine).name} line 2"
    assert (verdict.ok, verdict.anchor, verdict.anchors_checked) == (False, name, 1)
    assert verdict.reason == f"anchor {name} is not signed with the audit key (forged or damaged)"


@pytest.mark.usefixtures("anchor_dir")
def test_an_intact_chain_passes_every_anchor_written_every_n_entries(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_EVERY", "3")
    _write_entries(seeded_engine, 7)
    assert [line["entry_id"] for line in _anchor_lines(seeded_engine)] == [3, 6]
    audit.anchor_head(seeded_engine)
    verdict = audit.verify_chain(seeded_engine)
    assert (verdict.ok, verdict.checked, verdict.anchors_checked) == (True, 7, 3)


@pytest.mark.usefixtures("anchor_dir")
def test_an_anchor_is_written_when_the_last_one_is_older_than_the_configured_minutes(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_MINUTES", "60")
    _write_entries(seeded_engine, 3)  # the first entry is anchored (no anchor yet), the next two are not due
    assert [line["entry_id"] for line in _anchor_lines(seeded_engine)] == [1]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)
    anchors.anchor_if_due(seeded_engine, *audit.chain_head(seeded_engine), now=later)
    assert [line["entry_id"] for line in _anchor_lines(seeded_engine)] == [1, 3]


@pytest.mark.usefixtures("anchor_dir")
def test_a_rolled_back_entry_is_never_anchored(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_EVERY", "1")
    actor = as_viewer(seeded_engine, "admin")
    with pytest.raises(RuntimeError), transaction(seeded_engine) as session:
        audit.append(session, actor=actor, action="test.write", entity="thing")
        raise RuntimeError("the user's write failed")
    assert not anchors.anchor_path(seeded_engine).exists()
    _write_entries(seeded_engine, 1)
    assert [line["entry_id"] for line in _anchor_lines(seeded_engine)] == [1]


def test_an_anchor_that_cannot_be_written_never_breaks_the_users_write(seeded_engine, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_DIR", str(blocker))
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_EVERY", "1")
    with caplog.at_level(logging.ERROR, logger="perfdash.audit.anchors"):
        _write_entries(seeded_engine, 2)
    assert audit.chain_head(seeded_engine)[0] == 2
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("Could not")] == [
        "Could not write the audit anchor for entry 1", "Could not write the audit anchor for entry 2"]
    with pytest.raises(ConfigurationError, match="Cannot write the audit anchor"):
        audit.anchor_head(seeded_engine)


@pytest.mark.usefixtures("anchor_dir")
def test_the_anchor_command_writes_and_verifies(seeded_engine, monkeypatch, capsys):
    monkeypatch.setenv("PERFDASH_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False))
    _write_entries(seeded_engine, 2)
    assert anchor_command(["write"]) == 0
    assert anchor_command(["verify"]) == 0
    assert "audit chain intact: 2 entries, 1 anchors" in capsys.readouterr().out
    _truncate_to(seeded_engine, 1)
    assert anchor_command(["verify"]) == 1
    assert "audit chain broken at entry 2: anchor " in capsys.readouterr().err


@pytest.mark.usefixtures("anchor_dir")
def test_an_entry_committed_by_a_session_bound_to_a_connection_is_anchored_too(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_EVERY", "1")
    actor = as_viewer(seeded_engine, "admin")
    with seeded_engine.connect() as connection, Session(connection) as session:
        audit.append(session, actor=actor, action="test.write", entity="thing")
        session.commit()
        connection.commit()
    assert [line["entry_id"] for line in _anchor_lines(seeded_engine)] == [1]
