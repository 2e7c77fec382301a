"""The demo's history as the frames risk prediction reads (data_access.risk_facts' columns), built in memory
once per test process: the scoring and service tests train on it without a database."""
from __future__ import annotations

import datetime as dt
from functools import cache

from data_access.demo.generator import build
from data_access.demo.history import risk_facts_of
from data_access.risk_facts import RiskFacts
from scoring.risk_model import RiskSettings, TargetResult, train

DEMO_DAY = dt.date(2026, 11, 1)


@cache
def demo_facts(projects: int = 300, history: int = 400, seed: int = 2026) -> RiskFacts:
    """The standard demo (300 projects over 24 months, 400 archived before them) as of :data:`DEMO_DAY`."""
    return risk_facts_of(build(projects=projects, months=24, seed=seed, until=DEMO_DAY, history=history))


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
