"""Result application for pages and commands: the dashboard's scores → the allocation, and the what-if.

The scores are the scorecards' own (:func:`services.scores.period_scores`: same totals, same grades); a what-if
under another stored weight scheme re-scores through the same path with that scheme's model
(:func:`services.scores.load_model`), so its totals equal what the what-if page shows for that scheme. The
arithmetic itself is :mod:`scoring.allocation`.

A pool is a city's (:func:`in_city`; the page allocates one city at a time), shared among every project of it,
so only viewers who see every region compute allocations (``Action.READ_ALL_REGIONS``); a district official
reads the saved proposals, whose lines ``data_access.allocation`` cuts to their district.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from data_access import Viewer, list_projects, list_regions
from data_access.policy import Action, require
from scoring.allocation import AllocationRules, allocate, budget_priority, by_district, change, obligations
from services.scores import load_model, period_scores


@dataclass(frozen=True)
class Allocation:
    """One allocation with the names to show it: lines per project, totals per district, the rest."""

    rules: AllocationRules
    lines: pd.DataFrame  # project id index: name_zh, name_en, district_name_zh/en and scoring.allocation's columns
    districts: pd.DataFrame  # district id index: name_zh, name_en and scoring.allocation.by_district's columns
    unallocated_fen: int


def scored_projects(engine: Engine, viewer: Viewer, period: dt.date | None,
                    scheme_id: int | None = None) -> pd.DataFrame:
    """Every project in scope with its names, district, city and the dashboard's score and grade for ``period``
    (under ``scheme_id``, default the default scheme); ``attrs["period"]`` is the month scored."""
    require(viewer, Action.READ_ALL_REGIONS)
    scores = period_scores(engine, viewer, period, model=load_model(engine, viewer, scheme_id=scheme_id))
    projects = list_projects(engine, viewer).set_index("id")
    frame = projects[["name_zh", "name_en", "district_id", "city_id"]].join(
        scores[["total", "grade"]].rename(columns={"total": "score"}))
    frame["grade"] = frame["grade"].astype(object)
    frame.attrs["period"] = scores.attrs.get("period")
    return frame


def in_city(projects: pd.DataFrame, city: int | None) -> pd.DataFrame:
    """The projects of one city (:func:`scored_projects`' rows): a bonus pool is a city's, so a deployment that
    spans several cities allocates one city at a time (all rows when ``city`` is None)."""
    if city is None:
        return projects
    chosen = projects[projects["city_id"] == city]
    chosen.attrs = dict(projects.attrs)
    return chosen


def compute(projects: pd.DataFrame, regions: pd.DataFrame, rules: AllocationRules) -> Allocation:
    """The allocation of ``projects`` (:func:`scored_projects`) under ``rules``, with district names from
    ``regions`` (id, name_zh, name_en)."""
    lines, rest = allocate(projects, rules)
    names = regions.set_index("id")[["name_zh", "name_en"]]
    lines = projects[["name_zh", "name_en"]].join(lines, how="right")
    lines = lines.join(names.add_prefix("district_"), on="district_id")
    districts = names.join(by_district(lines, rules), how="inner").sort_values("final_fen", ascending=False,
                                                                              kind="stable")
    return Allocation(rules=rules, lines=lines, districts=districts, unallocated_fen=rest)


def load(engine: Engine, viewer: Viewer, period: dt.date | None, rules: AllocationRules,
         scheme_id: int | None = None) -> Allocation:
    """:func:`compute` on the viewer's projects, read from the database."""
    return compute(scored_projects(engine, viewer, period, scheme_id), list_regions(engine, viewer), rules)


@dataclass(frozen=True)
class WhatIf:
    """A what-if allocation next to the one under the rule in force."""

    base: Allocation
    new: Allocation
    project_change: pd.Series  # fen, project id index (new − base)
    district_change: pd.Series  # fen, district id index


def what_if(base: Allocation, new: Allocation) -> WhatIf:
    """How ``new`` differs from ``base``, per project and per district."""
    return WhatIf(base=base, new=new, project_change=change(base.lines, new.lines),
                  district_change=change(base.districts, new.districts))


def priority_list(projects: pd.DataFrame, rules: AllocationRules) -> pd.DataFrame:
    """Next year's budget priority (:func:`scoring.allocation.budget_priority`) with the project names."""
    return projects[["name_zh", "name_en", "district_id"]].join(budget_priority(projects, rules), how="right")


def obligation_list(projects: pd.DataFrame, rules: AllocationRules) -> pd.DataFrame:
    """The obligations (:func:`scoring.allocation.obligations`) with the project names and scores."""
    listed = obligations(projects, rules)
    return listed.join(projects[["name_zh", "name_en", "score"]], on="project_id")


def compare_proposals(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Two proposals' lines (``data_access.allocation.Proposal.lines``) per district: first_fen, second_fen,
    change_fen (second − first), districts of either."""
    totals = [lines.groupby("district_id")["final_fen"].sum() for lines in (first, second)]
    frame = pd.DataFrame({"first_fen": totals[0], "second_fen": totals[1]}).fillna(0).astype("int64")
    frame["change_fen"] = frame["second_fen"] - frame["first_fen"]
    return frame
