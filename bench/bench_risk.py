"""Benchmark risk prediction on the large demo set: training < 60 s, predicting every active project < 1 s.

Run: ``python bench/bench_risk.py [--projects 5000 --months 36 --history 1250]``. The set is the benchmark's
(``python -m data_access.demo --projects 5000 --months 36 --dense``: every project active and reporting every
month, and its 1,250 archived projects), built in memory: what is timed is the work on the facts
(:mod:`scoring.risk_features`, :mod:`scoring.risk_model`), not the database read in front of it, which
``bench_data_access.py`` covers for reads of this size. Prints one row per step: projects, wall-clock and CPU
seconds (the median of three runs for the prediction steps, one run for training) and the target.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run by path from anywhere

from data_access.demo.generator import build
from data_access.demo.history import risk_facts_of
from scoring import risk_model
from scoring.risk_features import features_at
from scoring.risk_model import Bundle, RiskSettings

UNTIL = dt.date(2026, 11, 1)


def timed(work: Callable[[], Any], runs: int) -> tuple[tuple[float, float], Any]:
    """The median wall-clock and CPU seconds of ``runs`` runs, and the last run's result. CPU time is what the
    work costs whatever else the machine runs (the wall clock grows with the load: see the load average)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return (statistics.median(walls), statistics.median(cpus)), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--history", type=int, default=1250)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    facts = risk_facts_of(build(projects=args.projects, months=args.months, seed=2026, until=UNTIL, dense=True,
                                history=args.history))
    print(f"large demo built in memory in {time.perf_counter() - started:.1f} s: {len(facts.projects):,} projects, "
          f"{len(facts.observations):,} progress and spend figures")
    projects = facts.projects
    finished = projects[projects["status"].isin(["completed", "archived"])]
    active = projects[projects["status"].isin(["active", "suspended"])]
    settings = RiskSettings()
    train_seconds, results = timed(lambda: risk_model.train(finished, facts.observations, facts.milestones,
                                                            settings), 1)
    bundles = {result.target: Bundle.from_bytes(result.model) for result in results if result.model}
    examples = pd.DataFrame({"project_id": active["id"], "as_of": pd.Timestamp(UNTIL)})
    feature_seconds, features = timed(lambda: features_at(projects, facts.observations, facts.milestones,
                                                          examples), 3)
    predict_seconds, _ = timed(lambda: risk_model.predict(bundles, features), 3)
    reason_seconds, _ = timed(lambda: risk_model.reasons(bundles["late"], features), 3)
    together = tuple(sum(parts) for parts in zip(feature_seconds, predict_seconds, reason_seconds, strict=True))
    rows = [
        ("train every target (features, fit, held-out scores)", len(finished), train_seconds, "< 60 s"),
        ("features of every active project today", len(active), feature_seconds, ""),
        ("probabilities and delay of every active project", len(active), predict_seconds, ""),
        ("reasons of every active project", len(active), reason_seconds, ""),
        ("predict all active projects (the three above)", len(active), together, "< 1 s"),
    ]
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'step':<55} {'projects':>9} {'wall s':>7} {'CPU s':>6}  target")
    for step, count, (wall, cpu), target in rows:
        print(f"{step:<55} {count:>9,} {wall:>7.2f} {cpu:>6.2f}  {target}")
    print("\n" + "  ".join(f"{result.target}: {result.status}" for result in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
