"""What the open API reads — projects, scores with each indicator's contribution, rankings, warnings — as
JSON-ready dicts (ISO dates, "YYYY-MM" periods, plain numbers in CNY and points, None for missing values).

Nothing here scores anything: the totals, contributions and ranks are the scorecards' (:mod:`services.scores`),
the rankings the overview's (:func:`services.portfolio.portfolio`, :func:`~services.portfolio.district_league`,
the peer standing of a district), the warnings the alert centre's (:func:`data_access.alerts.list_alerts`), all
read as the caller's viewer. A district's token therefore reads exactly what that district's official sees, and
another district's project or warning gets the same refusal as one that does not exist.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine

import scoring
from data_access import (
    PermissionDenied,
    Viewer,
    data_version,
    get_project,
    latest_period,
    list_indicators,
    list_milestones,
    list_projects,
    list_regions,
    load_indicator_matrix,
)
from data_access.alerts import get_alert, list_alerts
from data_access.errors import ValidationError
from data_access.reads import project_id_of_code
from data_access.scope import refusal
from services.portfolio import district_league, peer_standing, portfolio
from services.scores import ScoringModel, category_weights, load_model, normalised_scores, score_matrix

JsonDict = dict[str, Any]
DEFAULT_PAGE = 100  # rows per answer unless the caller asks for up to 1,000 (every list endpoint pages)
# The 整改 task's stage, read from its alert's status (a rejected submission goes back to "rectifying").
RECTIFICATION_STAGES = {"rectifying": "in_progress", "resolved": "submitted", "closed": "verified"}


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _number(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _whole(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _day(value: Any) -> str | None:
    return None if _missing(value) else pd.Timestamp(value).date().isoformat()


def _moment(value: Any) -> str | None:
    """An ISO time in UTC (SQLite hands stored UTC times back without their zone)."""
    if _missing(value):
        return None
    moment = pd.Timestamp(value)
    return (moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")).isoformat()


def month_text(period: Any) -> str | None:
    """A period as "YYYY-MM" (None stays None)."""
    return None if _missing(period) else f"{pd.Timestamp(period):%Y-%m}"


def parse_month(text: str | None) -> dt.date | None:
    """"YYYY-MM" as the month's first day (None: the latest month with data); a clear refusal otherwise."""
    if text is None:
        return None
    try:
        if len(text) == len("2026-10"):
            return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        pass
    raise ValidationError(f"period {text!r:.20} is not a month written YYYY-MM (e.g. 2026-10)",
                          message_zh="月份须写作 YYYY-MM（如 2026-10）")


def _names(code: object, name_zh: object, name_en: object) -> JsonDict:
    return {"code": _text(code), "name_zh": _text(name_zh), "name_en": _text(name_en)}


def _districts(engine: Engine, viewer: Viewer) -> dict[int, JsonDict]:
    """The viewer's regions by id, as ``{code, name_zh, name_en}``."""
    regions = list_regions(engine, viewer)
    return {int(row["id"]): _names(row["code"], row["name_zh"], row["name_en"])
            for row in regions.to_dict("records")}


def _project(row: Mapping[Any, Any], districts: Mapping[int, JsonDict]) -> JsonDict:
    """A project row of :func:`list_projects` or :func:`get_project` as the API shows it."""
    district_id = _whole(row.get("district_id"))
    return {
        "code": row["code"], "name_zh": row["name_zh"], "name_en": row["name_en"],
        "category": _names(row["category_code"], row["category_zh"], row["category_en"]),
        "region": _names(row["region_code"], row["region_zh"], row["region_en"]),
        "district": districts.get(district_id) if district_id is not None else None,
        "status": row["status"],
        "planned_start": _day(row["planned_start"]), "planned_end": _day(row["planned_end"]),
        "actual_start": _day(row["actual_start"]), "actual_end": _day(row["actual_end"]),
        "budget": _number(row["budget"]), "manager_username": _text(row["manager_username"]),
        "lat": _number(row["lat"]), "lon": _number(row["lon"]),
    }


def project_page(engine: Engine, viewer: Viewer, *, region_code: str | None = None,
                 category_code: str | None = None, status: str | None = None, limit: int = DEFAULT_PAGE,
                 offset: int = 0) -> JsonDict:
    """One page of the projects in scope (ordered by code), with ``total`` the count over every page.

    ``region_code`` keeps a region's subtree. A filter nothing matches gives an empty page, and a region outside
    the scope is such a filter: the answer is the same as for a code that does not exist.
    """
    districts = _districts(engine, viewer)
    region_id = None
    if region_code is not None:
        region_id = next((key for key, region in districts.items() if region["code"] == region_code), None)
        if region_id is None:
            return {"total": 0, "limit": limit, "offset": offset, "items": []}
    projects = list_projects(engine, viewer, region_id=region_id, category_code=category_code, status=status)
    page = projects.iloc[offset:offset + limit]
    return {"total": len(projects), "limit": limit, "offset": offset,
            "items": [_project(row, districts) for row in page.to_dict("records")]}


