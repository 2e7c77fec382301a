"""Scoped reads: every function takes the viewer and returns a pandas DataFrame (or one record).

Scope is part of each statement's WHERE clause (see :mod:`data_access.scope`), so filtering by an id the
viewer may not see returns nothing; asking for one object by id raises :class:`PermissionDenied`.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from psycopg import ClientCursor
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Engine,
    Float,
    Integer,
    Select,
    SmallInteger,
    case,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from data_access.models import (
    Category,
    Department,
    Indicator,
    Milestone,
    Observation,
    Project,
    ProjectTarget,
    Rating,
    RatingRound,
    Region,
    User,
    WeightScheme,
    WeightSchemeItem,
)
from data_access.scope import (
    Viewer,
    refusal,
    region_subtree_clause,
    require_project_in_scope,
    scoped_projects,
)


def _frame(engine: Engine, statement: Select, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Run ``statement`` and return its rows as a DataFrame (column names from the statement)."""
    with engine.connect() as connection:
        result = connection.execute(statement)
        names = list(columns) if columns is not None else list(result.keys())
        rows = result.fetchall()
    if not rows:  # an empty list would make every column float64, and "code + ' ' + name" would then fail
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names}, columns=names)
    # Column-wise construction: building a frame from 150k Row objects is ~6× slower than from columns.
    return pd.DataFrame(dict(zip(names, map(list, zip(*rows, strict=False)), strict=False)), columns=names)


def _copy_out(engine: Engine, statement: Select, form: str, server_types: Sequence[int] | None = None) -> bytes:
    """``COPY (statement) TO STDOUT (FORMAT form)`` on PostgreSQL: the rows as one block of bytes.

    ``server_types``: the type (OID) each column must have on the server, checked before the copy (a binary COPY
    names no type, and a NUMERIC read as a float would be a wrong number, not an error)."""
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    buffer = io.BytesIO()
    with engine.connect() as connection:
        driver_connection = connection.connection.driver_connection
        # COPY takes no parameters: bound here, as ``copy()`` would, so the check describes the same query.
        query = ClientCursor(driver_connection).mogrify(compiled.string, compiled.params)
        cursor = driver_connection.cursor()
        # Compiling a read this size costs ~0.3 s of JIT for nothing it gains back (measured on the province set).
        cursor.execute("SET LOCAL jit = off")
        if server_types is not None:
            cursor.execute(f"SELECT * FROM ({query}) AS described LIMIT 0")
            found = [column.type_code for column in cursor.description or ()]
            if found != list(server_types):
                raise TypeError(f"a binary COPY read expected the server types {list(server_types)}, not {found}")
        with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT {form})") as copy:
            for block in copy:
                buffer.write(block)
    return buffer.getvalue()


def _copy_frame(engine: Engine, statement: Select) -> pd.DataFrame:
    """:func:`_frame` for large reads of numbers: on PostgreSQL the rows come through ``COPY (…) TO STDOUT`` as
    CSV, which pandas' C reader turns into columns (a Row object per row costs a few µs: seconds for the 1.3 M
    latest values a province's leader sees); elsewhere :func:`_frame`. Empty fields read as NaN."""
    if engine.dialect.name != "postgresql":
        return _frame(engine, statement)
    names = list(statement.selected_columns.keys())
    data = _copy_out(engine, statement, "csv")
    if not data:
        return pd.DataFrame(columns=names)
    return pd.read_csv(io.BytesIO(data), names=names, header=None)


# A column type's value in a binary COPY: its numpy type (PostgreSQL sends them big-endian) and the server type
# (OID) it must be. FLOAT without a precision is double precision; a date is days since 2000-01-01.
_FLOAT8, _INT4, _DATE = (">f8", 701), (">i4", 23), (">i4", 1082)


def _binary_field(column_type: object) -> tuple[str, int]:
    if isinstance(column_type, Float):
        return _FLOAT8
    if isinstance(column_type, Date):
        return _DATE
    if isinstance(column_type, Integer) and not isinstance(column_type, (BigInteger, SmallInteger)):
        return _INT4
    raise TypeError(f"no fixed-width binary reading of {column_type!r}")


