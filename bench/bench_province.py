"""Province-scale benchmark on PostgreSQL (issue 16; prints a table; not a test).

    python bench/bench_province.py [--projects 50000] [--months 36] [--repeat 7] [--keep DIR]

Builds the province set (devtools/province_set.py: Ningxia's 5 cities and 22 districts, 294 officials,
``--projects`` projects × 30 KPIs × ``--months`` months, generated in the server) on a throwaway cluster, then
times, for the leader (everything) and one district official (兴庆区), median of ``--repeat`` warm runs: the
latest-period matrix load, the scored portfolio and the AppTest renders of the overview, the projects list
and the big screen (caches warm, as bench/bench_pages.py does), then the median first run of the leader's overview
and big screen and the official's overview after each of ``--push-rounds`` pushes in 兴庆区, and prints the
EXPLAIN (ANALYZE, BUFFERS) summary of the key reads. ``--keep DIR`` keeps the cluster in DIR, and a later run
with the same DIR measures the set already there instead of generating it again.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PERFDASH_DEMO", "1")
os.environ["PERFDASH_LOGIN_SLEEP"] = "0"

from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.bench_after_push import rounds_after_pushes  # noqa: E402
from data_access import list_projects  # noqa: E402
from data_access.alerts import LIVE_STATUSES, list_alerts  # noqa: E402
from data_access.db import create_database_engine  # noqa: E402
from data_access.migrate import upgrade  # noqa: E402
from data_access.reads import latest_period, load_indicator_matrix, load_observations  # noqa: E402
from data_access.scope import Viewer, viewer_for  # noqa: E402
from devtools.pg_cluster import throwaway_cluster  # noqa: E402
from devtools.province_set import BULK_LOAD_SETTINGS, DISTRICT_OFFICIAL, ProvinceSummary, build  # noqa: E402
from devtools.query_plans import captured_statements, explain  # noqa: E402
from services.portfolio import portfolio  # noqa: E402
from webapp.navigation import page_paths_for  # noqa: E402

PAGES = ("overview", "projects", "big_screen")
AFTER_PUSH = (("leader", "views/overview.py"), ("leader", "views/big_screen.py"),
              (DISTRICT_OFFICIAL, "views/overview.py"))
TARGETS_S = {"leader": {"matrix": 1.0, "page": 1.5}, "official": {"matrix": 0.3, "page": 1.5}}


def existing(engine: Engine) -> ProvinceSummary | None:
    """The set a kept cluster already holds (None: empty database)."""
    with engine.connect() as connection:
        projects = connection.execute(text("SELECT count(*) FROM projects")).scalar_one()
        if not projects:
            return None
        observations = connection.execute(text("SELECT count(*) FROM observations")).scalar_one()
        officials, managers = connection.execute(text(
            "SELECT count(*) FILTER (WHERE role = 'district_official'), "
            "count(*) FILTER (WHERE role = 'project_manager') FROM users")).one()
    print("reusing the set already in the kept cluster (generation time below is not a generation)")
    return ProvinceSummary(projects, observations, officials, managers)


def median_s(action, repeat: int) -> float:
    action()  # warm once, as a running server would be
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def sizes_mb(engine: Engine) -> dict[str, float]:
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid)), pg_database_size(current_database()) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm', 'p')")).one()
    return {"tables": float(row[0]) / 1e6, "indexes": float(row[1]) / 1e6, "database": float(row[2]) / 1e6}


def logged_in(username: str) -> AppTest:
    """An AppTest session logged in through the form, on its start page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900).run()
    at.text_input[0].input(username)
    at.text_input[1].input("Demo@2026")
    at.button[0].click().run()
    return at


def page_renders(username: str, role: str, repeat: int) -> dict[str, tuple[float, float, int]]:
    """Page → (first run, median warm run, exceptions) for one logged-in user."""
    at = logged_in(username)
    results = {}
    for path in page_paths_for(role):
        if Path(path).stem not in PAGES:
            continue
        at.switch_page(path)
        started = time.perf_counter()
        at.run()
        cold = time.perf_counter() - started
        warm = median_s(at.run, repeat)
        results[Path(path).stem] = (cold, warm, len(at.exception))
    return results


def runs_after_a_push(engine: Engine, official: Viewer, rounds: int) -> dict[tuple[str, str], float]:
    """(user, page) → median wall seconds of its first run after a push: each round changes one of the official's
    projects' figures (a write declared within the project, as an API push is) and then runs every session once,
    in order, so the first one pays for what the push made stale (the leader's portfolio: the pushed district read
    again and spliced into the last one built) and the later ones find it. The sessions are warm before round 1."""
    project = int(list_projects(engine, official)["id"].iloc[0])
    sessions = {}
    for username, page in AFTER_PUSH:
        at = logged_in(username)
        at.switch_page(page).run()
        sessions[(username, Path(page).stem)] = at
    timings, _ = rounds_after_pushes(engine, project, sessions, rounds, time.perf_counter)
    return {key: statistics.median(seconds) for key, seconds in timings.items()}


