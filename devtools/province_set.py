"""A province-scale data set on PostgreSQL, generated in the server (issue 16's benchmark and plan tests).

One real province, Ningxia (宁夏回族自治区: its five cities and 22 districts and counties, national
administrative division codes), several hundred district and city officials, project managers, and
``projects`` projects with categories, departments, managers, milestones, targets and live warnings, every
one of them reporting all 30 KPIs of the demo library for ``months`` months. The reference tables (categories,
indicators, templates, weight schemes) are the demo's; everything per project is ``INSERT … SELECT`` over
``generate_series`` with values drawn from ``hashint8extended`` (seeded, so the same seed gives the same
set), not the per-row Python generator. Observations are loaded with their keys, foreign keys and
secondary indexes dropped and rebuilt afterwards, into a table truncated in the same transaction (no WAL
with ``wal_level=minimal``, see :data:`BULK_LOAD_SETTINGS`), then ``VACUUM ANALYZE``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import bcrypt
from sqlalchemy import Connection, Engine, insert, text

from data_access.db import bump_data_version
from data_access.demo.generator import DEMO_PASSWORD
from data_access.demo.library import CATEGORY_DEPARTMENT, DEPARTMENTS, INDICATORS, MILESTONE_NAMES
from data_access.demo.synthesis import DemoData
from data_access.models import (
    Base,
    Category,
    CategoryTemplateItem,
    Department,
    Indicator,
    Region,
    User,
    WeightScheme,
    WeightSchemeItem,
)
from scoring.periods import recent_months

# Server settings for the throwaway cluster that loads the set: no WAL for the table truncated in the load's
# transaction, room for the index builds, no checkpoints in the middle of the load.
BULK_LOAD_SETTINGS = {"wal_level": "minimal", "max_wal_senders": "0", "max_wal_size": "16GB",
                      "maintenance_work_mem": "1GB", "shared_buffers": "1GB", "work_mem": "64MB"}


class Place(NamedTuple):
    code: str
    parent: str | None
    name_zh: str
    name_en: str
    lat: float
    lon: float
    radius_km: float


# Ningxia's cities and their districts/counties (centres approximate; radius: the place's rough extent).
NINGXIA: tuple[Place, ...] = (
    Place("640100", None, "银川市", "Yinchuan", 38.4872, 106.2309, 60.0),
    Place("640104", "640100", "兴庆区", "Xingqing District", 38.4740, 106.2890, 25.0),
    Place("640105", "640100", "西夏区", "Xixia District", 38.4920, 106.1500, 25.0),
    Place("640106", "640100", "金凤区", "Jinfeng District", 38.4740, 106.2420, 15.0),
    Place("640121", "640100", "永宁县", "Yongning County", 38.2770, 106.2530, 30.0),
    Place("640122", "640100", "贺兰县", "Helan County", 38.5540, 106.3500, 30.0),
    Place("640181", "640100", "灵武市", "Lingwu", 38.1030, 106.3400, 50.0),
    Place("640200", None, "石嘴山市", "Shizuishan", 39.0130, 106.3840, 50.0),
    Place("640202", "640200", "大武口区", "Dawukou District", 39.0190, 106.3670, 25.0),
    Place("640205", "640200", "惠农区", "Huinong District", 39.2390, 106.7810, 30.0),
    Place("640221", "640200", "平罗县", "Pingluo County", 38.9130, 106.5230, 40.0),
    Place("640300", None, "吴忠市", "Wuzhong", 37.9860, 106.1990, 100.0),
    Place("640302", "640300", "利通区", "Litong District", 37.9850, 106.2120, 35.0),
    Place("640303", "640300", "红寺堡区", "Hongsibu District", 37.4260, 106.0620, 35.0),
    Place("640323", "640300", "盐池县", "Yanchi County", 37.7830, 107.4070, 60.0),
    Place("640324", "640300", "同心县", "Tongxin County", 36.9800, 105.9140, 60.0),
    Place("640381", "640300", "青铜峡市", "Qingtongxia", 38.0210, 106.0780, 40.0),
    Place("640400", None, "固原市", "Guyuan", 36.0160, 106.2420, 80.0),
    Place("640402", "640400", "原州区", "Yuanzhou District", 36.0030, 106.2880, 40.0),
    Place("640422", "640400", "西吉县", "Xiji County", 35.9640, 105.7290, 40.0),
    Place("640423", "640400", "隆德县", "Longde County", 35.6250, 106.1110, 30.0),
    Place("640424", "640400", "泾源县", "Jingyuan County", 35.4980, 106.3300, 25.0),
    Place("640425", "640400", "彭阳县", "Pengyang County", 35.8490, 106.6380, 35.0),
    Place("640500", None, "中卫市", "Zhongwei", 37.5150, 105.1900, 90.0),
    Place("640502", "640500", "沙坡头区", "Shapotou District", 37.5160, 105.1730, 60.0),
    Place("640521", "640500", "中宁县", "Zhongning County", 37.4910, 105.6850, 45.0),
    Place("640522", "640500", "海原县", "Haiyuan County", 36.5650, 105.6430, 50.0),
)
OFFICIALS_PER_DISTRICT = 12  # 264 district officials …
OFFICIALS_PER_CITY = 6  # … and 30 city officials
MANAGERS_PER_DISTRICT = 20
DISTRICT_OFFICIAL = "official_640104_01"  # 兴庆区 (Yinchuan), the official the benchmark measures


@dataclass(frozen=True)
class ProvinceSummary:
    projects: int
    observations: int
    officials: int
    managers: int


def official_username(code: str, k: int) -> str:
    return f"official_{code}_{k:02d}"


def _reference(connection: Connection, months: int, until: dt.date, password_hash: str) -> tuple[int, int]:
    """Regions, the demo's categories/indicators/templates/schemes, departments and users; returns the
    numbers of officials and managers."""
    ids = {place.code: k + 1 for k, place in enumerate(NINGXIA)}
    paths: dict[str, str] = {}
    for place in NINGXIA:
        paths[place.code] = (paths[place.parent] if place.parent else "/") + f"{ids[place.code]}/"
    connection.execute(insert(Region), [
        {"id": ids[p.code], "code": p.code, "parent_id": ids[p.parent] if p.parent else None,
         "level": "district" if p.parent else "city", "path": paths[p.code], "name_zh": p.name_zh,
         "name_en": p.name_en, "lat": p.lat, "lon": p.lon, "radius_km": p.radius_km} for p in NINGXIA])
    demo = DemoData(projects=0, months=months, seed=0, until=until, dense=True, password_hash=password_hash)
    demo.reference()  # categories and indicators (its regions and departments are the demo's: not used)
    users: list[dict[str, object]] = []

    def add(username: str, display: str, role: str, region: str | None = None) -> None:
        users.append({"id": len(users) + 1, "username": username, "display_name": display, "role": role,
                      "region_id": ids[region] if region else None, "password_hash": password_hash,
                      "email": f"{username}@perfdash.example", "is_active": True, "language": "zh"})

    for username, display, role in (("admin", "系统管理员", "admin"), ("leader", "马宁（自治区领导）", "leader"),
                                    ("analyst", "李娜（绩效分析）", "analyst"), ("auditor", "王强（审计）", "auditor")):
        add(username, display, role)
    districts = [p for p in NINGXIA if p.parent]
    for place in NINGXIA:
        for k in range(1, (OFFICIALS_PER_DISTRICT if place.parent else OFFICIALS_PER_CITY) + 1):
            add(official_username(place.code, k), f"{place.name_zh}督查专员{k}", "district_official", place.code)
    officials = len(users) - 4
    for place in districts:
        for k in range(1, MANAGERS_PER_DISTRICT + 1):
            add(f"pm_{place.code}_{k:02d}", f"{place.name_zh}项目经理{k}", "project_manager")
    demo.schemes()  # created by user 3, the analyst, as in the demo
    departments = [{"id": len(DEPARTMENTS) * c + d + 1, "region_id": ids[city.code], "code": code,
                    "name_zh": city.name_zh + zh, "name_en": f"{city.name_en} {en}"}
                   for c, city in enumerate(p for p in NINGXIA if not p.parent)
                   for d, (code, zh, en) in enumerate(DEPARTMENTS)]
    for model, rows in ((Category, demo.tables["categories"]), (Department, departments),
                        (Indicator, demo.tables["indicators"]),
                        (CategoryTemplateItem, demo.tables["category_template_items"]), (User, users),
                        (WeightScheme, demo.tables["weight_schemes"]),
                        (WeightSchemeItem, demo.tables["weight_scheme_items"])):
        connection.execute(insert(model), rows)
    _temp_table(connection, "province_districts", "k int, region_id int, city_id int, code text, name_zh text, "
                "name_en text, lat float8, lon float8, radius_km float8",
                [(k, ids[p.code], ids[p.parent or ""], p.code, p.name_zh, p.name_en, p.lat, p.lon, p.radius_km)
                 for k, p in enumerate(districts)])
    _temp_table(connection, "category_departments", "category_code text, department_code text",
                list(CATEGORY_DEPARTMENT.items()))
    _temp_table(connection, "indicator_kinds", "code text, kind text, target float8",
                [(s.code, s.kind, float(s.target)) for s in INDICATORS])
    _temp_table(connection, "milestone_names", "seq int, name_zh text, name_en text",
                [(k + 1, zh, en) for k, (zh, en) in enumerate(MILESTONE_NAMES)])
    _temp_table(connection, "months", "m int, period date",
                [(m, period) for m, period in enumerate(recent_months(until, months)[::-1])])
    return officials, len(users) - 4 - officials


def _temp_table(connection: Connection, name: str, columns: str, rows: Iterable[tuple[object, ...]]) -> None:
    connection.execute(text(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP"))
    raw = connection.connection.driver_connection
    with raw.cursor().copy(f"COPY {name} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# u(key, salt): a seeded uniform draw in [0, 1) from the key. SQL functions this simple are inlined.
_UNIFORM = """
CREATE FUNCTION pg_temp.u(key bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(key * 64 + salt, {seed}) & 4503599627370495)::float8 / 4503599627370496 $$
"""

_PROJECTS = """
CREATE TEMP TABLE draws ON COMMIT DROP AS
SELECT g AS id, d.region_id, d.city_id, d.code AS place_code, d.name_zh AS place_zh, d.name_en AS place_en,
       d.lat, d.lon, d.radius_km, d.k AS district_k,
       1 + floor(pg_temp.u(g, 1) * (SELECT count(*) FROM categories))::int AS category_id,
       0.05 + 0.93 * pg_temp.u(g, 2) AS perf, 0.5 + 1.5 * pg_temp.u(g, 3) AS size,
       round((2000 + 30000 * pg_temp.u(g, 4) ^ 2)::numeric, 0) AS budget_wan,
       6 * pg_temp.u(g, 5) AS head_start, :months + 6 + 12 * pg_temp.u(g, 6) AS duration
