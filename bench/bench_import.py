"""Benchmark of the import store: plan, commit and roll back 100,000 monthly figures (prints a table; not a test).

    python bench/bench_import.py [--rows 100000] [--projects 800]

On a fresh SQLite demo database (``--projects`` projects × 12 months, about 135 figures per project and
month), the first ``--rows`` stored figures become the "file" (typed rows, as validation hands them over):
1. new: the figures are deleted first, so every row is new;
2. unchanged: the same file again (idempotent: nothing but the batch is written);
3. changed: every value × 0.99 (an ImportChange and an audit entry per row);
4. rollback of the changed batch, then of the new one.
Target (issue 12): 100,000 rows commit in well under 20 s on SQLite. The reading and validation of the file
are measured separately (services/importing). Peak MB is the process's peak resident memory after the step.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PERFDASH_AUDIT_KEY", "bench-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("PERFDASH_AUDIT_ANCHOR_DIR", tempfile.mkdtemp(prefix="perfdash-bench-anchors-"))

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data_access.db import create_database_engine
from data_access.demo.generator import generate
from data_access.imports import commit_import, plan_import, rollback_batch
from data_access.migrate import upgrade
from data_access.models import Indicator, Observation, Project
from data_access.scope import viewer_for

UNTIL = dt.date(2026, 11, 1)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _file_rows(engine, count: int) -> tuple[pd.DataFrame, list[int]]:
    """The first ``count`` stored figures inside their project's span (the demo also has a figure for the month
    before a project's planned start), and their ids."""
    statement = (select(Observation.id, Project.code, Indicator.code, Observation.period, Observation.value)
                 .join(Project, Project.id == Observation.project_id)
                 .join(Indicator, Indicator.id == Observation.indicator_id)
                 .where(Observation.period >= func.date(func.min(Project.planned_start, Project.actual_start),
                                                        "start of month"))
                 .order_by(Observation.id).limit(count))
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame([row[1:] for row in rows], columns=["project_code", "indicator_code", "period", "value"],
                         dtype=object)
    frame["value"] = frame["value"].astype(float)
    frame.index = range(2, len(frame) + 2)
    return frame, [row[0] for row in rows]


def _step(name: str, table: list, rows: pd.DataFrame, engine, admin, sha: str) -> int:
    started = time.perf_counter()
    plan = plan_import(engine, admin, "observations", rows, sheet="bench")
    planned = time.perf_counter() - started
    assert not plan.problems, plan.problems[:3]
    started = time.perf_counter()
    result = commit_import(engine, admin, "observations", rows, sheet="bench", filename=f"{name}.csv", sha256=sha)
    committed = time.perf_counter() - started
    counts = "/".join(str(result.counts[key]) for key in ("new", "changed", "unchanged"))
    table.append((name, len(rows), counts, f"{planned:.2f}", f"{committed:.2f}", f"{_peak_mb():.0f}"))
    return result.batch_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=800)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_database_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        generate(engine, projects=args.projects, months=12, seed=2026, until=UNTIL)
        with Session(engine) as session:
            admin = viewer_for(session, "admin")
        rows, ids = _file_rows(engine, args.rows)
        with engine.begin() as connection:  # the figures of the file are not there yet: every row is new
            for start in range(0, len(ids), 500):
                connection.execute(delete(Observation).where(Observation.id.in_(ids[start:start + 500])))
        table: list[tuple] = []
        new_batch = _step("new", table, rows, engine, admin, "1" * 64)
        _step("unchanged", table, rows, engine, admin, "1" * 64)
        changed = rows.assign(value=rows["value"] * 0.99)
        changed_batch = _step("changed", table, changed, engine, admin, "2" * 64)
        for name, batch_id in (("rollback changed", changed_batch), ("rollback new", new_batch)):
            started = time.perf_counter()
            rollback_batch(engine, admin, batch_id)
            table.append((name, len(rows), "", "", f"{time.perf_counter() - started:.2f}", f"{_peak_mb():.0f}"))
        engine.dispose()
    header = ("step", "rows", "new/changed/unchanged", "plan s", "commit s", "peak MB")
    widths = [max(len(str(line[k])) for line in [header, *table]) for k in range(len(header))]
    for line in [header, *table]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