def _nan_if_missing(engine: Engine, value: ColumnElement[float]) -> ColumnElement[float]:
    """``value``, with NaN for NULL on PostgreSQL: what :func:`_copy_numbers` needs, and what NULL reads as."""
    if engine.dialect.name != "postgresql":
        return value
    return func.coalesce(value, literal_column("'NaN'::float8", Float))


def _copy_numbers(engine: Engine, statement: Select) -> pd.DataFrame:
    """:func:`_copy_frame` for reads whose columns are INTEGER, DATE or FLOAT and never NULL (empty cells of a pivot
    come as NaN: :func:`_nan_if_missing`). On PostgreSQL the rows come through a binary COPY: every row has the same
    width, so numpy reads the block in place and no value is written or parsed as text on either side (the province
    leader's latest matrix, 1.3 M values: 0.94 → 0.59 s with its grouping by project). Dates come as datetime64."""
    if engine.dialect.name != "postgresql":
        return _frame(engine, statement)
    names = list(statement.selected_columns.keys())
    fields, server_types = zip(*(_binary_field(column.type) for column in statement.selected_columns), strict=True)
    row = np.dtype([("count", ">i2")] + [entry for position, field in enumerate(fields)
                                         for entry in ((f"length{position}", ">i4"), (f"value{position}", field))])
    data = _copy_out(engine, statement, "binary", server_types)
    # A 19-byte header (its last 4 bytes: the length of an extension that follows), the rows, a 2-byte trailer.
    start = 19 + int.from_bytes(data[15:19], "big")
    rows = np.frombuffer(data, dtype=row, offset=start, count=(len(data) - start - 2) // row.itemsize)
    if (start + rows.size * row.itemsize + 2 != len(data) or (rows["count"] != len(fields)).any()
            or any((rows[f"length{position}"] != np.dtype(field).itemsize).any()
                   for position, field in enumerate(fields))):
        raise ValueError("a binary COPY read met a NULL or a column of another width")  # no silent misreading
    columns = {}
    for position, (name, column) in enumerate(zip(names, statement.selected_columns, strict=True)):
        values = rows[f"value{position}"]
        columns[name] = (np.datetime64("2000-01-01", "D") + values.astype("timedelta64[D]")
                         if isinstance(column.type, Date) else values.astype(values.dtype.newbyteorder("=")))
    return pd.DataFrame(columns, columns=names)


def _with_region_levels(frame: pd.DataFrame, path_column: str = "region_path") -> pd.DataFrame:
    """Add ``city_id`` and ``district_id`` from the region path ("/city/district/street/")."""
    if frame.empty:
        return frame.assign(city_id=pd.Series(dtype="Int64"), district_id=pd.Series(dtype="Int64"))
    parts = frame[path_column].str.strip("/").str.split("/", expand=True)
    frame["city_id"] = pd.to_numeric(parts[0]).astype("Int64")
    frame["district_id"] = (pd.to_numeric(parts[1]).astype("Int64") if parts.shape[1] > 1
                            else pd.Series(pd.NA, index=frame.index, dtype="Int64"))
    return frame


def list_regions(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Regions the viewer may see: their region's subtree (everything when unscoped); for a project manager
    the regions of their projects and every ancestor up to the city, so that a street project's district and
    city can be named and ranked like any other.

    Columns: id, code, parent_id, level, path, name_zh, name_en, lat, lon, radius_km.
    """
    shown = aliased(Region)
    if viewer.role == "project_manager":  # an ancestor's path is a prefix of its descendant's path
        visible = exists(scoped_projects(viewer, Project.id)
                         .where(func.substr(Region.path, 1, func.length(shown.path)) == shown.path))
    else:
        visible = region_subtree_clause(viewer, shown.path)
    statement = (
        select(shown.id, shown.code, shown.parent_id, shown.level, shown.path, shown.name_zh, shown.name_en,
               shown.lat, shown.lon, shown.radius_km)
        .where(visible)
        .order_by(shown.path)
    )
    return _frame(engine, statement)


def list_categories(engine: Engine, viewer: Viewer) -> pd.DataFrame:  # noqa: ARG001 - reference data, no scope
    """Project categories (reference data, the same for every viewer). Columns: id, code, name_zh, name_en."""
    return _frame(engine, select(Category.id, Category.code, Category.name_zh, Category.name_en).order_by(Category.id))


def list_indicators(engine: Engine, viewer: Viewer) -> pd.DataFrame:  # noqa: ARG001 - reference data, no scope
    """The indicator library, all three levels (reference data, the same for every viewer).

    Columns: id, code, parent_id, level, name_zh, name_en, dimension, unit_zh, unit_en, direction,
    band_lower, band_upper, default_weight, period_rollup, scored, category_code (None: every category),
    category_id, normalization, normalization_params (JSON text; ``indicator_library.recipe_for`` reads it),
    sort_order, retired_at (None: in use), version. Sorted by level, then sort_order.
    """
    statement = (
        select(Indicator.id, Indicator.code, Indicator.parent_id, Indicator.level, Indicator.name_zh,
               Indicator.name_en, Indicator.dimension, Indicator.unit_zh, Indicator.unit_en, Indicator.direction,
               Indicator.band_lower, Indicator.band_upper, Indicator.default_weight, Indicator.period_rollup,
               Indicator.scored, Category.code.label("category_code"), Indicator.category_id,
               Indicator.normalization, Indicator.normalization_params, Indicator.sort_order, Indicator.retired_at,
               Indicator.version)
        .outerjoin(Category, Category.id == Indicator.category_id)
        .order_by(Indicator.level, Indicator.sort_order, Indicator.id)
    )
    return _frame(engine, statement)


def _project_columns() -> tuple[list, type[User]]:
    """The columns of a project row, and the ``User`` alias their manager name comes from."""
    manager = aliased(User)
    return [
        Project.id, Project.code, Project.name_zh, Project.name_en,
        Category.code.label("category_code"), Category.name_zh.label("category_zh"),
        Category.name_en.label("category_en"),
        Project.region_id, Region.code.label("region_code"), Region.name_zh.label("region_zh"),
        Region.name_en.label("region_en"), Region.path.label("region_path"),
        Project.department_id, Department.name_zh.label("department_zh"), Department.name_en.label("department_en"),
        Project.manager_id, manager.display_name.label("manager_name"), manager.username.label("manager_username"),
        Project.lat, Project.lon, Project.planned_start, Project.planned_end, Project.actual_start,
        Project.actual_end, Project.budget, Project.status, Project.description, Project.version,
    ], manager


def list_projects(
    engine: Engine,
    viewer: Viewer,
    *,
    region_id: int | None = None,
    category_code: str | None = None,
    status: str | None = None,
    include_archived: bool = False,
) -> pd.DataFrame:
    """Projects in the viewer's scope, optionally within a region's subtree, a category and a status.

    Archived projects are left out (every dashboard view lists projects here) unless ``include_archived``
    (the project register).

    One row per project with its category, region (and ``city_id``/``district_id``), department and
    manager names; ``budget`` is a float in CNY (exact values: :func:`get_project`).
    """
    columns, manager = _project_columns()
    statement = (
        scoped_projects(viewer, *columns, include_archived=include_archived)
        .join(Category, Category.id == Project.category_id)
        .outerjoin(Department, Department.id == Project.department_id)
        .outerjoin(manager, manager.id == Project.manager_id)
        .order_by(Project.code)
    )
    if region_id is not None:
        region_path = select(Region.path).where(Region.id == region_id).scalar_subquery()
        statement = statement.where(Region.path.startswith(region_path))
    if category_code is not None:
        statement = statement.where(Category.code == category_code)
    if status is not None:
        statement = statement.where(Project.status == status)
    frame = _frame(engine, statement)
    frame["budget"] = frame["budget"].astype(float)
    return _with_region_levels(frame)


def project_region_paths(engine: Engine, viewer: Viewer) -> tuple[str, ...]:
    """The distinct region paths of the viewer's live projects, sorted: which districts their projects lie in, in
    one small aggregate rather than every project's row (a province leader's 50,000 projects took 1 s to read)."""
    statement = scoped_projects(viewer, Region.path).distinct().order_by(Region.path)
    with engine.connect() as connection:
        return tuple(connection.execute(statement).scalars())


def get_project(engine: Engine, viewer: Viewer, project_id: int) -> dict[str, Any]:
    """One project as a dict (``budget`` exact ``Decimal``); NotFound / PermissionDenied otherwise."""
    with Session(engine) as session:
        require_project_in_scope(session, viewer, project_id)
    columns, manager = _project_columns()
    statement = (
        select(*columns)
        .join(Region, Region.id == Project.region_id)
        .join(Category, Category.id == Project.category_id)
        .outerjoin(Department, Department.id == Project.department_id)
        .outerjoin(manager, manager.id == Project.manager_id)
        .where(Project.id == project_id)
    )
    with engine.connect() as connection:
        return dict(connection.execute(statement).one()._mapping)


def project_id_of_code(engine: Engine, viewer: Viewer, code: str) -> int:
    """The id of the project with this code in the viewer's scope (archived ones left out, as in
    :func:`list_projects`); an unknown code and another region's code get the same refusal."""
    statement = scoped_projects(viewer, Project.id).where(Project.code == code)
    with engine.connect() as connection:
        project_id = connection.execute(statement).scalar()
    if project_id is None:
        raise refusal("project")
    return int(project_id)


