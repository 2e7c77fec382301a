"""The data version: every committed write transaction moves it on, a rolled-back one leaves it alone; a write
declared within some projects moves on only their regions' versions."""
import datetime as dt
import threading

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from data_access import data_version, reads, transaction, viewer_data_versions, writes
from data_access.auth import check_password, end_sessions, set_language, start_login_session
from data_access.db import only_within_projects, subtree_versions
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.migrate import upgrade
from data_access.models import Observation
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


# -- the versions of a region scope ------------------------------------------------------------------------
SCOPES = ("official_longting", "official_gulou", "leader", "pm_kaifeng1")


def _versions(engine):
    return {name: viewer_data_versions(engine, as_viewer(engine, name)) for name in SCOPES}


def _write_within(engine, project_ids, value=42.0):
    """A figure of each project changed in one transaction declared within those projects."""
    with transaction(engine) as session:
        only_within_projects(session, project_ids)
        for project_id in project_ids:
            session.execute(update(Observation).where(Observation.project_id == project_id)
                            .values(value=Observation.value + value))


def test_a_write_within_a_project_moves_on_its_districts_version_and_no_other_districts(seeded_engine):
    before = _versions(seeded_engine)
    _write_within(seeded_engine, [int(_project(seeded_engine)["id"])])  # a project of 龙亭区
    after = _versions(seeded_engine)
    assert after["official_longting"].scope == before["official_longting"].scope + 1
    assert after["official_gulou"].scope == before["official_gulou"].scope  # another district's pages stay warm
    assert after["leader"].scope == before["leader"].scope + 1  # the city's leader sees every district
    assert after["pm_kaifeng1"].scope == after["pm_kaifeng1"].whole  # a manager's scope is projects, not regions
    assert {versions.whole for versions in after.values()} == {before["leader"].whole + 1}
    assert {versions.base for versions in after.values()} == {before["leader"].base}
    assert data_version(seeded_engine) == before["leader"].whole + 1


def test_a_write_within_projects_of_two_districts_moves_both_on_once(seeded_engine):
    before = _versions(seeded_engine)
    _write_within(seeded_engine, [int(_project(seeded_engine)["id"]),
                                  int(_project(seeded_engine, "official_gulou")["id"])])
    after = _versions(seeded_engine)
    assert [after[name].scope - before[name].scope for name in SCOPES[:3]] == [1, 1, 2]
    assert data_version(seeded_engine) == before["leader"].whole + 2


def test_the_versions_of_many_regions_read_at_once_are_those_their_officials_get(seeded_engine):
    _write_within(seeded_engine, [int(_project(seeded_engine)["id"])])  # 龙亭区 moves on, 鼓楼区 does not
    _write_within(seeded_engine, [int(_project(seeded_engine)["id"])])
    officials = [as_viewer(seeded_engine, name) for name in ("official_longting", "official_gulou")]
    base, versions = subtree_versions(seeded_engine, [official.region_path for official in officials])
    expected = [viewer_data_versions(seeded_engine, official) for official in officials]
    assert base == expected[0].base
    assert list(versions.values()) == [expected[0].scope, expected[1].scope] == [base + 2, base]


def test_a_write_not_declared_within_projects_moves_every_scope_on(seeded_engine):
    before = _versions(seeded_engine)
    _edit_project(seeded_engine)
    after = _versions(seeded_engine)
    assert all(after[name].scope == before[name].scope + 1 and after[name].base == before[name].base + 1
               for name in SCOPES)


def test_a_declared_write_that_fails_moves_no_version_on(seeded_engine):
    before = _versions(seeded_engine)
    with pytest.raises(ZeroDivisionError), transaction(seeded_engine) as session:
        only_within_projects(session, [int(_project(seeded_engine)["id"])])
        1 / 0  # noqa: B018
    assert _versions(seeded_engine) == before


def test_two_writers_in_one_district_at_once_both_commit_and_both_count(seeded_engine):
    """Both find no row for the district yet: the second's insert waits for the first and becomes an update."""
    project_id = int(_project(seeded_engine)["id"])
    before = _versions(seeded_engine)["official_longting"].scope
    ready = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction(seeded_engine) as session:
                only_within_projects(session, [project_id])
                ready.wait(timeout=10)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert _versions(seeded_engine)["official_longting"].scope == before + 2
