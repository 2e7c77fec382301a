"""The latest-period matrix, read row by row on SQLite and through COPY on PostgreSQL: the same cells on both."""
import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import Date, Float, Integer, String, cast, column, insert, literal, select, values

from data_access import reads
from data_access.models import Indicator, Observation, Project, Region
from tests.conftest import as_viewer

NEXT_MONTH = dt.date(2026, 12, 1)  # after the demo's last month: only the values below are in it


def _add_month(engine):
    """Two projects report in NEXT_MONTH: a 龙亭区 one (two KPIs and a tracking series) and a 鼓楼区 one (one KPI)."""
    with engine.begin() as connection:
        ids = dict(connection.execute(select(Indicator.code, Indicator.id)).all())
        longting, gulou = (connection.execute(
            select(Project.id).join(Region, Region.id == Project.region_id).where(Region.code == code)
            .order_by(Project.id).limit(1)).scalar_one() for code in ("410202", "410204"))
        rows = [(longting, "PROG_RATIO", 87.125), (longting, "RESIDENT_SAT", 91.5), (longting, "PROG_ACTUAL", 42.0),
                (gulou, "PROG_RATIO", 101.25)]
        connection.execute(insert(Observation), [
            {"project_id": project, "indicator_id": ids[code], "period": NEXT_MONTH, "value": value,
             "source": "manual", "entered_at": dt.datetime(2026, 12, 5, tzinfo=dt.UTC)}
            for project, code, value in rows])
    return longting, gulou


def test_each_value_lands_in_its_cell_and_the_rest_are_missing(seeded_engine):
    longting, gulou = _add_month(seeded_engine)
    matrix = reads.load_indicator_matrix(seeded_engine, as_viewer(seeded_engine, "leader"))
    assert matrix.attrs["period"] == NEXT_MONTH
    assert list(matrix.index) == sorted([longting, gulou]) and matrix.index.name == "project_id"
    assert matrix.columns[0] == "PROG_RATIO" and "PROG_ACTUAL" not in matrix.columns  # scored KPIs only
    assert matrix.loc[longting, "PROG_RATIO"] == 87.125 and matrix.loc[longting, "RESIDENT_SAT"] == 91.5
    assert matrix.loc[gulou, "PROG_RATIO"] == 101.25
    assert int(matrix.notna().sum().sum()) == 3
    assert math.isnan(matrix.loc[gulou, "RESIDENT_SAT"])


def test_the_official_gets_only_the_row_of_their_district_and_the_tracking_series_on_request(seeded_engine):
    longting, _ = _add_month(seeded_engine)
    official = as_viewer(seeded_engine, "official_longting")
    matrix = reads.load_indicator_matrix(seeded_engine, official, scored_only=False)
    assert list(matrix.index) == [longting]
    assert matrix.loc[longting, "PROG_ACTUAL"] == 42.0 and matrix.loc[longting, "PROG_RATIO"] == 87.125


def test_a_period_without_values_gives_an_empty_matrix_with_every_kpi(seeded_engine):
    matrix = reads.load_indicator_matrix(seeded_engine, as_viewer(seeded_engine, "leader"), period=dt.date(2001, 1, 1))
    assert matrix.empty and matrix.attrs["period"] == dt.date(2001, 1, 1)
    assert "PROG_RATIO" in matrix.columns


def test_only_the_kpis_asked_for_and_only_the_projects_that_report_them(seeded_engine):
    longting, gulou = _add_month(seeded_engine)
    leader = as_viewer(seeded_engine, "leader")
    tracking = reads.load_indicator_matrix(seeded_engine, leader, scored_only=False,
                                           indicator_codes=["PROG_ACTUAL", "PROG_PLAN"])
    assert sorted(tracking.columns) == ["PROG_ACTUAL", "PROG_PLAN"]
    assert list(tracking.index) == [longting]  # the 鼓楼区 project reported no tracking series
    assert tracking.loc[longting, "PROG_ACTUAL"] == 42.0 and math.isnan(tracking.loc[longting, "PROG_PLAN"])
    scored = reads.load_indicator_matrix(seeded_engine, leader, indicator_codes=["PROG_RATIO", "PROG_ACTUAL"])
    assert list(scored.columns) == ["PROG_RATIO"] and list(scored.index) == sorted([longting, gulou])