def list_milestones(engine: Engine, viewer: Viewer, *, project_id: int | None = None) -> pd.DataFrame:
    """Milestones of projects in scope (of one project when given; PermissionDenied if out of scope).

    Columns: id, project_id, project_code, seq, name_zh, name_en, planned_start, planned_end,
    actual_end, percent_complete, owner_id, version.
    """
    if project_id is not None:
        with Session(engine) as session:
            require_project_in_scope(session, viewer, project_id)
    statement = (
        scoped_projects(viewer, Milestone.id, Milestone.project_id, Project.code.label("project_code"),
                        Milestone.seq, Milestone.name_zh, Milestone.name_en, Milestone.planned_start,
                        Milestone.planned_end, Milestone.actual_end, Milestone.percent_complete,
                        Milestone.owner_id, Milestone.version, include_archived=project_id is not None)
        .join(Milestone, Milestone.project_id == Project.id)
        .order_by(Milestone.project_id, Milestone.seq)
    )
    if project_id is not None:
        statement = statement.where(Project.id == project_id)
    return _frame(engine, statement)


def milestones_due(engine: Engine, viewer: Viewer, as_of: dt.date) -> pd.DataFrame:
    """Per live project in scope with milestones planned to end by ``as_of``: how many (``due``) and how many of
    them ended by their planned end (``on_time``). Counted in the database: a province's milestones as rows took
    a leader's overview a second and a half to read again after each push."""
    statement = (
        scoped_projects(viewer, Milestone.project_id, func.count().label("due"),
                        func.count().filter(Milestone.actual_end <= Milestone.planned_end).label("on_time"))
        .join(Milestone, Milestone.project_id == Project.id)
        .where(Milestone.planned_end <= as_of)
        .group_by(Milestone.project_id)
    )
    return _frame(engine, statement)


