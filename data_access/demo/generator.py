"""Demo data into the database: :mod:`data_access.demo.synthesis` computes the rows, this module hashes the
demo password and inserts them with bulk inserts (``executemany`` on SQLite, ``COPY`` on PostgreSQL) in a
single transaction.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, text

from data_access import uploads
from data_access.auth import hash_password
from data_access.db import bump_data_version
from data_access.demo.history import add_history
from data_access.demo.synthesis import DemoData, synthesise
from data_access.models import (
    AllocationRuleSet,
    Attachment,
    Base,
    Category,
    CategoryTemplateItem,
    Department,
    Goal,
    ImportBatch,
    Indicator,
    KnowledgeCase,
    Milestone,
    Project,
    ProjectTarget,
    Rating,
    RatingAssignment,
    RatingResult,
    RatingRound,
    Region,
    Report,
    ReportSubscription,
    ReportValue,
    User,
    WeightScheme,
    WeightSchemeItem,
)
from scoring.periods import first_of_month

DEMO_PASSWORD = "Demo@2026"


@dataclass(frozen=True)
class DemoSummary:
    projects: int
    observations: int
    users: int
    until: dt.date


TABLE_ORDER = ("regions", "categories", "departments", "indicators", "category_template_items", "users", "projects",
               "milestones", "project_targets", "import_batches", "rating_rounds", "rating_assignments", "ratings",
               "rating_results", "goals", "weight_schemes", "weight_scheme_items", "reports", "report_values",
               "knowledge_cases", "attachments", "report_subscriptions", "allocation_rule_sets")
MODELS = {"regions": Region, "categories": Category, "departments": Department, "indicators": Indicator,
          "category_template_items": CategoryTemplateItem,
          "users": User, "projects": Project, "milestones": Milestone, "project_targets": ProjectTarget,
          "import_batches": ImportBatch, "rating_rounds": RatingRound, "rating_assignments": RatingAssignment,
          "ratings": Rating, "rating_results": RatingResult, "goals": Goal, "weight_schemes": WeightScheme,
          "weight_scheme_items": WeightSchemeItem, "reports": Report, "report_values": ReportValue,
          "knowledge_cases": KnowledgeCase, "attachments": Attachment, "report_subscriptions": ReportSubscription,
          "allocation_rule_sets": AllocationRuleSet}


def default_history(projects: int) -> int:
    """How many archived projects the demo adds before its window: enough to train and test risk prediction
    on (400), and a quarter of the projects in larger sets."""
    return max(400, projects // 4)


def build(*, projects: int, months: int, seed: int, until: dt.date, dense: bool = False,
          history: int = 0) -> DemoData:
    """Compute every table's rows in memory (no database needed: tests check invariants on this); every demo
    user's password is :data:`DEMO_PASSWORD`. ``history``: archived projects finished before the window
    (:mod:`data_access.demo.history`)."""
    password_hash = hash_password(DEMO_PASSWORD)
    data = synthesise(projects=projects, months=months, seed=seed, until=until, dense=dense,
                      password_hash=password_hash)
    add_history(data, history)
    return data


def _copy_observations(connection: Connection, observations: dict[str, np.ndarray], entered_at: str) -> None:
    frame = pd.DataFrame(observations)
    frame["source"], frame["import_batch_id"], frame["entered_at"] = "import", 1, entered_at
    columns = list(frame.columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        for start in range(0, len(frame), 500_000):
            buffer = io.StringIO()
            frame.iloc[start:start + 500_000].to_csv(buffer, index=False, header=False)
            with cursor.copy(f"COPY observations ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())


def _insert_observations_sqlite(connection: Connection, observations: dict[str, np.ndarray], entered_at: str) -> None:
    statement = ("INSERT INTO observations (project_id, indicator_id, period, value, source, import_batch_id, "
                 "entered_at) VALUES (?, ?, ?, ?, 'import', 1, ?)")
    raw = connection.connection.driver_connection
    total = len(observations["value"])
    for start in range(0, total, 200_000):
        chunk = slice(start, start + 200_000)
        rows = zip(observations["project_id"][chunk].tolist(), observations["indicator_id"][chunk].tolist(),
                   observations["period"][chunk].astype(str).tolist(), observations["value"][chunk].tolist(),
                   [entered_at] * (min(total, start + 200_000) - start), strict=False)
        raw.executemany(statement, rows)


def write(engine: Engine, builder: DemoData) -> DemoSummary:
    """Insert everything in one transaction; refuses to write into a database that already has projects."""
    entered_at = dt.datetime.combine(builder.until, dt.time(9)).strftime("%Y-%m-%d %H:%M:%S")
    with engine.begin() as connection:
        if connection.execute(select(func.count()).select_from(Project)).scalar():
            raise RuntimeError("the database already holds projects; demo data goes into an empty database only")
        folder = uploads.upload_dir()
        for digest, data in builder.files.items():  # files before the rows that reference them
            uploads.store(folder, digest, "jpg", data)
        for name in TABLE_ORDER:
            rows = builder.tables[name]
            # executemany takes its columns from the first row: a key missing there would be dropped silently.
            assert all(row.keys() == rows[0].keys() for row in rows), f"rows of {name} differ in their columns"
            if rows:
                connection.execute(insert(MODELS[name].__table__), rows)
        if engine.dialect.name == "postgresql":
            _copy_observations(connection, builder.observations, entered_at + "+00")
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and table.name not in {"audit_chain_head", "data_version"}:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
        else:
            _insert_observations_sqlite(connection, builder.observations, entered_at + ".000000")
        bump_data_version(connection)
    return DemoSummary(projects=len(builder.tables["projects"]), observations=int(len(builder.observations["value"])),
                       users=len(builder.tables["users"]), until=builder.until)


def generate(engine: Engine, *, projects: int = 300, months: int = 24, seed: int = 2026,
             until: dt.date | None = None, dense: bool = False, history: int | None = None) -> DemoSummary:
    """Build and insert the demo data set (``until`` defaults to the current month, ``history`` to
    :func:`default_history`)."""
    until = until or first_of_month(dt.date.today())
    history = default_history(projects) if history is None else history
    return write(engine, build(projects=projects, months=months, seed=seed, until=until, dense=dense,
                               history=history))