FROM generate_series(1, :projects) AS g
JOIN province_districts d ON d.k = floor(pg_temp.u(g, 0) * (SELECT count(*) FROM province_districts))::int
"""

_INSERT_PROJECTS = """
INSERT INTO projects (id, code, name_zh, name_en, category_id, region_id, department_id, manager_id, lat, lon,
                      planned_start, planned_end, actual_start, budget, status, version)
SELECT p.id, 'P' || p.place_code || '-' || lpad(p.id::text, 6, '0'),
       p.place_zh || c.name_zh || '项目' || p.id, p.place_en || ' ' || c.name_en || ' project ' || p.id,
       p.category_id, p.region_id, dep.id, m.id,
       round((p.lat + (pg_temp.u(p.id, 7) - 0.5) * p.radius_km / 222.0)::numeric, 6),
       round((p.lon + (pg_temp.u(p.id, 8) - 0.5) * p.radius_km / 222.0 / cos(radians(p.lat)))::numeric, 6),
       first.period - make_interval(months => ceil(p.head_start)::int),
       first.period + make_interval(months => floor(p.duration - p.head_start)::int),
       first.period - make_interval(months => ceil(p.head_start)::int),
       p.budget_wan * 10000, CASE WHEN pg_temp.u(p.id, 9) < 0.03 THEN 'suspended' ELSE 'active' END, 1
