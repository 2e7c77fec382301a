"""Time to build a report on the large demo set: its contents, the workbook and the PDF (prints a table; not a test).

    python bench/bench_reports.py [--projects 5000] [--months 36]

Builds the large set in a temporary SQLite file, evaluates the warnings and moves some along their 整改
lifecycle (so the frequent-problems section has texts to read), then times, for the leader (everything) and for
开封市: ``assemble`` (every section's reads and charts), ``workbook_bytes`` and ``pdf_bytes`` (charts drawn by
kaleido). Targets (issue 15): a monthly city report < 20 s, the white paper < 60 s, end to end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PERFDASH_DEMO", "1")

from sqlalchemy.orm import Session  # noqa: E402

from data_access import viewer_for  # noqa: E402
from data_access.db import create_database_engine  # noqa: E402
from data_access.demo.generator import generate  # noqa: E402
from data_access.migrate import upgrade  # noqa: E402
from services.alerts import evaluate  # noqa: E402
from services.demo_story import tell  # noqa: E402
from services.report_center.assemble import assemble  # noqa: E402
from services.report_center.blocks import ReportRequest  # noqa: E402
from services.report_center.pdf import pdf_bytes  # noqa: E402
from services.report_center.workbook import workbook_bytes  # noqa: E402

T = TypeVar("T")
EVALUATED = dt.datetime(2026, 11, 20, 1, tzinfo=dt.UTC)
KAIFENG = 1
REPORTS = (("monthly, everything", ReportRequest("monthly", "2026-10"), 20.0),
           ("monthly, 开封市", ReportRequest("monthly", "2026-10", region_id=KAIFENG), 20.0),
           ("white paper 2026-Q3, everything", ReportRequest("white_paper_quarter", "2026-Q3"), 60.0),
           ("white paper 2026, 开封市", ReportRequest("white_paper_year", "2026", region_id=KAIFENG), 60.0))


def seconds(work: Callable[[], T]) -> tuple[T, float]:
    """What ``work`` returns, and how long it took (s)."""
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_database_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade(engine)
        _, generated = seconds(lambda: generate(engine, projects=args.projects, months=args.months, seed=2026,
                                                until=dt.date(2026, 11, 1), dense=True))
        evaluate(engine, as_of=EVALUATED.date(), now=EVALUATED)
        tell(engine, today=EVALUATED.date())
        with Session(engine) as session:
            leader = viewer_for(session, "leader")
        rows = []
        for name, request, target in REPORTS:
            content, assembled = seconds(lambda request=request: assemble(engine, leader, request))
            workbook, booked = seconds(lambda content=content: workbook_bytes(content))
            document, drawn = seconds(lambda content=content: pdf_bytes(content))
            rows.append((name, assembled, booked, drawn, assembled + booked + drawn, target,
                         len(document) / 1e6, len(workbook) / 1e6))
        engine.dispose()
    print(f"perfdash report build benchmark (SQLite): {args.projects} projects × {args.months} months "
          f"(generated in {generated:.0f} s)")
    print(f"{'report':<34} {'assemble':>9} {'xlsx':>7} {'pdf':>7} {'total':>8} {'target':>7} {'PDF MB':>7} "
          f"{'xlsx MB':>8}")
    for name, assembled, booked, drawn, total, target, pdf_mb, xlsx_mb in rows:
        print(f"{name:<34} {assembled:>8.1f}s {booked:>6.1f}s {drawn:>6.1f}s {total:>7.1f}s {target:>6.0f}s "
              f"{pdf_mb:>7.2f} {xlsx_mb:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
