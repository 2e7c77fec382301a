"""Benchmark reading a 100,000-row observations upload (xlsx and csv): the first stage of an import.

Run: ``python bench/bench_import_read.py [--rows 100000] [--repeats 3]``.

Builds the files in memory (the xlsx with openpyxl's write-only mode, two header rows as in the template), then
times ``services.importing.reading.read_upload`` on each: median of ``--repeats`` runs (wall time, and the
process's CPU time, which other work on a shared machine does not inflate), and in a fresh child
process per file the peak of Python allocations (tracemalloc) and the child's peak resident memory (getrusage;
calamine's own Rust allocations show only there). The issue's targets are for validate + commit of the whole
file (< 30 s xlsx, < 10 s csv on SQLite); reading should be a small part of them.
"""
from __future__ import annotations

import argparse
import io
import multiprocessing
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run by path from anywhere

import openpyxl  # noqa: E402
from timing import median_ms  # noqa: E402 - bench/ is on sys.path when run as a script

from services.importing.reading import read_upload  # noqa: E402
from tests.spreadsheets import csv_bytes, header_rows  # noqa: E402


def observation_rows(count: int) -> list[list[object]]:
    """``count`` rows: 500 projects × 20 indicators × as many months as needed."""
    rows: list[list[object]] = []
    for number in range(count):
        month = number // 10_000
        rows.append([f"P{number % 500:04d}", f"K{number // 500 % 20:02d}",
                     f"{2020 + month // 12}-{month % 12 + 1:02d}", round(number * 0.37 % 1000, 2)])
    return rows


def xlsx_of(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("月度数据")
    for row in [*header_rows("observations"), *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cpu_seconds(name: str, content: bytes) -> float:
    start = time.process_time()
    read_upload(name, content, "observations")
    return time.process_time() - start


def _measure_memory(name: str, content: bytes, queue: multiprocessing.Queue[tuple[float, float]]) -> None:
    tracemalloc.start()
    read_upload(name, content, "observations")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put((peak / 2**20, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def peak_memory(name: str, content: bytes) -> tuple[float, float]:
    """(Python allocations MB, resident set MB) at their peak while reading, in a fresh process."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[float, float]] = context.Queue()
    child = context.Process(target=_measure_memory, args=(name, content, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    rows = observation_rows(args.rows)
    files = {"observations.xlsx": xlsx_of(rows), "observations.csv": csv_bytes(rows, header=header_rows("observations"),
                                                                               encoding="utf-8-sig")}
    print(f"built {args.rows:,}-row files in {time.perf_counter() - start:.1f} s\n")
    print(f"{'file':<20} {'size MB':>8} {'wall s':>7} {'CPU s':>6} {'rows/s (CPU)':>13} {'py peak MB':>11} "
          f"{'RSS peak MB':>12}")
    for name, content in files.items():
        table, problems = read_upload(name, content, "observations")
        assert table is not None and len(table.frame) == args.rows and not problems, problems[:3]
        seconds = median_ms(lambda name=name, content=content: read_upload(name, content, "observations"),
                            args.repeats) / 1e3
        cpu = statistics.median(cpu_seconds(name, content) for _ in range(args.repeats))
        python_peak, resident_peak = peak_memory(name, content)
        print(f"{name:<20} {len(content) / 2**20:>8.1f} {seconds:>7.2f} {cpu:>6.2f} {args.rows / cpu:>13,.0f} "
              f"{python_peak:>11.0f} {resident_peak:>12.0f}")


if __name__ == "__main__":
    main()
