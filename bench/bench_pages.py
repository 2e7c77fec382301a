"""Server-side render time of every page on the large demo set (prints a table; not a test).

    python bench/bench_pages.py [--projects 5000] [--months 36] [--repeat 3]

Builds the large set in a temporary SQLite file, evaluates the warnings, logs in as the leader (who sees
everything) and as one district official, and times AppTest runs of each page with warm caches (the first
run fills them and is reported separately). Target (issue 7): < 1.5 s per page, caches warm.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PERFDASH_DEMO", "1")
os.environ["PERFDASH_LOGIN_SLEEP"] = "0"

from streamlit.testing.v1 import AppTest  # noqa: E402

from data_access.db import create_database_engine  # noqa: E402
from data_access.demo.generator import generate  # noqa: E402
from data_access.migrate import upgrade  # noqa: E402
from services.alerts import evaluate  # noqa: E402
from webapp.navigation import page_paths_for  # noqa: E402


def timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        os.environ["PERFDASH_DATABASE_URL"] = url
        engine = create_database_engine(url)
        upgrade(engine)
        generate(engine, projects=args.projects, months=args.months, seed=2026, until=dt.date(2026, 11, 1), dense=True)
        evaluate(engine, as_of=dt.date(2026, 11, 20))
        engine.dispose()
        rows = []
        for username, role in (("leader", "leader"), ("official_longting", "district_official")):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
            at.text_input[0].input(username)
            at.text_input[1].input("Demo@2026")
            at.button[0].click().run()
            for page in page_paths_for(role):
                at.switch_page(page)
                cold = timed_run(at)
                warm = statistics.median(timed_run(at) for _ in range(args.repeat))
                rows.append((username, page, cold, warm, len(at.exception)))
    print(f"perfdash page render benchmark (AppTest, SQLite): {args.projects} projects × 30 indicators × "
          f"{args.months} months; median of {args.repeat} warm runs")
    print(f"{'user':<18} {'page':<26} {'first run':>10} {'warm':>8} {'errors':>7}")
    for username, page, cold, warm, errors in rows:
        print(f"{username:<18} {page:<26} {cold:>9.2f}s {warm:>7.2f}s {errors:>7}")
    print("target: < 1.5 s per page with warm caches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
