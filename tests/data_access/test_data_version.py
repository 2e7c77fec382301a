"""The data version: every committed write transaction moves it on by one, a rolled-back one leaves it alone."""
import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from data_access import data_version, reads, transaction, writes
from data_access.auth import check_password, end_sessions, set_language, start_login_session
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.migrate import upgrade
from data_access.scope import require_project_in_scope
from data_access.users import reset_password
from services.alerts import evaluate
from tests.conftest import EVALUATION_DAY, as_viewer


def _project(engine, username="official_longting"):
    return reads.list_projects(engine, as_viewer(engine, username)).iloc[0]


def test_a_new_database_starts_at_version_zero(empty_engine):
    upgrade(empty_engine)
    assert data_version(empty_engine) == 0


def test_loading_the_demo_data_is_one_write(seeded_engine):
    assert data_version(seeded_engine) == 1


def _edit_project(engine):
    official = as_viewer(engine, "official_longting")
    project = _project(engine)
    writes.update_project(engine, official, int(project["id"]), int(project["version"]), {"status": "suspended"})


def _report_progress(engine):
    writes.record_report(engine, as_viewer(engine, "official_longting"), project_id=int(_project(engine)["id"]),
                         period=dt.date(2026, 11, 1), values={"PROG_ACTUAL": 40.0, "SPEND_CUM": 120.0})


def _reset_a_password(engine):
    manager = as_viewer(engine, "pm_kaifeng1")
    reset_password(engine, as_viewer(engine, "admin"), manager.user_id, "Another@2026pass")


@pytest.mark.parametrize("command", [_edit_project, _report_progress, _reset_a_password])
def test_a_write_through_a_command_moves_the_version_on_by_one(seeded_engine, command):
    before = data_version(seeded_engine)
    command(seeded_engine)
    assert data_version(seeded_engine) == before + 1


def test_the_scheduled_evaluation_moves_the_version_on(seeded_engine):
    before = data_version(seeded_engine)
    changes = evaluate(seeded_engine, as_of=EVALUATION_DAY)
    assert changes.opened > 0
    assert data_version(seeded_engine) > before


def test_a_refused_write_leaves_the_version_alone(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project = _project(seeded_engine)
    project_id, version = int(project["id"]), int(project["version"])
    writes.update_project(seeded_engine, admin, project_id, version, {"name_zh": "第一位编辑"})
    after_the_first = data_version(seeded_engine)
    with pytest.raises(VersionConflict):  # the stale version: the transaction rolls back
        writes.update_project(seeded_engine, admin, project_id, version, {"name_zh": "第二位编辑"})
    with pytest.raises(ValidationError):
        writes.record_report(seeded_engine, admin, project_id=project_id, period=dt.date(2026, 11, 1),
                             values={"PROG_ACTUAL": 140.0})
    assert data_version(seeded_engine) == after_the_first


def test_a_transaction_that_fails_after_writing_is_undone_with_its_version(seeded_engine):
    before = data_version(seeded_engine)
    with pytest.raises(RuntimeError), transaction(seeded_engine) as session:
        session.execute(text("UPDATE projects SET name_zh = '改了又撤回'"))
        raise RuntimeError("after the write")
    assert data_version(seeded_engine) == before
    assert _project(seeded_engine, "leader")["name_zh"] != "改了又撤回"


def test_account_activity_is_audited_but_leaves_the_version_alone(seeded_engine):
    """A login must not empty every user's cache: logins, logouts, the language and refusals change no page's
    data (the users and audit pages follow the audit chain head instead)."""
    before = data_version(seeded_engine)
    head = _audit_head(seeded_engine)
    leader = as_viewer(seeded_engine, "leader")
    assert check_password(seeded_engine, "leader", "Demo@2026")
    assert not check_password(seeded_engine, "leader", "wrong password")
    start_login_session(seeded_engine, leader, 1.9e9)
    set_language(seeded_engine, leader, "en")
    end_sessions(seeded_engine, leader)
    foreign = int(_project(seeded_engine, "official_gulou")["id"])
    with pytest.raises(PermissionDenied), Session(seeded_engine) as session:
        require_project_in_scope(session, as_viewer(seeded_engine, "official_longting"), foreign)
    assert data_version(seeded_engine) == before
    assert _audit_head(seeded_engine) == head + 5  # login, failure, language, logout, refusal


def _audit_head(engine):
    with engine.connect() as connection:
        return connection.execute(text("SELECT last_entry_id FROM audit_chain_head")).scalar_one()
