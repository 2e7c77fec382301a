"""A runner in its own process for the job-run tests:
``python -m tests.data_access.job_probe URL JOB SLOT FILE SECONDS``.

Claims (JOB, SLOT) with data_access.job_runs; its work appends this process's id to FILE, then sleeps SECONDS
(long enough for a test to start a rival or to kill it mid-job). Prints the outcome.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from data_access.db import create_database_engine
from data_access.job_runs import run_once


def main(url: str, job: str, slot: str, marks: str, seconds: str) -> None:
    engine = create_database_engine(url)

    def work() -> None:
        with Path(marks).open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        time.sleep(float(seconds))

    print(run_once(engine, job, slot, work).result, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