def list_project_targets(engine: Engine, viewer: Viewer, *, project_id: int | None = None) -> pd.DataFrame:
    """Targets of projects in scope. Columns: project_id, indicator_code, target_value, baseline_value,
    weight_override."""
    if project_id is not None:
        with Session(engine) as session:
            require_project_in_scope(session, viewer, project_id)
    statement = (
        scoped_projects(viewer, ProjectTarget.project_id, Indicator.code.label("indicator_code"),
                        ProjectTarget.target_value, ProjectTarget.baseline_value, ProjectTarget.weight_override,
                        include_archived=project_id is not None)
        .join(ProjectTarget, ProjectTarget.project_id == Project.id)
        .join(Indicator, Indicator.id == ProjectTarget.indicator_id)
        .order_by(ProjectTarget.project_id, Indicator.id)
    )
    if project_id is not None:
        statement = statement.where(Project.id == project_id)
    return _frame(engine, statement)


def load_target_matrix(engine: Engine, viewer: Viewer, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Targets of projects in scope as projects (rows, by id) × the indicator ``codes`` (columns): the
    :func:`list_project_targets` long form pivoted, NaN where a project has no target for a code.

    A row for every project with any target, as the long form has; without ``codes``, a column for every code
    some project in scope has a target for, in code order (what pandas' pivot of the long form gives). The
    server pivots, as :func:`load_indicator_matrix` does: a province's leader would otherwise fetch every
    target row as a Row object (12 s).
    """
    with engine.connect() as connection:
        known = select(Indicator.code, Indicator.id)
        if codes is not None:
            known = known.where(Indicator.code.in_(list(codes)))
        ids = {code: indicator_id for code, indicator_id in connection.execute(known)}
    if codes is None:
        targets = load_target_matrix(engine, viewer, sorted(ids))
        return targets.loc[:, targets.notna().any()]
    wanted = [code for code in codes if code in ids]
    statement = (
        select(ProjectTarget.project_id,
               *(_nan_if_missing(engine, func.max(ProjectTarget.target_value)
                                 .filter(ProjectTarget.indicator_id == ids[code]))
                 .label(f"target_{position}") for position, code in enumerate(wanted)))
        .where(ProjectTarget.project_id.in_(scoped_projects(viewer, Project.id)))
        .group_by(ProjectTarget.project_id)
        .order_by(ProjectTarget.project_id)
    )
    wide = _copy_numbers(engine, statement)
    targets = pd.DataFrame(wide.drop(columns="project_id").to_numpy(dtype=float),
                           index=pd.Index(wide["project_id"].to_numpy(dtype=np.int64), name="project_id"),
                           columns=pd.Index(wanted, name="indicator_code"))
    return targets.reindex(columns=pd.Index(list(codes), name="indicator_code"))


def _indicator_ids(engine: Engine, codes: Sequence[str]) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(select(Indicator.id).where(Indicator.code.in_(list(codes)))).scalars())


def load_observations(
    engine: Engine,
    viewer: Viewer,
    *,
    project_ids: Sequence[int] | None = None,
    indicator_codes: Sequence[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """The observation history of projects in scope, long format, ordered by project, indicator, period.

    Columns: project_id, indicator_code, period (datetime64), value, source. Ids outside the viewer's scope
    are silently absent (the scope is in the WHERE clause); use :func:`get_project` to get an error instead.
    """
    statement = (
        scoped_projects(viewer, Observation.project_id, Indicator.code.label("indicator_code"),
                        Observation.period, Observation.value, Observation.source)
        .join(Observation, Observation.project_id == Project.id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .order_by(Observation.project_id, Observation.indicator_id, Observation.period)
    )
    if project_ids is not None:
        statement = statement.where(Observation.project_id.in_(list(project_ids)))
    if indicator_codes is not None:
        statement = statement.where(Observation.indicator_id.in_(_indicator_ids(engine, indicator_codes)))
    if since is not None:
        statement = statement.where(Observation.period >= since)
    if until is not None:
        statement = statement.where(Observation.period <= until)
    frame = _frame(engine, statement)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def reported_months(
    engine: Engine, viewer: Viewer, *, since: dt.date, until: dt.date, exclude_codes: Sequence[str] = ()
) -> pd.DataFrame:
    """Which projects in scope reported anything in which months: columns project_id, period (datetime64).

    Much cheaper than reading every value when only "did they report?" matters (missing-report warnings).
    """
    statement = (
        scoped_projects(viewer, Observation.project_id, Observation.period)
        .join(Observation, Observation.project_id == Project.id)
        .where(Observation.period >= since, Observation.period <= until)
        .distinct()
    )
    if exclude_codes:
        statement = statement.where(Observation.indicator_id.not_in(_indicator_ids(engine, exclude_codes)))
    frame = _frame(engine, statement)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def indicator_means(
    engine: Engine, viewer: Viewer, *, since: dt.date, until: dt.date, project_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Mean value per month and indicator over the projects in scope (computed in the database).

    Columns: period (datetime64), indicator_code, value, projects (how many reported).
    """
    statement = (
        scoped_projects(viewer, Observation.period, Indicator.code.label("indicator_code"),
                        func.avg(Observation.value).label("value"), func.count().label("projects"))
        .join(Observation, Observation.project_id == Project.id)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.period >= since, Observation.period <= until)
        .group_by(Observation.period, Indicator.code)
        .order_by(Observation.period, Indicator.code)
    )
    if project_ids is not None:
        statement = statement.where(Observation.project_id.in_(list(project_ids)))
    frame = _frame(engine, statement)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def latest_period(engine: Engine, viewer: Viewer) -> dt.date | None:
    """The newest period with any observation the viewer may see (None when there is no data)."""
    # ORDER BY … LIMIT 1 walks the period index from the newest end and stops at the first visible row;
    # MAX() over the scoped join would read every observation first.
    statement = (
        scoped_projects(viewer, Observation.period)
        .join(Observation, Observation.project_id == Project.id)
        .order_by(Observation.period.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.execute(statement).scalar()


def _indicator_codes(engine: Engine, scored_only: bool, indicator_codes: Sequence[str] | None) -> dict[int, str]:
    """The level-3 indicators a matrix has columns for: id → code, in id order."""
    indicators = select(Indicator.id, Indicator.code).where(Indicator.level == 3).order_by(Indicator.id)
    if scored_only:
        indicators = indicators.where(Indicator.scored.is_(True))
    if indicator_codes is not None:
        indicators = indicators.where(Indicator.code.in_(list(indicator_codes)))
    return dict(_frame(engine, indicators).itertuples(index=False, name=None))


def _wide_values(engine: Engine, viewer: Viewer, codes: dict[int, str], periods: Sequence[dt.date],
                 every_indicator: bool) -> pd.DataFrame:
    """One row per project in scope and period of ``periods`` with a value, a column per indicator of ``codes``
    (columns period, project_id, indicator_<id> …), ordered by period and project."""
    # The server pivots (a row per project, a column per KPI: a 26th of the rows the long form sends), and the
    # numbers come in binary (:func:`_copy_numbers`).
    if len(periods) == 1:
        # Grouped by project alone: by (period, project) the planner expects a group per project and month of the
        # whole table (13× too many) and gives up the workers that split the scan.
        period, keys = literal(periods[0], Date), (Observation.project_id,)
    else:
        period, keys = Observation.period, (Observation.period, Observation.project_id)
    pivoted = (
        select(period.label("period"), Observation.project_id,
               *(_nan_if_missing(engine, func.max(Observation.value).filter(Observation.indicator_id == indicator_id))
                 .label(f"indicator_{indicator_id}") for indicator_id in codes))
        .where(Observation.period.in_(list(periods)))
        .group_by(*keys)
    )
    if not every_indicator:
        pivoted = pivoted.where(Observation.indicator_id.in_(list(codes)))
    in_scope = scoped_projects(viewer, Project.id)
    if viewer.sees_everything:
        # Nearly every project is in scope (all but the archived): pivot in the index's order first and probe the
        # scope once per project rather than once per value (50 k probes, not 1.3 M). A narrower scope keeps the
        # probe inside, where it picks its projects' rows out of the index.
        rows = pivoted.subquery()
        statement = select(rows).where(rows.c.project_id.in_(in_scope)).order_by(rows.c.period, rows.c.project_id)
    else:
        statement = pivoted.where(Observation.project_id.in_(in_scope)).order_by(*keys)
    return _copy_numbers(engine, statement)


def load_indicator_matrix(
    engine: Engine, viewer: Viewer, *, period: dt.date | None = None, scored_only: bool = True,
    indicator_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Projects (rows, by id) × indicator codes (columns) for one period (default: the latest).

    Missing reports are NaN. Only projects in the viewer's scope with at least one value appear. The
    period used is in ``frame.attrs["period"]`` (None and an empty frame when there is no data).
    ``indicator_codes``: only these KPIs (e.g. the four tracking series: a fraction of the server's work).
    """
    period = period if period is not None else latest_period(engine, viewer)
    codes = _indicator_codes(engine, scored_only, indicator_codes)
    if period is None:
        empty = pd.DataFrame(columns=list(codes.values()), dtype=float)
        empty.attrs["period"] = None
        return empty
    wide = _wide_values(engine, viewer, codes, [period], every_indicator=not scored_only and indicator_codes is None)
    matrix = pd.DataFrame(wide.drop(columns=["period", "project_id"]).to_numpy(dtype=float),
                          index=pd.Index(wide["project_id"].to_numpy(dtype=np.int64), name="project_id"),
                          columns=pd.Index(list(codes.values()), name="indicator"))
    matrix.attrs["period"] = period
    return matrix


def load_indicator_months(engine: Engine, viewer: Viewer, periods: Sequence[dt.date]) -> pd.DataFrame:
    """:func:`load_indicator_matrix` of the scored KPIs for several periods in one read: rows indexed by
    (period, project_id), a project appearing in the periods it has a value in; ordered by period and project."""
    codes = _indicator_codes(engine, scored_only=True, indicator_codes=None)
    wide = _wide_values(engine, viewer, codes, periods, every_indicator=False)
    index = pd.MultiIndex.from_arrays([pd.to_datetime(wide["period"]).dt.date.to_numpy(dtype=object),
                                       wide["project_id"].to_numpy(dtype=np.int64)], names=["period", "project_id"])
    return pd.DataFrame(wide.drop(columns=["period", "project_id"]).to_numpy(dtype=float), index=index,
                        columns=pd.Index(list(codes.values()), name="indicator"))


def list_ratings(
    engine: Engine, viewer: Viewer, *, project_id: int | None = None, period: dt.date | None = None
) -> pd.DataFrame:
    """Ratings of projects in scope. Columns: project_id, period, dimension, rater_type, rater_id,
    rater_name, score, comment.

    A round's ratings show once it has closed (raters may change them until then); a project manager sees no
    rater of an anonymous round (rater_id and rater_name are None).
    """
    if project_id is not None:
        with Session(engine) as session:
            require_project_in_scope(session, viewer, project_id)
    hidden = RatingRound.anonymous.is_(True) if viewer.role == "project_manager" else false()
    statement = (
        scoped_projects(viewer, Rating.project_id, Rating.period, Rating.dimension, Rating.rater_type,
                        case((hidden, null()), else_=Rating.rater_id).label("rater_id"),
                        case((hidden, null()), else_=User.display_name).label("rater_name"),
                        Rating.score, Rating.comment)
        .join(Rating, Rating.project_id == Project.id)
        .join(User, User.id == Rating.rater_id)
        .outerjoin(RatingRound, RatingRound.id == Rating.round_id)
        .where(or_(Rating.round_id.is_(None), RatingRound.status == "closed"))
        .order_by(Rating.project_id, Rating.period, Rating.dimension, Rating.rater_type)
    )
    if project_id is not None:
        statement = statement.where(Project.id == project_id)
    if period is not None:
        statement = statement.where(Rating.period == period)
    return _frame(engine, statement)


def list_weight_schemes(engine: Engine, viewer: Viewer) -> pd.DataFrame:  # noqa: ARG001 - visible to all roles
    """Weight schemes (every role may read them). Columns: id, name, version, description, is_default,
    created_at."""
    statement = select(WeightScheme.id, WeightScheme.name, WeightScheme.version, WeightScheme.description,
                       WeightScheme.is_default, WeightScheme.created_at).order_by(WeightScheme.name,
                                                                                  WeightScheme.version)
    return _frame(engine, statement)


def weight_scheme_items(engine: Engine, viewer: Viewer, scheme_id: int) -> pd.DataFrame:  # noqa: ARG001
    """A scheme's weights: one row per dimension (indicator_code None) and per indicator.

    Columns: dimension, indicator_code, weight.
    """
    statement = (
        select(WeightSchemeItem.dimension, Indicator.code.label("indicator_code"), WeightSchemeItem.weight)
        .outerjoin(Indicator, Indicator.id == WeightSchemeItem.indicator_id)
        .where(WeightSchemeItem.scheme_id == scheme_id)
        .order_by(WeightSchemeItem.dimension, WeightSchemeItem.id)
    )
    return _frame(engine, statement)
