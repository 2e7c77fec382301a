"""The shapes the read endpoints answer with (for the OpenAPI spec and to check every answer before it leaves).

Names come in both languages (``name_zh``, ``name_en``), dates as ISO text, periods as "YYYY-MM", money in CNY
and scores in points (0–100) as plain numbers; a value that is not known is ``null``.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

ProjectStatus = Literal["planned", "active", "suspended", "completed"]  # archived projects leave every view
AlertStatus = Literal["open", "acknowledged", "rectifying", "resolved", "closed"]
Severity = Literal["red", "orange", "yellow"]
RectificationStage = Literal["in_progress", "submitted", "verified", "closed"]
PERIOD_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


class Named(BaseModel):
    """A category or a region: its code and names."""

    code: str = Field(examples=["410202"])
    name_zh: str = Field(examples=["龙亭区"])
    name_en: str | None = Field(examples=["Longting District"])


class Project(BaseModel):
    code: str = Field(examples=["P410202-00024"])
    name_zh: str = Field(examples=["龙亭区城市大脑建设项目"])
    name_en: str | None = Field(examples=["Longting city brain project"])
    category: Named
    region: Named = Field(description="The project's own region (a district, or a street in it)")
    district: Named | None = Field(description="The district the project lies in")
    status: ProjectStatus
    planned_start: dt.date | None = Field(examples=["2026-01-15"])
    planned_end: dt.date | None = Field(examples=["2027-06-30"])
    actual_start: dt.date | None
    actual_end: dt.date | None
    budget: float | None = Field(description="CNY", examples=[12500000.0])
    manager_username: str | None = Field(examples=["pm_longting"])
    lat: float | None = Field(examples=[34.8])
    lon: float | None = Field(examples=[114.35])


class ProjectPage(BaseModel):
    """One page of projects: ``total`` counts every page, ``items`` holds at most ``limit`` from ``offset``."""

    total: int = Field(examples=[16])
    limit: int = Field(examples=[100])
    offset: int = Field(examples=[0])
    items: list[Project]


class Milestone(BaseModel):
    id: int
    seq: int = Field(examples=[1])
    name_zh: str = Field(examples=["主体完工"])
    name_en: str | None = Field(examples=["Main works complete"])
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_end: dt.date | None
    percent_complete: float | None = Field(examples=[60.0])


class ProjectDetail(Project):
    milestones: list[Milestone]


class Contribution(BaseModel):
    """One weighted indicator of a project: ``contribution = score × weight / coverage`` (0 without a value)."""

    indicator_code: str = Field(examples=["PROG_RATIO"])
    name_zh: str = Field(examples=["进度计划完成率"])
    name_en: str | None = Field(examples=["Progress against plan"])
    unit_zh: str | None = Field(examples=["%"])
    unit_en: str | None = Field(examples=["%"])
    value: float | None = Field(description="The reported value this month", examples=[72.334])
    score: float | None = Field(description="The value normalised against the target, 0–100", examples=[72.334])
    weight: float = Field(description="The indicator's weight among those of the project's category (they sum to 1)",
                          examples=[0.1433])
    contribution: float | None = Field(description="Points added to the total (null while unscored)",
                                       examples=[10.363])


class ProjectScore(BaseModel):
    code: str = Field(examples=["P410202-00024"])
    name_zh: str
    name_en: str | None
    district: Named | None
    total: float | None = Field(description="0–100; null when too few indicators were reported", examples=[87.58])
    grade: str | None = Field(examples=["良好"])
    grade_en: str | None = Field(examples=["Good"])
    rank: int | None = Field(description="Rank among the scored projects in scope", examples=[8])
    of: int = Field(description="How many projects in scope were scored", examples=[11])
    coverage: float = Field(description="Share of the weight that has a value (0–1)", examples=[1.0])
    contributions: list[Contribution]


class Scores(BaseModel):
    period: str | None = Field(description="YYYY-MM (null when there is no data)", examples=["2026-11"])
    scored: int = Field(examples=[11])
    total: int = Field(description="Projects with figures in the period, on every page", examples=[16])
    limit: int = Field(examples=[100])
    offset: int = Field(examples=[0])
    items: list[ProjectScore]


class RankedProject(BaseModel):
    rank: int = Field(examples=[1])
    code: str
    name_zh: str
    name_en: str | None
    district: Named | None
    score: float = Field(examples=[98.2])
    grade: str = Field(examples=["优秀"])
    grade_en: str = Field(examples=["Excellent"])


class RankedDistrict(BaseModel):
    rank: int | None = Field(description="null while the district has no scored project", examples=[2])
    code: str = Field(examples=["410202"])
    name_zh: str
    name_en: str | None
    score: float | None = Field(description="Mean score of the district's scored projects", examples=[88.6])
    grade: str | None
    grade_en: str | None
    projects: int | None = Field(description="Projects counted (null for the peer districts a district token "
                                             "is ranked among: only their means are shown)", examples=[16])


class Ranking(BaseModel):
    period: str | None = Field(examples=["2026-11"])
    by: Literal["project", "district"]
    of: int = Field(description="How many were ranked", examples=[11])
    total: int = Field(description="Rows on every page", examples=[11])
    limit: int = Field(examples=[100])
    offset: int = Field(examples=[0])
    items: list[RankedProject] | list[RankedDistrict]


class AlertRule(BaseModel):
    id: int
    type: str = Field(examples=["progress_lag"])
    name_zh: str = Field(examples=["进度滞后"])
    name_en: str | None = Field(examples=["Progress lag"])


class ProjectRef(BaseModel):
    code: str
    name_zh: str
    name_en: str | None


class Rectification(BaseModel):
    """The 整改 task: who owns it, by when, and how far it is."""

    status: RectificationStage = Field(description="in_progress: being carried out (again, after a rejected "
                                                  "submission); submitted: evidence in, awaiting verification; "
                                                  "verified: a supervisor verified it and closed the warning; "
                                                  "closed: the warning was closed without a verification")
    owner_username: str | None = Field(examples=["pm_longting"])
    owner_name: str | None = Field(examples=["张敏"])
    plan: str | None
    due_date: dt.date | None = Field(examples=["2026-12-15"])
    submitted_at: dt.datetime | None
    verified_at: dt.datetime | None


class WarningItem(BaseModel):
    id: int = Field(examples=[42])
    severity: Severity
    status: AlertStatus
    rule: AlertRule
    project: ProjectRef
    district: Named | None
    value: float | None = Field(examples=[-18.5])
    threshold: float | None = Field(examples=[-10.0])
    data_period: str | None = Field(description="YYYY-MM", examples=["2026-10"])
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None
    escalated_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    rectification: Rectification | None


class Warnings(BaseModel):
    total: int = Field(description="Warnings on every page")
    limit: int = Field(examples=[100])
    offset: int = Field(examples=[0])
    items: list[WarningItem]
