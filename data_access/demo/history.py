"""Years of finished, archived projects before the demo's window: the history risk prediction learns from.

Each project has a hidden "trouble" level (a team, site or contractor that struggles), made of its own luck
plus its category's and district's and a little of its size. Trouble shows early, but only partly and with
noise: a later start, progress trailing the plan more as the work goes on, spend running ahead of progress,
milestones finishing late and reports missed. Part of the final delay only arrives in the last third of the
work (a late shock nobody could have seen), so early signals predict the outcome well but not perfectly, and
the outcome is never copied into any signal.

Only what a risk model and the archive need is generated (progress and spend with their plans, the two ratios
drawn from them, milestones); archived projects are out of every dashboard (:mod:`data_access.scope`). The draws
come from their own generator (``[seed, 17]``), so the rest of the demo is the same with or without history.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from data_access.demo.library import CATEGORIES, CATEGORY_DEPARTMENT, MILESTONE_NAMES, NAME_KINDS, NAME_THEMES
from data_access.demo.synthesis import DemoData, dates_from_month_index, draw_places, offset_point
from data_access.risk_facts import RISK_CODES, RiskFacts
from scoring.periods import from_month_index

HISTORY_SEED_STREAM = 17
FIRST_START_MONTHS_AGO, LAST_START_MONTHS_AGO = 84, 44  # planned starts between 7 and 3⅔ years ago


def _s_curve(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _delay_at(elapsed: np.ndarray, visible: np.ndarray, shock: np.ndarray) -> np.ndarray:
    """Months behind at ``elapsed`` (share of planned duration): the visible delay builds up with the work, the
    late shock only over the last 35 %."""
    return visible * np.clip(elapsed, 0, 1) + shock * np.clip((elapsed - 0.65) / 0.35, 0, 1)


def add_history(data: DemoData, count: int) -> None:
    """Append ``count`` archived projects with their milestones and monthly progress and spend to ``data``."""
    if count <= 0:
        return
    rng = np.random.default_rng([data.seed, HISTORY_SEED_STREAM])
    places, categories, city_of = draw_places(rng, count)
    category_effect = dict(zip([code for code, _, _ in CATEGORIES], rng.normal(0, 0.45, len(CATEGORIES)),
                               strict=True))
    districts = sorted({place.code if place.level == "district" else str(place.parent) for place in places})
    district_effect = dict(zip(districts, rng.normal(0, 0.35, len(districts)), strict=True))
    size = rng.lognormal(0.0, 0.5, count)
    trouble = (rng.normal(0, 1, count) + np.array([category_effect[c] for c in categories])
               + np.array([district_effect[p.code if p.level == "district" else str(p.parent)] for p in places])
               + 0.4 * np.log(size))
    planned_start = rng.uniform(data.t_last - FIRST_START_MONTHS_AGO, data.t_last - LAST_START_MONTHS_AGO, count)
    duration = rng.uniform(10, 30, count)
    start_slip = np.clip(rng.normal(0.2 * trouble, 0.4), -0.3, 2.0)
    visible = np.clip(1.3 * trouble + rng.normal(-0.5, 1.0, count), -1.0, 7.0)
    shock = np.clip(rng.normal(0, 1.2, count), -0.8, 3.0)
    actual_start = planned_start + start_slip
    actual_end = actual_start + duration + visible + shock
    overrun = np.clip(0.055 * trouble + rng.normal(0.005, 0.05, count), -0.08, 0.45)
    budget_wan = np.round(rng.lognormal(np.log(8000), 0.9, count) * (1 + size) / 2, 0)
    miss_odds = 0.02 + 0.06 * np.clip(trouble, 0, None)

    first_id = len(data.tables["projects"]) + 1
    ids = np.arange(first_id, first_id + count)
    distance = np.array([p.inner_km for p in places]) * np.sqrt(rng.uniform(0, 0.85 ** 2, count))
    lat, lon = offset_point(np.array([p.lat for p in places]), np.array([p.lon for p in places]), distance,
                            rng.uniform(0, 2 * np.pi, count))
    dates = {name: dates_from_month_index(values) for name, values in (
        ("planned_start", planned_start), ("planned_end", planned_start + duration),
        ("actual_start", actual_start), ("actual_end", actual_end))}
    rows: list[dict[str, Any]] = []
    for k, (place, category) in enumerate(zip(places, categories, strict=True)):
        themes = NAME_THEMES[category]
        theme, kind = themes[int(rng.integers(len(themes)))], NAME_KINDS[category]
        year = dates["planned_start"][k].year
        short_zh = place.name_zh.removesuffix("街道")
        short_en = place.name_en.replace(" District", "").replace(" County", "").replace(" Subdistrict", "")
        rows.append({
            "id": int(ids[k]), "code": f"P{place.code[:6]}-{ids[k]:05d}",
            "name_zh": f"{short_zh}{theme[0]}{kind[0]}（{year}年）", "name_en": f"{short_en} {theme[1].lower()} "
                                                                            f"{kind[1]} ({year})",
            "category_id": data.category_ids[category], "region_id": data.region_ids[place.code],
            "department_id": data.department_ids[(city_of[place.code], CATEGORY_DEPARTMENT[category])],
            "manager_id": data.manager_ids[city_of[place.code]][k % 2],
            "lat": round(float(lat[k]), 6), "lon": round(float(lon[k]), 6),
            "budget": f"{budget_wan[k] * 10000:.2f}", "status": "archived", "version": 1,
            **{name: dates[name][k] for name in ("planned_start", "planned_end", "actual_start", "actual_end")},
        })
    data.tables["projects"].extend(rows)
    _milestones(data, ids, planned_start, duration, start_slip, visible, shock, rng)
    _observations(data, ids, planned_start, duration, actual_start, actual_end, visible, shock, overrun,
                  budget_wan, miss_odds, rng)


def _milestones(data: DemoData, ids: np.ndarray, planned_start: np.ndarray, duration: np.ndarray,
                start_slip: np.ndarray, visible: np.ndarray, shock: np.ndarray, rng: np.random.Generator) -> None:
    rows = data.tables["milestones"]
    for k, project_id in enumerate(ids.tolist()):
        count = 4 + (project_id % 3)
        names = MILESTONE_NAMES[:count - 1] + MILESTONE_NAMES[-1:]
        shares = np.linspace(0, 1, count + 1)
        bounds = planned_start[k] + duration[k] * shares
        slip = (start_slip[k] + _delay_at(shares, np.full_like(shares, visible[k]), np.full_like(shares, shock[k]))
                + rng.normal(0, 0.25, count + 1))
        actual_ends = np.maximum.accumulate(bounds[1:] + slip[1:])
        actual_ends[-1] = max(actual_ends[-1], planned_start[k] + start_slip[k] + duration[k] + visible[k]
                              + shock[k] - 0.05)
        starts, ends = dates_from_month_index(bounds[:-1]), dates_from_month_index(bounds[1:])
        done = dates_from_month_index(actual_ends)
        manager_id = data.tables["projects"][project_id - 1]["manager_id"]
        for j, (name_zh, name_en) in enumerate(names):
            rows.append({"project_id": project_id, "seq": j + 1, "name_zh": name_zh, "name_en": name_en,
                         "planned_start": starts[j], "planned_end": ends[j], "actual_end": done[j],
                         "percent_complete": 100.0, "owner_id": manager_id})


def _observations(data: DemoData, ids: np.ndarray, planned_start: np.ndarray, duration: np.ndarray,
                  actual_start: np.ndarray, actual_end: np.ndarray, visible: np.ndarray, shock: np.ndarray,
                  overrun: np.ndarray, budget_wan: np.ndarray, miss_odds: np.ndarray,
                  rng: np.random.Generator) -> None:
    """Monthly progress and spend with their plans, from the month after the start to the month of the end."""
    first_month = int(np.floor(actual_start.min()))
    months = np.arange(first_month, int(np.floor(actual_end.max())) + 1)
    tau = (months + 1.0)[None, :]  # end of each month
    span = duration[:, None]
    elapsed = (tau - actual_start[:, None]) / span
    delay = _delay_at(elapsed, visible[:, None], shock[:, None])
    planned = 100 * _s_curve((tau - planned_start[:, None]) / span)
    actual = 100 * _s_curve((tau - actual_start[:, None] - delay) / span)
    actual = np.maximum.accumulate(np.clip(actual + rng.normal(0, 1.5, actual.shape), 0, 100), axis=1)
    done = tau >= actual_end[:, None]
    actual = np.where(done, 100.0, np.minimum(actual, 99.5))
    budget = budget_wan[:, None]
    spend_plan = budget * planned / 100
    spend = budget * actual / 100 * (1 + overrun[:, None] * np.clip(elapsed, 0, 1) ** 0.7)
    spend = np.maximum.accumulate(spend * (1 + rng.normal(0, 0.01, spend.shape)), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        budget_exec = np.where(planned > 5, spend / spend_plan * 100, np.nan)
        progress_ratio = np.where(planned > 5, np.minimum(actual / planned * 100, 130), np.nan)
    reporting = (tau > actual_start[:, None]) & (tau - 1 < actual_end[:, None])
    reporting &= ~((rng.uniform(size=actual.shape) < miss_odds[:, None]) & ~done)
    series = {"PROG_ACTUAL": actual, "PROG_PLAN": planned, "SPEND_CUM": spend, "SPEND_PLAN": spend_plan,
              "BUDGET_EXEC": budget_exec, "PROG_RATIO": progress_ratio}
    periods = np.array([from_month_index(int(m)) for m in months], dtype="datetime64[D]")
    columns: dict[str, list[np.ndarray]] = {"project_id": [], "indicator_id": [], "period": [], "value": []}
    for code, values in series.items():
        row, month = np.nonzero(reporting & np.isfinite(values))
        columns["project_id"].append(ids[row])
        columns["indicator_id"].append(np.full(len(row), data.indicator_ids[code]))
        columns["period"].append(periods[month])
        columns["value"].append(np.round(values[row, month], 3))
    for name, parts in columns.items():
        data.observations[name] = np.concatenate([data.observations[name], *parts])
    data.tables["import_batches"][0]["row_count"] = int(len(data.observations["value"]))


def risk_facts_of(data: DemoData) -> RiskFacts:
    """The demo's facts as :func:`data_access.risk_facts.read_risk_facts` returns them from a database, every
    project included, computed in memory (tests and the risk benchmark train without seeding a database)."""
    categories = {row["id"]: row["code"] for row in data.tables["categories"]}
    regions = {row["id"]: row for row in data.tables["regions"]}
    projects = pd.DataFrame(data.tables["projects"])
    projects["category_code"] = projects["category_id"].map(categories)
    projects["region_zh"] = projects["region_id"].map(lambda region: regions[region]["name_zh"])
    projects["region_en"] = projects["region_id"].map(lambda region: regions[region]["name_en"])
    projects["budget"] = projects["budget"].astype(float)
    for column in ("planned_start", "planned_end", "actual_start", "actual_end"):
        projects[column] = pd.to_datetime(projects[column])
    codes = {indicator_id: code for code, indicator_id in data.indicator_ids.items()}
    observations = pd.DataFrame({"project_id": data.observations["project_id"],
                                 "indicator_code": pd.Series(data.observations["indicator_id"]).map(codes),
                                 "period": pd.to_datetime(data.observations["period"]),
                                 "value": data.observations["value"].astype(float)})
    observations = observations[observations["indicator_code"].isin(RISK_CODES)].reset_index(drop=True)
    milestones = pd.DataFrame(data.tables["milestones"])[["project_id", "planned_end", "actual_end"]]
    for column in ("planned_end", "actual_end"):
        milestones[column] = pd.to_datetime(milestones[column])
    return RiskFacts(projects, observations, milestones)