FROM draws p
JOIN categories c ON c.id = p.category_id
JOIN category_departments cd ON cd.category_code = c.code
JOIN departments dep ON dep.region_id = p.city_id AND dep.code = cd.department_code
JOIN users m ON m.username = 'pm_' || p.place_code || '_'
                            || lpad((1 + (p.id / (SELECT count(*) FROM province_districts)) % :managers)::text, 2, '0')
CROSS JOIN (SELECT period FROM months WHERE m = 0) AS first
"""

_MILESTONES = """
INSERT INTO milestones (project_id, seq, name_zh, name_en, planned_start, planned_end, actual_end, percent_complete,
                        owner_id)
SELECT p.id, n.seq, n.name_zh, n.name_en,
       p.planned_start + (p.planned_end - p.planned_start) * (n.seq - 1) / 5,
       p.planned_start + (p.planned_end - p.planned_start) * n.seq / 5,
       CASE WHEN p.planned_start + (p.planned_end - p.planned_start) * n.seq / 5 <= :until
            THEN p.planned_start + (p.planned_end - p.planned_start) * n.seq / 5
                 + floor(20 * pg_temp.u(p.id, 10 + n.seq))::int
       END,
       CASE WHEN p.planned_start + (p.planned_end - p.planned_start) * n.seq / 5 <= :until THEN 100
            ELSE round((60 * pg_temp.u(p.id, 20 + n.seq))::numeric, 1) END,
       p.manager_id
