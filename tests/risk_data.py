"""The demo's history as the frames risk prediction reads (data_access.risk_facts' columns), built in memory
once per test process: the scoring and service tests train on it without a database."""
from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd

from data_access.demo.generator import build
from data_access.risk_facts import RiskFacts
from scoring.risk_model import RiskSettings, TargetResult, train

DEMO_DAY = dt.date(2026, 11, 1)


@cache
def demo_facts(projects: int = 300, history: int = 400, seed: int = 2026) -> RiskFacts:
    """The standard demo (300 projects over 24 months, 400 archived before them) as of :data:`DEMO_DAY`."""
    data = build(projects=projects, months=24, seed=seed, until=DEMO_DAY, history=history)
    categories = {row["id"]: row["code"] for row in data.tables["categories"]}
    regions = {row["id"]: row for row in data.tables["regions"]}
    frame = pd.DataFrame(data.tables["projects"])
    frame["category_code"] = frame["category_id"].map(categories)
    frame["region_zh"] = frame["region_id"].map(lambda r: regions[r]["name_zh"])
    frame["region_en"] = frame["region_id"].map(lambda r: regions[r]["name_en"])
    frame["budget"] = frame["budget"].astype(float)
    for column in ("planned_start", "planned_end", "actual_start", "actual_end"):
        frame[column] = pd.to_datetime(frame[column])
    codes = {indicator_id: code for code, indicator_id in data.indicator_ids.items()}
    observations = pd.DataFrame({"project_id": data.observations["project_id"],
                                 "indicator_code": pd.Series(data.observations["indicator_id"]).map(codes),
                                 "period": pd.to_datetime(data.observations["period"]),
                                 "value": data.observations["value"].astype(float)})
    observations = observations[observations["indicator_code"].isin(
        ["PROG_ACTUAL", "PROG_PLAN", "SPEND_CUM", "SPEND_PLAN"])].reset_index(drop=True)
    milestones = pd.DataFrame(data.tables["milestones"])[["project_id", "planned_end", "actual_end"]]
    for column in ("planned_end", "actual_end"):
        milestones[column] = pd.to_datetime(milestones[column])
    return RiskFacts(frame, observations, milestones)


def finished(facts: RiskFacts) -> RiskFacts:
    """Only the finished projects (what training reads)."""
    ids = facts.projects.loc[facts.projects["status"].isin(["completed", "archived"]), "id"]
    return RiskFacts(facts.projects[facts.projects["id"].isin(ids)].reset_index(drop=True),
                     facts.observations[facts.observations["project_id"].isin(ids)].reset_index(drop=True),
                     facts.milestones[facts.milestones["project_id"].isin(ids)].reset_index(drop=True))


@cache
def trained_on_demo() -> tuple[TargetResult, ...]:
    """Every target trained on the demo's finished projects with the default settings."""
    facts = finished(demo_facts())
    return tuple(train(facts.projects, facts.observations, facts.milestones, RiskSettings()))