def plan_summaries(engine: Engine, viewers: dict[str, Viewer]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the key reads: each statement's top line, its scans and its timings."""
    official = viewers["official"]
    with engine.connect() as connection:
        some_project = connection.execute(text(
            "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id WHERE r.path LIKE :path "
            "ORDER BY p.id LIMIT 1"), {"path": official.region_path + "%"}).scalar_one()
    reads = {
        "latest period (leader)": lambda: latest_period(engine, viewers["leader"]),
        "matrix (leader)": lambda: load_indicator_matrix(engine, viewers["leader"]),
        "matrix (official)": lambda: load_indicator_matrix(engine, official),
        "one project's history (official)": lambda: load_observations(engine, official, project_ids=[some_project]),
        "open warnings of a region (official)": lambda: list_alerts(engine, official, statuses=list(LIVE_STATUSES)),
    }
    lines = []
    for name, read in reads.items():
        for statement, parameters in captured_statements(engine, read):
            if "observations" not in statement and "alerts" not in statement:
                continue
            plan = explain(engine, statement, parameters, "ANALYZE, BUFFERS")
            keep = [line for line in plan if "Scan" in line or "Execution Time" in line]
            lines.append(f"-- {name}: {plan[0].strip()}")
            lines += ["     " + line.strip() for line in keep]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--push-rounds", type=int, default=3, help="pushes in 兴庆区, each followed by a run of "
                        "the leader's overview and big screen and the official's overview")
    parser.add_argument("--keep", type=Path, help="keep the cluster in this directory (and reuse the set in it)")
    args = parser.parse_args()
    with throwaway_cluster("perfdash_province", BULK_LOAD_SETTINGS, keep=args.keep) as url:
        os.environ["PERFDASH_DATABASE_URL"] = url
        engine = create_database_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        summary = existing(engine) or build(engine, projects=args.projects, months=args.months)
        generation = time.perf_counter() - started
        size = sizes_mb(engine)
        with Session(engine) as session:
            viewers = {"leader": viewer_for(session, "leader"), "official": viewer_for(session, DISTRICT_OFFICIAL)}
        rows = []
        for who, viewer in viewers.items():
            matrix = load_indicator_matrix(engine, viewer)
            rows.append((who, f"load_indicator_matrix ({len(matrix):,} projects)",
                         median_s(lambda v=viewer: load_indicator_matrix(engine, v), args.repeat),
                         TARGETS_S[who]["matrix"]))
            rows.append((who, "services.portfolio.portfolio",
                         median_s(lambda v=viewer: portfolio(engine, v), args.repeat), None))
        plans = plan_summaries(engine, viewers)
        engine.dispose()
        renders = {"leader": page_renders("leader", "leader", args.repeat),
                   "official": page_renders(DISTRICT_OFFICIAL, "district_official", args.repeat)}
        after_push = runs_after_a_push(create_database_engine(url), viewers["official"], args.push_rounds)
    print(f"perfdash province benchmark (PostgreSQL): {summary.projects:,} projects × 30 KPIs × {args.months} months "
          f"= {summary.observations:,} observations; {summary.officials} officials, {summary.managers} managers")
    print(f"generation {generation:.0f} s; size on disk: tables {size['tables']:,.0f} MB, indexes "
          f"{size['indexes']:,.0f} MB, database {size['database']:,.0f} MB")
    print(f"{'viewer':<9} {'what':<48} {'warm median':>12} {'first run':>10} {'target':>8}")
    for who, what, seconds, target in rows:
        print(f"{who:<9} {what:<48} {seconds * 1000:>10.0f}ms {'':>10} "
              f"{f'< {target * 1000:.0f}ms' if target else '':>8}")
    for who, pages in renders.items():
        for page, (cold, warm, errors) in pages.items():
            note = f" ({errors} exceptions)" if errors else ""
            target = f"< {TARGETS_S[who]['page'] * 1000:.0f}ms"
            print(f"{who:<9} {'page ' + page + note:<48} {warm * 1000:>10.0f}ms {cold * 1000:>8.0f}ms {target:>8}")
    for (username, page), seconds in after_push.items():
        who = "leader" if username == "leader" else "official"
        target = f"< {TARGETS_S[who]['page'] * 1000:.0f}ms"
        print(f"{who:<9} {'page ' + page + ', first run after a push':<48} {seconds * 1000:>10.0f}ms {'':>10} "
              f"{target:>8}")
    print("EXPLAIN (ANALYZE, BUFFERS), scans and execution time:")
    print("\n".join(plans))
    return 0


if __name__ == "__main__":
    sys.exit(main())