FROM projects p JOIN milestone_names n ON n.seq <= 5
"""

_TARGETS = """
INSERT INTO project_targets (project_id, indicator_id, target_value, baseline_value)
SELECT p.id, t.indicator_id,
       CASE k.kind WHEN 'spend_actual' THEN d.budget_wan::float8 WHEN 'spend_plan' THEN d.budget_wan::float8
                   WHEN 'stock' THEN round((t.target_value * d.size)::numeric, 2)::float8
                   WHEN 'flow' THEN round((t.target_value * d.size)::numeric, 2)::float8
                   ELSE t.target_value END,
       CASE WHEN k.kind IN ('stock', 'stock_rate') THEN 0.0 END
FROM projects p
JOIN draws d ON d.id = p.id
JOIN category_template_items t ON t.category_id = p.category_id
JOIN indicators i ON i.id = t.indicator_id
JOIN indicator_kinds k ON k.code = i.code
"""
# Live warnings: progress behind plan for the weakest fifth of the teams, a budget overrun for the weakest 8 %.
_ALERTS = """
INSERT INTO alerts (rule_id, project_id, status, severity, value, threshold, data_period, detail, opened_at,
                    last_evaluated_at)
SELECT r.id, d.id, CASE WHEN pg_temp.u(d.id, 40 + r.id) < 0.7 THEN 'open' ELSE 'acknowledged' END, r.severity,
       CASE r.id WHEN 1 THEN round((110 + 20 * pg_temp.u(d.id, 43))::numeric, 1)
                 ELSE round((5 + 20 * (0.2 - d.perf))::numeric, 1) END,
       CASE r.id WHEN 1 THEN 110 ELSE 5 END, last.period, '{}', :entered_at, :entered_at
FROM draws d
JOIN alert_rules r ON (r.id = 1 AND d.perf < 0.08) OR (r.id = 2 AND d.perf < 0.2)
CROSS JOIN (SELECT max(period) AS period FROM months) AS last
"""

# Every project reports every KPI every month. x: the share of the project's planned span done by the month's
# end; planned progress is the S-curve of x, actual progress lags it by how well the team works (perf).
_OBSERVATIONS = """
INSERT INTO observations (project_id, indicator_id, period, value, source, import_batch_id, entered_at)
SELECT d.id, i.id, mo.period,
       round(1000 * CASE k.kind
           WHEN 'progress_plan' THEN 100 * s.plan
           WHEN 'progress_actual' THEN 100 * s.plan * (0.75 + 0.3 * d.perf)
           WHEN 'progress_ratio' THEN least(130, 100 * (0.75 + 0.3 * d.perf) + 6 * (r - 0.5))
           WHEN 'rate' THEN least(100, k.target * (0.85 + 0.17 * d.perf) + 4 * (r - 0.5))
           WHEN 'delay_days' THEN greatest(0, 40 * (1 - d.perf) * s.x + 6 * (r - 0.5))
           WHEN 'spend_actual' THEN d.budget_wan * s.plan * (0.75 + 0.3 * d.perf)
           WHEN 'spend_plan' THEN d.budget_wan * s.plan
           WHEN 'budget_exec' THEN 80 + 30 * d.perf + 10 * (r - 0.5)
           WHEN 'cost_var' THEN greatest(-5, 12 * (1 - d.perf) + 2 * (r - 0.5))
           WHEN 'incidents' THEN CASE WHEN r < k.target * (1.5 - d.perf) THEN 1 ELSE 0 END
           WHEN 'satisfaction' THEN 72 + 22 * d.perf + 4 * (r - 0.5)
           WHEN 'growth' THEN k.target * (0.2 + 1.4 * d.perf) + 8 * (r - 0.5)
           WHEN 'flow' THEN k.target * d.size * (0.5 + d.perf) * (1 + 0.25 * sin(pi() * mo.m / 6)) * (0.9 + 0.2 * r)
           WHEN 'stock_rate' THEN 100 * s.plan * (0.8 + 0.2 * d.perf)
           WHEN 'stock' THEN k.target * d.size * s.plan * (0.7 + 0.3 * d.perf)
           WHEN 'uptime' THEN 99.2 + 0.8 * r
           ELSE k.target END) / 1000,
       'import', 1, :entered_at
