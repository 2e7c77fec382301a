"""Command line: migrate the configured database and fill it with demo data.

    python -m data_access.demo --projects 300 --months 24 --seed 2026
    python -m data_access.demo --if-empty          # what `make run` does on first start
    python -m data_access.demo --projects 5000 --months 36 --dense   # the benchmark set
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from sqlalchemy import func, select

from data_access.db import create_database_engine
from data_access.demo.generator import generate
from data_access.errors import DataAccessError
from data_access.migrate import migrate_configured
from data_access.models import Project


def _month(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y-%m").date()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--until", type=_month, default=None, help="last month of data, YYYY-MM (default: this month)")
    parser.add_argument("--dense", action="store_true",
                        help="every project reports every indicator every month (benchmark worst case)")
    parser.add_argument("--history", type=int, default=None,
                        help="archived projects finished before the window, the risk model's history "
                             "(default: 400, or a quarter of --projects when that is more)")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already has projects")
    args = parser.parse_args(argv)
    try:
        engine = create_database_engine()  # the app's role, and its audit key checked before anything changes
        migrate_configured().dispose()  # as the owner role (see data_access.migrate)
        with engine.connect() as connection:
            has_projects = connection.execute(select(func.count()).select_from(Project)).scalar()
        if has_projects:
            if args.if_empty:
                print("perfdash: database already has data; not seeding")
                return 0
            print("perfdash: the database already has projects; use an empty database for demo data", file=sys.stderr)
            return 2
        started = time.perf_counter()
        summary = generate(engine, projects=args.projects, months=args.months, seed=args.seed, until=args.until,
                           dense=args.dense, history=args.history)
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    print(f"perfdash: seeded {summary.projects} projects, {summary.observations:,} observations, "
          f"{summary.users} users up to {summary.until:%Y-%m} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
