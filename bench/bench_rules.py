"""Benchmark the early-warning rules at city scale: 5,000 projects × 36 months.

Run: ``python bench/bench_rules.py``. Builds synthetic inputs shaped like the
data layer's frames (the four tracking series plus 10 KPIs per project and
month, 5 milestones per project, monthly composite scores), then prints the
median time of :func:`scoring.rules.evaluate` over 8 rules of all six types
with last month's findings as the open alerts (target from issue 6: < 2 s),
of each rule alone (the admin's preview) and of :func:`scoring.rules.reconcile`,
with rows in and findings out. Nothing is written to disk.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run by path from anywhere

from timing import median_ms  # bench/ is on sys.path when run as a script

from scoring.rules import Rule, evaluate, reconcile

PROJECTS, MONTHS, KPIS, MILESTONES_PER_PROJECT = 5_000, 36, 10, 5
AS_OF = dt.date(2026, 6, 15)
TARGET_SECONDS = 2.0
RULES = [
    Rule(1, "budget_overrun", "red"),
    Rule(2, "progress_lag", "orange", {"points": 5, "periods": 2}),
    Rule(3, "milestone_overdue", "yellow", {"days": 3}),
    Rule(4, "indicator_threshold", "orange", {"indicator": "KPI_00", "below": 60, "periods": 3, "recovery_margin": 2},
         scope_kind="category", scope_value="road"),
    Rule(5, "indicator_threshold", "yellow", {"indicator": "KPI_01", "lower": 20, "upper": 80},
         scope_kind="region", scope_value="/1/4/"),
    Rule(6, "score_drop", "yellow", {"points": 10}),
    Rule(7, "missing_report", "red", {"periods": 1}),
    Rule(8, "missing_report", "orange", {"periods": 2, "indicator": "KPI_02", "include_current_month": True}),
]


def synthetic_inputs(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Frames with the data layer's columns and dtypes; 3 % of reports missing, 4 % of owners stopped reporting."""
    ids = np.arange(1, PROJECTS + 1) * 3  # not positions: the engine must map ids
    months = pd.date_range(end=pd.Timestamp(AS_OF).to_period("M").to_timestamp(), periods=MONTHS, freq="MS")
    projects = pd.DataFrame({
        "id": ids,
        "category_code": pd.Series(rng.choice(["road", "park", "school", "water"], PROJECTS), dtype="str"),
        "region_path": pd.Series([f"/1/{r}/{d}/" for r, d in zip(rng.integers(1, 12, PROJECTS),
                                                                 rng.integers(1, 30, PROJECTS), strict=True)],
                                 dtype="str"),
        "budget": rng.uniform(1e6, 5e8, PROJECTS).round(2),
        "status": pd.Series(rng.choice(["planned", "active", "suspended", "completed"], PROJECTS,
                                       p=[0.05, 0.8, 0.05, 0.1]), dtype="str"),
        "planned_start": [d.date() for d in months[rng.integers(0, MONTHS, PROJECTS)]],
        "planned_end": [dt.date(2028, 12, 31)] * PROJECTS,
    })
    t = np.linspace(0.05, 0.75, MONTHS)  # share of the work planned by each month
    plan = 100 * t[None, :] * np.ones((PROJECTS, 1))
    slip = rng.exponential(0.025, (PROJECTS, 1))  # some projects fall steadily behind
    actual = np.clip(plan * (1 - slip) + rng.normal(0, 1, (PROJECTS, MONTHS)), 0, 100)
    spend_plan = (projects["budget"].to_numpy() / 1e4)[:, None] * t[None, :]  # 万元
    spend = spend_plan * rng.normal(1.0, 0.05, (PROJECTS, 1)) * rng.normal(1.0, 0.01, (PROJECTS, MONTHS))
    series = {"PROG_PLAN": plan, "PROG_ACTUAL": actual, "SPEND_PLAN": spend_plan, "SPEND_CUM": spend}
    series |= {f"KPI_{k:02d}": rng.normal(70, 12, (PROJECTS, MONTHS)) for k in range(KPIS)}
    stopped_at = np.where(rng.random(PROJECTS) < 0.04, rng.integers(MONTHS - 6, MONTHS, PROJECTS), MONTHS)
    reported = (rng.random((PROJECTS, MONTHS)) > 0.03) & (np.arange(MONTHS)[None, :] < stopped_at[:, None])
    project_of, month_of = np.nonzero(reported)
    observations = pd.concat([pd.DataFrame({
        "project_id": ids[project_of], "indicator_code": pd.Series([code] * project_of.size, dtype="str"),
        "period": months[month_of].astype("datetime64[us]"), "value": values[project_of, month_of],
    }) for code, values in series.items()], ignore_index=True)
    planned_end = pd.Timestamp(AS_OF) + pd.to_timedelta(rng.integers(-400, 400, PROJECTS * MILESTONES_PER_PROJECT), "D")
    done = (planned_end < pd.Timestamp(AS_OF)) & (rng.random(planned_end.size) < 0.95)
    milestones = pd.DataFrame({
        "id": np.arange(1, planned_end.size + 1),
        "project_id": np.repeat(ids, MILESTONES_PER_PROJECT),
        "planned_end": [d.date() for d in planned_end],
        "actual_end": [d.date() if finished else None for d, finished in zip(planned_end, done, strict=True)],
        "percent_complete": np.where(done, 100.0, rng.uniform(0, 99, planned_end.size).round()),
    })
    scores = pd.DataFrame({
        "project_id": np.repeat(ids, MONTHS), "period": np.tile(months.astype("datetime64[us]"), PROJECTS),
        "total": np.where(rng.random(PROJECTS * MONTHS) < 0.02, np.nan,
                          (rng.normal(75, 8, (PROJECTS, 1)) + rng.normal(0, 3, (PROJECTS, MONTHS))).ravel()),
    })
    return {"projects": projects, "observations": observations, "milestones": milestones, "scores": scores}