def project_detail(engine: Engine, viewer: Viewer, code: str) -> JsonDict:
    """One project in scope with its milestones; another region's code is refused like an unknown one."""
    project_id = project_id_of_code(engine, viewer, code)
    row = get_project(engine, viewer, project_id)
    path = str(row["region_path"]).strip("/").split("/")
    row["district_id"] = int(path[1]) if len(path) > 1 else None
    milestones = list_milestones(engine, viewer, project_id=project_id)
    return {**_project(row, _districts(engine, viewer)), "milestones": [
        {"id": int(m["id"]), "seq": int(m["seq"]), "name_zh": m["name_zh"], "name_en": _text(m["name_en"]),
         "planned_start": _day(m["planned_start"]), "planned_end": _day(m["planned_end"]),
         "actual_end": _day(m["actual_end"]), "percent_complete": _number(m["percent_complete"])}
        for m in milestones.to_dict("records")]}


@dataclass(frozen=True)
class ScoredPeriod:
    """A period scored for one viewer: the model, the figures, each project's totals and each indicator's score."""

    model: ScoringModel
    values: pd.DataFrame
    scores: pd.DataFrame
    normalised: pd.DataFrame


def scored_period(engine: Engine, viewer: Viewer, period: dt.date | None) -> ScoredPeriod:
    """The period scored once per data version and viewer: an integrator paging through a province's 50,000
    scores asks for the same scoring fifty times, and every write moves the version on, so no answer is stale."""
    return _scored_at(engine, data_version(engine), viewer, period)


@functools.lru_cache(maxsize=4)  # a few scopes and periods per worker; a province's period is tens of megabytes
def _scored_at(engine: Engine, version: int,  # noqa: ARG001 - only keys the cache
               viewer: Viewer, period: dt.date | None) -> ScoredPeriod:
    model = load_model(engine, viewer)
    values = load_indicator_matrix(engine, viewer, period=period)
    return ScoredPeriod(model, values, score_matrix(model, values), normalised_scores(model, values))


def period_scores(engine: Engine, viewer: Viewer, period: dt.date | None = None, *, limit: int = DEFAULT_PAGE,
                  offset: int = 0) -> JsonDict:
    """One page of the projects with figures in ``period`` (default: the latest): total, grade, rank of the scored
    projects, coverage, and per weighted indicator its value, its 0–100 score, its weight within the project's
    category and the points it contributed (the points add up to the total; a missing value adds 0 and the
    weights of the others are spread over the coverage, ``contribution = score × weight / coverage``).

    Every project is scored (ranks need them all); only the page's rows are turned into JSON, so a province's
    50,000 projects are read a page at a time rather than as one answer of a hundred megabytes."""
    scored_once = scored_period(engine, viewer, period)
    model, values, scores, normalised = (scored_once.model, scored_once.values, scored_once.scores,
                                         scored_once.normalised)
    library = list_indicators(engine, viewer).set_index("code")
    districts = _districts(engine, viewer)
    kpis = model.specs.index
    # Projects × KPIs as arrays, read by position: one pass over the scored frame, no per-cell pandas lookups.
    value, score, points = (frame.reindex(index=scores.index, columns=kpis).to_numpy(dtype=float)
                            for frame in (values, normalised, scores))
    column = {code: position for position, code in enumerate(kpis)}
    weights_of: dict[object, tuple[list[int], list[JsonDict]]] = {}
    scored = int(scores["total"].notna().sum())
    items = []
    projects = model.projects.reindex(scores.index)[["code", "name_zh", "name_en", "category_code", "district_id"]]
    page = slice(offset, offset + limit)
    for i, (project, row) in enumerate(zip(projects.iloc[page].to_dict("records"),
                                           scores[["total", "grade", "rank", "coverage"]].iloc[page].to_dict("records"),
                                           strict=True), start=offset):
        category = project["category_code"]
        if category not in weights_of:
            weights = scoring.effective_weights(category_weights(model, model.weights, category))
            weights_of[category] = ([column[code] for code in weights.index], [
                {"indicator_code": code, "name_zh": library.at[code, "name_zh"],
                 "name_en": _text(library.at[code, "name_en"]), "unit_zh": _text(library.at[code, "unit_zh"]),
                 "unit_en": _text(library.at[code, "unit_en"]), "weight": float(weight)}
                for code, weight in weights.items()])
        positions, indicators = weights_of[category]
        total = _number(row["total"])
        items.append({
            "code": project["code"], "name_zh": project["name_zh"], "name_en": project["name_en"],
            "district": districts.get(int(project["district_id"])) if not _missing(project["district_id"]) else None,
            "total": total, "grade": _text(row["grade"]),
            "grade_en": scoring.GRADE_LABELS_EN.get(str(row["grade"])) if total is not None else None,
            "rank": _whole(row["rank"]), "of": scored, "coverage": float(row["coverage"]),
            "contributions": [
                {**indicator, "value": _number(v), "score": _number(s), "contribution": _number(c)}
                for indicator, v, s, c in zip(indicators, value[i, positions].tolist(), score[i, positions].tolist(),
                                              points[i, positions].tolist(), strict=True)],
        })
    return {"period": month_text(values.attrs.get("period")), "scored": scored, "total": len(scores),
            "limit": limit, "offset": offset, "items": items}


