"""Knowledge-base search on thousands of cases, on SQLite and PostgreSQL (prints a table; not a test).

    python bench/bench_knowledge.py [--cases 5000] [--no-postgres]

Seeds the small demo (its eight cases), adds ``--cases`` more made from them with every tenth word of their
texts changed, and times :func:`data_access.knowledge.search_cases` for a few queries: the token match
(``search_text LIKE '% term %'`` per term) scans every case, so this is the figure that says whether it is
fast enough. PostgreSQL runs on a throwaway cluster when its binaries are installed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PERFDASH_DEMO", "1")

from sqlalchemy import Engine, insert, select
from timing import median_ms

from data_access.db import create_database_engine
from data_access.demo.generator import generate
from data_access.knowledge import index_text, search_cases
from data_access.migrate import upgrade
from data_access.models import KnowledgeCase
from data_access.policy import Viewer
from devtools.pg_cluster import PostgresUnavailable, throwaway_cluster

QUERIES = ("加装电梯", "elevator", "资金拨付 进度滞后 居民", "潜艇", "")
FILLERS = ("社区", "道路", "学校", "园区", "码头", "管网", "绿地", "停车", "照明", "供水")


def _more_cases(engine: Engine, count: int) -> None:
    with engine.begin() as connection:
        demo = [dict(row._mapping) for row in connection.execute(select(KnowledgeCase.__table__))]
        rows = []
        for k in range(count):
            base = demo[k % len(demo)]
            title = f"{FILLERS[k % len(FILLERS)]}{base['title_zh']}（{k}）"
            action = base["action_taken"].replace("每周", FILLERS[(k // 10) % len(FILLERS)])
            rows.append({key: value for key, value in base.items() if key != "id"}
                        | {"title_zh": title, "action_taken": action,
                           "search_text": index_text([title, base["title_en"], base["problem_type"], action,
                                                      base["result_text"]])})
        connection.execute(insert(KnowledgeCase.__table__), rows)


@contextmanager
def _databases(with_postgres: bool) -> Iterator[list[tuple[str, Engine]]]:
    with TemporaryDirectory() as folder:
        engines = [("SQLite", create_database_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}"))]
        if not with_postgres:
            yield engines
            return
        try:
            with throwaway_cluster("perfdash_bench") as url:
                engines.append(("PostgreSQL", create_database_engine(url)))
                yield engines
        except PostgresUnavailable as exc:
            print(f"(PostgreSQL skipped: {exc})")
            yield engines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    viewer = Viewer(user_id=2, username="leader", role="leader")
    with _databases(not args.no_postgres) as engines:
        print(f"{'database':<12}{'query':<28}{'found':>7}{'median ms':>11}")
        for name, engine in engines:
            upgrade(engine)
            generate(engine, projects=80, months=12, seed=7, until=dt.date(2026, 11, 1))
            _more_cases(engine, args.cases)
            for query in QUERIES:
                found = len(search_cases(engine, viewer, query, limit=200))
                ms = median_ms(lambda query=query, engine=engine: search_cases(engine, viewer, query, limit=200), 5)
                print(f"{name:<12}{query or '(blank)':<28}{found:>7}{ms:>11.1f}")
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
