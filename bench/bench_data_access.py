"""Benchmark of the data layer on the large demo set (prints a table; not a test).

    python bench/bench_data_access.py [--projects 5000] [--months 36] [--repeat 7]

For SQLite and for a throwaway PostgreSQL cluster: demo generation time (5,000 projects × 30 indicators ×
36 months, every project reporting every indicator), database size, and the time to load the
latest-period project × indicator matrix for a leader (everything) and for one district official.
Targets (issue 3): load < 1 s on SQLite, < 0.5 s on PostgreSQL; generation < 3 min.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from data_access.db import create_database_engine
from data_access.demo.generator import generate
from data_access.migrate import upgrade
from data_access.reads import load_indicator_matrix
from data_access.scope import viewer_for
from devtools.pg_cluster import PostgresUnavailable, throwaway_cluster

UNTIL = dt.date(2026, 11, 1)


def _median_seconds(action, repeat: int) -> float:
    action()  # warm caches once, as a running server would be
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _size_mb(engine: Engine, sqlite_path: Path | None) -> float:
    if sqlite_path is not None:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sqlite_path.stat().st_size / 1e6
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_database_size(current_database())")).scalar() / 1e6


def measure(name: str, url: str, args: argparse.Namespace, sqlite_path: Path | None = None) -> dict:
    engine = create_database_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    summary = generate(engine, projects=args.projects, months=args.months, seed=2026, until=UNTIL, dense=True)
    generation = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; index-only scans need the visibility map it builds.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    with Session(engine) as session:
        leader, official = viewer_for(session, "leader"), viewer_for(session, "official_longting")
    rows = {"leader": len(load_indicator_matrix(engine, leader)),
            "official": len(load_indicator_matrix(engine, official))}
    result = {
        "database": name, "observations": summary.observations, "generation_s": generation,
        "size_mb": _size_mb(engine, sqlite_path),
        "leader_load_s": _median_seconds(lambda: load_indicator_matrix(engine, leader), args.repeat),
        "official_load_s": _median_seconds(lambda: load_indicator_matrix(engine, official), args.repeat),
        "leader_rows": rows["leader"], "official_rows": rows["official"],
    }
    engine.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        results.append(measure("SQLite", f"sqlite:///{path}", args, sqlite_path=path))
    try:
        with throwaway_cluster("perfdash_bench") as url:
            results.append(measure("PostgreSQL", url, args))
    except PostgresUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
    header = (f"{'database':<11} {'observations':>12} {'generate':>9} {'size':>9} {'leader load':>12} "
              f"{'(rows)':>7} {'official load':>14} {'(rows)':>7}")
    print(f"perfdash data-access benchmark: {args.projects} projects × 30 indicators × {args.months} months, "
          f"median of {args.repeat} warm runs")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['database']:<11} {r['observations']:>12,} {r['generation_s']:>8.1f}s {r['size_mb']:>7.0f}MB "
              f"{r['leader_load_s'] * 1000:>10.0f}ms {r['leader_rows']:>7} {r['official_load_s'] * 1000:>12.0f}ms "
              f"{r['official_rows']:>7}")
    print("targets: load < 1000 ms (SQLite), < 500 ms (PostgreSQL); generation < 180 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