FROM months mo
CROSS JOIN draws d
CROSS JOIN LATERAL (SELECT least(1.0, greatest(0.0, (mo.m + 1 + d.head_start) / d.duration)) AS x) AS xs
CROSS JOIN LATERAL (SELECT xs.x, xs.x * xs.x * (3 - 2 * xs.x) AS plan) AS s
CROSS JOIN indicators i
JOIN indicator_kinds k ON k.code = i.code
CROSS JOIN LATERAL (SELECT pg_temp.u((d.id * 64 + i.id) * 64 + mo.m, 30) AS r) AS noise
WHERE i.level = 3
"""


def _drop_keys(connection: Connection, table: str) -> list[str]:
    """Drop ``table``'s primary, unique and foreign keys and its other indexes; return the statements that
    rebuild them (keys first, so the foreign keys find them)."""
    keys = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
        "AND contype IN ('p', 'u', 'f') ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END"),
        {"t": table}).all()
    indexes = connection.execute(text(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = CAST(:t AS regclass) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = pg_index.indexrelid)"), {"t": table}).all()
    for name, _ in keys[::-1]:
        connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        connection.execute(text(f"DROP INDEX {name}"))
    return ([f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in keys]
            + [definition for _, definition in indexes])


def build(engine: Engine, *, projects: int = 50_000, months: int = 36, seed: int = 2026,
          until: dt.date = dt.date(2026, 11, 1)) -> ProvinceSummary:
    """Fill an empty, migrated PostgreSQL database with the province set (one transaction), then VACUUM ANALYZE."""
    if engine.dialect.name != "postgresql":
        raise ValueError("the province set is generated in PostgreSQL")
    password_hash = bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(12)).decode()
    parameters = {"projects": projects, "months": months, "managers": MANAGERS_PER_DISTRICT, "until": until,
                  "entered_at": dt.datetime.combine(until, dt.time(9), tzinfo=dt.UTC)}
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL statement_timeout = 0"))  # a load, not a user's request
        officials, managers = _reference(connection, months, until, password_hash)
        connection.execute(text(_UNIFORM.format(seed=int(seed))))
        connection.execute(text(
            "INSERT INTO import_batches (id, filename, source, uploaded_by, uploaded_at, row_count, status) "
            "VALUES (1, 'province-seed', 'import', 3, :entered_at, :rows, 'applied')"),
            {**parameters, "rows": projects * months * len(INDICATORS)})
        for statement in (_PROJECTS, _INSERT_PROJECTS, _MILESTONES, _TARGETS, _ALERTS):
            connection.execute(text(statement), parameters)
        rebuild = _drop_keys(connection, "observations")
        connection.execute(text("TRUNCATE observations"))  # a new file: with wal_level=minimal, no WAL for the load
        connection.execute(text(_OBSERVATIONS), parameters)
        for statement in rebuild:
            connection.execute(text(statement))
        observations = connection.execute(text("SELECT count(*) FROM observations")).scalar_one()
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.name not in {"audit_chain_head", "data_version"}:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
        bump_data_version(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET statement_timeout = 0"))
        connection.execute(text("VACUUM ANALYZE"))
    return ProvinceSummary(projects=projects, observations=int(observations), officials=officials,
                           managers=managers)