def main() -> None:
    inputs = synthetic_inputs(np.random.default_rng(6))
    rows_in = sum(len(frame) for frame in inputs.values())
    month_before = evaluate(RULES, as_of=AS_OF - dt.timedelta(days=30), **inputs)
    open_alerts = month_before[["rule_id", "project_id"]]  # what last month's run opened
    results = []

    def timed(label: str, work: Callable[[], pd.DataFrame], repeats: int) -> float:
        found = work()
        milliseconds = median_ms(work, repeats)
        results.append((label, milliseconds, rows_in, len(found)))
        return milliseconds

    full = timed("evaluate, 8 rules, last month's open", lambda: evaluate(RULES, as_of=AS_OF, open_alerts=open_alerts,
                                                                   **inputs), 7)
    for rule in RULES:
        timed(f"  preview rule {rule.id} {rule.rule_type}",
              lambda rule=rule: evaluate([rule], as_of=AS_OF, **inputs), 5)
    findings = evaluate(RULES, as_of=AS_OF, open_alerts=open_alerts, **inputs)
    plan = reconcile(findings, open_alerts, rule_ids=[rule.id for rule in RULES])
    reconcile_ms = median_ms(lambda: reconcile(findings, open_alerts, rule_ids=[rule.id for rule in RULES]), 7)

    print(f"{PROJECTS:,} projects × {MONTHS} months: {len(inputs['observations']):,} observations, "
          f"{len(inputs['milestones']):,} milestones, {len(inputs['scores']):,} scores\n")
    print(f"{'operation':<42} {'median ms':>10} {'rows in':>11} {'findings':>9}")
    for label, milliseconds, rows, found in results:
        print(f"{label:<42} {milliseconds:>10.1f} {rows:>11,} {found:>9,}")
    print(f"{'reconcile':<42} {reconcile_ms:>10.1f} {len(findings):>11,} "
          f"{len(plan.to_open):,} open / {len(plan.to_keep):,} keep / {len(plan.to_close):,} close")
    verdict = "OK" if full / 1e3 < TARGET_SECONDS else "TOO SLOW"
    print(f"\nevaluate median {full / 1e3:.3f} s, target < {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
