"""The key reads use their intended indexes on PostgreSQL (EXPLAIN of the statements the reads really send).

The set is the province set (devtools/province_set.py) at 1,000 projects × 30 KPIs × 24 months (720,000
observations): large enough that the planner prefers the indexes it would use on the full 54 M rows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from data_access.alerts import LIVE_STATUSES, list_alerts
from data_access.db import create_database_engine
from data_access.migrate import upgrade
from data_access.reads import latest_period, load_indicator_matrix, load_observations
from data_access.scope import Viewer, viewer_for
from devtools.province_set import DISTRICT_OFFICIAL, build
from devtools.query_plans import captured_statements, explain, scans_of

COVERING = "ix_observations_period_project_id_indicator_id_value"  # (period, project_id, indicator_id, value)
PER_PROJECT = "uq_observations_project_id_indicator_id_period"


@pytest.fixture(scope="module")
def province(postgres_server: str) -> Iterator[Engine]:
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE perfdash_plans"))
    admin.dispose()
    engine = create_database_engine(postgres_server.rsplit("/", 1)[0] + "/perfdash_plans")
    upgrade(engine)
    build(engine, projects=1000, months=24)
    yield engine
    engine.dispose()


def viewer(engine: Engine, username: str) -> Viewer:
    with Session(engine) as session:
        return viewer_for(session, username)


def plans(engine: Engine, read: Callable[[], object], table: str) -> list[list[tuple[str, str | None]]]:
    """The scans of ``table`` in the plan of each statement ``read`` sends that reads it."""
    return [scans_of(explain(engine, statement, parameters), table)
            for statement, parameters in captured_statements(engine, read) if f"FROM {table}" in statement
            or f"JOIN {table}" in statement]


def test_latest_period_walks_the_covering_index_from_the_newest_end(province):
    leader = viewer(province, "leader")
    assert plans(province, lambda: latest_period(province, leader), "observations") == [
        [("Index Only Scan", COVERING)]]


@pytest.mark.parametrize("username", ["leader", DISTRICT_OFFICIAL])
def test_the_matrix_reads_one_period_from_the_covering_index(province, username):
    someone = viewer(province, username)
    latest, values = plans(province, lambda: load_indicator_matrix(province, someone), "observations")
    assert latest == [("Index Only Scan", COVERING)]
    # The values: one period's range of the covering index (index-only on the full set; here the leader's read
    # may go through a bitmap of it); never the whole table.
    assert {index for _, index in values} - {None} == {COVERING}
    assert not {node for node, _ in values} & {"Seq Scan", "Parallel Seq Scan"}


def test_one_projects_history_comes_from_the_per_project_key(province):
    official = viewer(province, DISTRICT_OFFICIAL)
    with province.connect() as connection:
        project_id = connection.execute(text(
            "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id WHERE r.path = :path ORDER BY p.id "
            "LIMIT 1"), {"path": official.region_path}).scalar_one()
    found = plans(province, lambda: load_observations(province, official, project_ids=[project_id]), "observations")
    assert len(found) == 1
    assert {index for _, index in found[0]} - {None} == {PER_PROJECT}  # a bitmap heap scan names no index
    assert not {node for node, _ in found[0]} & {"Seq Scan", "Parallel Seq Scan"}


def test_a_regions_open_warnings_are_found_through_its_projects(province):
    official = viewer(province, DISTRICT_OFFICIAL)
    def read() -> object:
        return list_alerts(province, official, statuses=list(LIVE_STATUSES))

    assert plans(province, read, "projects") == [[("Bitmap Heap Scan", None),
                                                  ("Bitmap Index Scan", "ix_projects_region_id_status")]]
    # Here by project from the region's projects; on the full set (9,739 live warnings, 454 of them in the
    # district) the planner hashes the whole small warnings table instead, in 7 ms.
    assert plans(province, read, "alerts") == [[("Index Scan", "ix_alerts_project_id_status")]]

