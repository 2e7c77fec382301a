"""Benchmark of a whole import as the page and the command line run it: a 100,000-row file of monthly figures is
read, validated, planned and committed (prints a table; not a test).

    python bench/bench_import_file.py [--rows 100000] [--projects 800]

Each format runs in a process of its own, so its peak memory is its own: the figures of a fresh SQLite demo
database become an observations file (xlsx written by openpyxl, or UTF-8 csv), are deleted from the database so
that every row is new, and the file goes through ``pipeline.check_file`` and ``pipeline.commit_file``.
Targets (issue 12): xlsx < 30 s, csv < 10 s on SQLite.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PERFDASH_AUDIT_KEY", "bench-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("PERFDASH_AUDIT_ANCHOR_DIR", tempfile.mkdtemp(prefix="perfdash-bench-anchors-"))

import openpyxl
import pandas as pd
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bench.bench_import import UNTIL, _file_rows
from data_access.db import create_database_engine
from data_access.demo.generator import generate
from data_access.imports import LAYOUTS
from data_access.migrate import upgrade
from data_access.models import Observation
from data_access.scope import viewer_for
from services.importing import pipeline

HEADERS = [[column.header_zh for column in LAYOUTS["observations"].columns],
           [column.header_en for column in LAYOUTS["observations"].columns]]


def _file(rows: pd.DataFrame, kind: str) -> bytes:
    """The rows as the template's layout: the Chinese and English header rows, then one row per figure."""
    values = [[code, indicator, f"{period:%Y-%m}", value] for code, indicator, period, value in
              rows.itertuples(index=False)]
    if kind == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([*HEADERS, *values])
        return text.getvalue().encode()
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("月度数据")
    for row in [*HEADERS, *values]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _one(kind: str, rows_wanted: int, projects: int) -> str:
    """Run one format; returns its table row as tab-separated cells."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_database_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        generate(engine, projects=projects, months=12, seed=2026, until=UNTIL)
        with Session(engine) as session:
            admin = viewer_for(session, "admin")
        rows, ids = _file_rows(engine, rows_wanted)
        with engine.begin() as connection:
            for start in range(0, len(ids), 500):
                connection.execute(delete(Observation).where(Observation.id.in_(ids[start:start + 500])))
        content = _file(rows, kind)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        checked = pipeline.check_file(engine, admin, f"figures.{kind}", content, "observations")
        checking = time.perf_counter() - started
        assert not checked.problems, checked.problems[:3]
        started = time.perf_counter()
        result = pipeline.commit_file(engine, admin, checked)
        committing = time.perf_counter() - started
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\t".join([kind, f"{len(rows):,}", f"{len(content) / 1e6:.1f}", f"{checking:.1f}", f"{committing:.1f}",
                      f"{checking + committing:.1f}", f"{result.counts['new']:,}", f"{before:.0f} → {peak:.0f}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=800)
    parser.add_argument("--only", choices=["csv", "xlsx"], help=argparse.SUPPRESS)  # one format, in a child
    args = parser.parse_args()
    if args.only:
        print(_one(args.only, args.rows, args.projects))
        return
    table = [("file", "rows", "MB", "read + validate + plan s", "commit s", "total s", "new rows",
              "peak MB (before → after)")]
    for kind in ("csv", "xlsx"):
        output = subprocess.run([sys.executable, __file__, "--only", kind, "--rows", str(args.rows), "--projects",
                                 str(args.projects)], check=True, capture_output=True, text=True).stdout
        table.append(tuple(output.strip().splitlines()[-1].split("\t")))
    widths = [max(len(line[k]) for line in table) for k in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
