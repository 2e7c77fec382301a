"""Benchmark validating a 100,000-row observations upload: the second stage of an import (prints a table).

Run: ``python bench/bench_import_validate.py [--rows 100000] [--repeats 3]``.

Reads the xlsx and the csv of ``bench_import_read.py`` once, then times
``services.importing.validation.validate`` on each table (median of ``--repeats`` warm runs, wall and CPU),
and on the csv table with every value bad (one problem per row: the cost of reporting them all) and with every
month written in a different common form. Peak Python allocations (tracemalloc) are measured on a separate run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run by path from anywhere

from bench_import_read import observation_rows, xlsx_of  # noqa: E402 - bench/ is on sys.path as a script

from services.importing.reading import RawTable, read_upload  # noqa: E402
from services.importing.validation import validate  # noqa: E402
from tests.spreadsheets import csv_bytes, header_rows  # noqa: E402

MONTH_FORMS = ("{y}-{m:02d}", "{y}/{m}", "{y}年{m}月", "{y}{m:02d}", "{y}-{m}-15")


def timings(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``work`` over ``repeats`` runs after one warm-up run."""
    work()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def read(name: str, content: bytes) -> RawTable:
    table, problems = read_upload(name, content, "observations")
    assert table is not None and not problems, problems
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = observation_rows(args.rows)
    csv_table = read("observations.csv", csv_bytes(rows, header=header_rows("observations")))
    bad = csv_table.frame.assign(value="n/a")
    periods = csv_table.frame["period"].str.split("-", expand=True).astype(int)
    mixed = csv_table.frame.assign(period=[MONTH_FORMS[i % len(MONTH_FORMS)].format(y=y, m=m)
                                           for i, (y, m) in enumerate(periods.itertuples(index=False))])
    tables = {
        "xlsx (values as number cells)": read("observations.xlsx", xlsx_of(rows)),
        "csv (text)": csv_table,
        "csv, every month in another form": replace(csv_table, frame=mixed),
        "csv, every value bad": replace(csv_table, frame=bad),
    }
    print(f"validate, {args.rows:,} observation rows, median of {args.repeats}\n")
    print(f"| {'table':<36} | wall s | CPU s | peak MB | problems |")
    print(f"|{'-' * 38}|-------:|------:|--------:|---------:|")
    for name, table in tables.items():
        wall, cpu = timings(lambda table=table: validate(table), args.repeats)
        problems = len(validate(table)[1])
        print(f"| {name:<36} | {wall:6.2f} | {cpu:5.2f} | {peak_mb(lambda table=table: validate(table)):7.0f} "
              f"| {problems:8,} |")


if __name__ == "__main__":
    main()