def test_several_months_in_one_read_hold_each_months_matrix_within_scope(seeded_engine):
    longting, gulou = _add_month(seeded_engine)
    months = [dt.date(2026, 11, 1), NEXT_MONTH]
    for user in ("leader", "official_longting"):
        viewer = as_viewer(seeded_engine, user)
        panel = reads.load_indicator_months(seeded_engine, viewer, months)
        assert list(panel.index.names) == ["period", "project_id"]
        assert sorted(set(panel.index.get_level_values("period"))) == months
        for period in months:
            alone = reads.load_indicator_matrix(seeded_engine, viewer, period=period)
            month = panel.xs(period, level="period")
            assert list(month.index) == list(alone.index) and list(month.columns) == list(alone.columns)
            assert month.equals(alone.rename_axis(index="project_id"))
    official = reads.load_indicator_months(seeded_engine, as_viewer(seeded_engine, "official_longting"), months)
    assert (NEXT_MONTH, longting) in official.index and (NEXT_MONTH, gulou) not in official.index
    assert official.loc[(NEXT_MONTH, longting), "PROG_RATIO"] == 87.125


ON_POSTGRESQL = pytest.mark.parametrize("db_backend", ["postgresql"])
EXACT = [0.1 + 0.2, 1e-300, -0.0, 1.7976931348623157e308, -123456.789012345, 5e-324]


def _numbers(rows):
    """A SELECT of hand-made rows (an id, a month, a value) — the kinds of columns the matrix reads. The values go
    in as text cast to float8: a float parameter would arrive as a NUMERIC literal, which has no -0.0."""
    table = values(column("id", Integer), column("month", Date), column("value", String), name="numbers").data(
        [(number, month, None if value is None else repr(value)) for number, month, value in rows])
    return select(table.c.id, table.c.month, cast(table.c.value, Float).label("value")).order_by(table.c.id)


@ON_POSTGRESQL
def test_numbers_come_through_the_binary_copy_bit_for_bit(empty_engine):
    rows = [(position + 1, dt.date(1999 + position, 12 - position, 31 - position), value)
            for position, value in enumerate(EXACT)] + [(2**31 - 1, dt.date(2000, 1, 1), float("nan"))]
    frame = reads._copy_numbers(empty_engine, _numbers(rows))
    assert list(frame.columns) == ["id", "month", "value"]
    assert frame["id"].tolist() == [row[0] for row in rows] and frame["id"].dtype == np.int32
    assert [day.date() for day in frame["month"]] == [row[1] for row in rows]
    assert [value.hex() for value in frame["value"][:-1]] == [value.hex() for value in EXACT]  # -0.0 and all
    assert math.isnan(frame["value"].iloc[-1])


@ON_POSTGRESQL
def test_a_null_is_refused_rather_than_misread_and_no_rows_give_the_columns(empty_engine):
    with pytest.raises(ValueError, match="NULL"):
        reads._copy_numbers(empty_engine, _numbers([(1, dt.date(2026, 1, 1), 1.5), (2, dt.date(2026, 2, 1), None)]))
    empty = reads._copy_numbers(empty_engine, _numbers([(1, dt.date(2026, 1, 1), 1.5)]).where(column("id") > 1))
    assert empty.empty and list(empty.columns) == ["id", "month", "value"]


@ON_POSTGRESQL
def test_a_column_of_another_server_type_is_refused_rather_than_misread(empty_engine):
    numeric = select(literal(0.5, Float).label("value"))  # sent as the literal 0.5: NUMERIC, 8 bytes in binary too
    with pytest.raises(TypeError, match=r"expected the server types \[701\], not \[1700\]"):
        reads._copy_numbers(empty_engine, numeric)