def ranking(engine: Engine, viewer: Viewer, period: dt.date | None = None,
            by: Literal["project", "district"] = "project", *, limit: int = DEFAULT_PAGE, offset: int = 0) -> JsonDict:
    """The overview's rankings for ``period`` (default: the latest): the scored projects best first, or the
    districts by their mean score (a district's token: its district among its city's, as its official sees)."""
    districts = _districts(engine, viewer)
    if by == "project":  # the portfolio's scores, without the warnings and spending it adds for the overview
        scored_once = scored_period(engine, viewer, period)
        model, values = scored_once.model, scored_once.values
        scores = model.projects.join(scored_once.scores[["total", "rank", "grade"]], how="inner")
        scored = scores.dropna(subset=["total"]).sort_values("total", ascending=False, kind="stable")
        items = [{"rank": int(row["rank"]), "code": row["code"], "name_zh": row["name_zh"], "name_en": row["name_en"],
                  "district": districts.get(int(row["district_id"])) if not _missing(row["district_id"]) else None,
                  "score": float(row["total"]), "grade": str(row["grade"]),
                  "grade_en": scoring.GRADE_LABELS_EN[str(row["grade"])]}
                 for row in scored.iloc[offset:offset + limit].to_dict("records")]
        return {"period": month_text(values.attrs.get("period")), "by": by, "of": len(scored), "total": len(scored),
                "limit": limit, "offset": offset, "items": items}
    period = period or latest_period(engine, viewer)  # the overview's month: the viewer's latest, not the city's
    standing = peer_standing(engine, viewer, period)
    if standing is not None:
        league = standing.peers.assign(projects=None)
    else:
        current = portfolio(engine, viewer, period)
        regions = list_regions(engine, viewer)
        league = district_league(current, current.iloc[0:0], regions, "name_zh").merge(
            regions[["id", "code", "name_zh", "name_en"]], on="id")
    league = league.sort_values(["rank", "id"], na_position="last", kind="stable")
    grades = scoring.grade(league["mean_score"].astype(float))
    items = [{"rank": _whole(row["rank"]), **_names(row["code"], row["name_zh"], row["name_en"]),
              "score": _number(row["mean_score"]), "grade": _text(grade),
              "grade_en": scoring.GRADE_LABELS_EN.get(str(grade)) if not _missing(grade) else None,
              "projects": _whole(row["projects"])}
             for row, grade in zip(league.to_dict("records"), grades, strict=True)]
    return {"period": month_text(period), "by": by, "of": int(league["rank"].notna().sum()), "total": len(items),
            "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def _rectification(row: Mapping[Any, Any]) -> JsonDict | None:
    if _missing(row["owner_id"]):
        return None
    stage = RECTIFICATION_STAGES.get(row["status"], "in_progress")
    if stage == "verified" and _missing(row["verified_at"]):
        stage = "closed"
    return {"status": stage, "owner_username": _text(row["owner_username"]), "owner_name": _text(row["owner_name"]),
            "plan": _text(row["plan"]), "due_date": _day(row["due_date"]), "submitted_at": _moment(row["rectified_at"]),
            "verified_at": _moment(row["verified_at"])}


def _warning(row: Mapping[Any, Any], districts: Mapping[int, JsonDict]) -> JsonDict:
    district_id = _whole(row["district_id"])
    return {
        "id": int(row["id"]), "severity": row["severity"], "status": row["status"],
        "rule": {"id": int(row["rule_id"]), "type": row["rule_type"], "name_zh": row["rule_zh"],
                 "name_en": row["rule_en"]},
        "project": {"code": row["project_code"], "name_zh": row["project_zh"], "name_en": row["project_en"]},
        "district": districts.get(district_id) if district_id is not None else None,
        "value": _number(row["value"]), "threshold": _number(row["threshold"]),
        "data_period": month_text(row["data_period"]), "opened_at": _moment(row["opened_at"]),
        "acknowledged_at": _moment(row["acknowledged_at"]), "escalated_at": _moment(row["escalated_at"]),
        "closed_at": _moment(row["closed_at"]), "reopen_count": int(row["reopen_count"]),
        "rectification": _rectification(row),
    }


def warnings(engine: Engine, viewer: Viewer, *, status: str | None = None, severity: str | None = None,
             limit: int = DEFAULT_PAGE, offset: int = 0) -> JsonDict:
    """One page of the warnings in scope, open and closed (newest first), with their rule, project and 整改 task."""
    alerts = list_alerts(engine, viewer, statuses=[status] if status else None,
                         severities=[severity] if severity else None)
    districts = _districts(engine, viewer)
    return {"total": len(alerts), "limit": limit, "offset": offset,
            "items": [_warning(row, districts) for row in alerts.iloc[offset:offset + limit].to_dict("records")]}


def warning(engine: Engine, viewer: Viewer, alert_id: int) -> JsonDict:
    """One warning in scope; another region's gets the same refusal as an unknown id."""
    try:
        row = get_alert(engine, viewer, alert_id)
    except PermissionDenied:
        raise refusal("alert") from None
    return _warning(row.to_dict(), _districts(engine, viewer))
