"""The portfolio as the views show it: every project in scope with its score, grade, progress and warnings.

One read per concern, joined in pandas; the pages cache the results per viewer and period.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd
from sqlalchemy import Engine

import scoring
from data_access import (
    Viewer,
    list_projects,
    list_regions,
    load_indicator_matrix,
    load_indicator_months,
)
from data_access.alerts import LIVE_STATUSES, list_alerts
from data_access.peers import PeerStanding
from data_access.peers import peer_standing as read_peer_standing
from data_access.reads import milestones_due
from scoring.periods import add_months
from services.scores import ScoringModel, load_model, monthly_totals, score_matrix

SEVERITY_ORDER = {"red": 0, "orange": 1, "yellow": 2}
TRACKING = ("PROG_ACTUAL", "PROG_PLAN", "SPEND_CUM", "SPEND_PLAN")


def portfolio(engine: Engine, viewer: Viewer, period: dt.date | None = None,
              model: ScoringModel | None = None) -> pd.DataFrame:
    """One row per project in scope (index: project id) with the score columns and these additions:

    total, coverage, grade, rank (across the viewer's projects), progress / planned (%), spend / spend_plan
    (万元), open_warnings and warning_level (the most severe live warning), for ``period`` (default latest).
    ``model``: the viewer's :func:`~services.scores.load_model`, when the caller keeps it.
    """
    model = model or load_model(engine, viewer)
    projects = model.projects  # the model's read of the projects in scope (a second one costs seconds)
    kpis = load_indicator_matrix(engine, viewer, period=period)
    period = kpis.attrs.get("period")
    scores = score_matrix(model, kpis) if len(kpis) else pd.DataFrame(columns=["total", "coverage", "rank", "grade"])
    tracking = load_indicator_matrix(engine, viewer, period=period, scored_only=False,
                                     indicator_codes=TRACKING).reindex(columns=list(TRACKING))
    frame = projects.join(scores[["total", "coverage", "rank", "grade"]]).join(tracking)
    frame = frame.rename(columns={"PROG_ACTUAL": "progress", "PROG_PLAN": "planned", "SPEND_CUM": "spend",
                                  "SPEND_PLAN": "spend_plan"})
    alerts = list_alerts(engine, viewer, statuses=list(LIVE_STATUSES))
    for severity in SEVERITY_ORDER:  # live warnings per project and severity
        frame[f"warnings_{severity}"] = (alerts[alerts["severity"] == severity].groupby("project_id").size()
                                         .reindex(frame.index).fillna(0).astype(int) if len(alerts) else 0)
    if len(alerts):
        counts = alerts.groupby("project_id").size()
        worst = alerts.assign(order=alerts["severity"].map(SEVERITY_ORDER)).sort_values("order") \
            .groupby("project_id")["severity"].first()
        frame["open_warnings"] = counts.reindex(frame.index).fillna(0).astype(int)
        frame["warning_level"] = worst.reindex(frame.index)
    else:
        frame["open_warnings"], frame["warning_level"] = 0, None
    frame.attrs["period"] = period
    return frame


def with_districts_replaced(previous: pd.DataFrame, parts: Sequence[pd.DataFrame],
                            district_ids: Sequence[int]) -> pd.DataFrame:
    """A :func:`portfolio` with the rows of ``district_ids`` replaced by ``parts`` (those districts' portfolios for
    the same period, read afresh): the same projects in the same order, ranked across all again and graded. A
    project's own columns depend on nothing but its own data, so after a write within some districts' projects
    only their rows need reading (a province's portfolio took 6 s to read whole)."""
    kept = previous[~previous["district_id"].isin(list(district_ids))]
    frame = pd.concat([kept, *(part for part in parts if len(part))])
    frame = frame.reindex(previous.index[previous.index.isin(frame.index)])
    for column in ("total", "coverage"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    frame["rank"] = scoring.rank(frame["total"])
    frame["grade"] = scoring.grade(frame["total"])
    frame.attrs["period"] = previous.attrs.get("period")
    return frame


def by_district(frame: pd.DataFrame, regions: pd.DataFrame, name_column: str) -> pd.DataFrame:
    """Districts with their project count, budget, mean score and centre: id, name, lat, lon, projects,
    budget, mean_score, warnings. The mean is :func:`scoring.rollup`'s: over scored projects only."""
    # Only the columns used: grouping the whole portfolio (40 columns, text among them) took every column along.
    scores = scoring.rollup(pd.DataFrame({"district_id": frame["district_id"],
                                          "total": pd.to_numeric(frame["total"])}), "district_id")
    sums = frame[["district_id", "budget", "open_warnings"]].groupby("district_id").sum()
    grouped = pd.DataFrame({"projects": scores["projects"], "budget": sums["budget"], "mean_score": scores["total"],
                            "warnings": sums["open_warnings"]})
    places = regions.set_index("id")[[name_column, "lat", "lon"]].rename(columns={name_column: "name"})
    return grouped.join(places, how="inner").reset_index(names="id")


def district_league(current: pd.DataFrame, previous: pd.DataFrame, regions: pd.DataFrame,
                    name_column: str) -> pd.DataFrame:
    """The districts ranked by mean score, best first: :func:`by_district`'s columns with grade, rank and
    previous_score (the district's mean score in ``previous``, NaN where unknown)."""
    league = by_district(current, regions, name_column)
    before = by_district(previous, regions, name_column).set_index("id")["mean_score"] if len(previous) \
        else pd.Series(dtype=float)
    league["previous_score"] = league["id"].map(before).astype(float)
    league["grade"] = scoring.grade(league["mean_score"])
    league["rank"] = scoring.rank(league["mean_score"])
    return league.sort_values("rank")


def city_league(engine: Engine, city: Viewer, period: dt.date | None) -> pd.DataFrame:
    """The districts of ``city`` (a viewer whose scope is the city) ranked by mean score for ``period``."""
    return league_of_city(portfolio(engine, city, period), list_regions(engine, city))


def league_of_city(current: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """:func:`city_league` from the city's portfolio and regions."""
    return district_league(current, current.iloc[0:0], regions, "name_zh")


def peer_standing(engine: Engine, viewer: Viewer, period: dt.date | None,
                  league: Callable[[Viewer], pd.DataFrame] | None = None) -> PeerStanding | None:
    """A district official's district ranked among its city's districts for ``period`` (None for other viewers):
    the city is scored as :func:`city_league` scores it (or by ``league``, e.g. a cached one), and only the
    district means come back."""
    return read_peer_standing(engine, viewer, league or (lambda city: city_league(engine, city, period)))


def peer_ranking(standing: PeerStanding, name_column: str) -> pd.DataFrame:
    """A peer standing as the rankings draw it: id, name, score (the district mean), grade and rank."""
    peers = standing.peers
    return pd.DataFrame({"id": peers["id"], "name": peers[name_column], "score": peers["mean_score"],
                         "grade": scoring.grade(peers["mean_score"]), "rank": peers["rank"]})


def district_kpi_means(matrix: pd.DataFrame, targets: pd.DataFrame, districts: pd.Series,
                       kpis: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Districts × KPIs for one month: the mean value over each district's projects, and their mean target.

    ``matrix`` and ``targets`` are projects × KPI codes, ``districts`` each project's district id. The columns
    are the ``kpis`` that have a value somewhere, in that order; the targets are laid out like the values.
    """
    values = matrix.groupby(districts.reindex(matrix.index)).mean()
    values = values[[code for code in kpis if code in values.columns and values[code].notna().any()]]
    goals = targets.groupby(districts.reindex(targets.index)).mean().reindex(index=values.index,
                                                                             columns=values.columns)
    return values, goals


def worst_first(alerts: pd.DataFrame) -> pd.DataFrame:
    """Warnings as a wall or an overview lists them: red first, then orange, then yellow; newest first within
    a severity (by ``opened_at``)."""
    order = alerts["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    return (alerts.assign(_order=order).sort_values(["_order", "opened_at"], ascending=[True, False], kind="stable")
            .drop(columns="_order"))


def on_time_milestone_rate(engine: Engine, viewer: Viewer, project_ids: pd.Index, as_of: dt.date) -> float:
    """Share of milestones due by ``as_of`` that were finished by their planned end (%)."""
    counts = milestones_due(engine, viewer, as_of)
    counts = counts[counts["project_id"].isin(project_ids)]
    due = int(counts["due"].sum())
    return float(int(counts["on_time"].sum()) / due * 100) if due else float("nan")


def budget_execution_rate(frame: pd.DataFrame) -> float:
    """Spend to date against the spend plan to date, over the projects that report both (%)."""
    both = frame[["spend", "spend_plan"]].dropna()  # the two columns only: dropna takes every column along
    plan = both["spend_plan"].sum()
    return float(both["spend"].sum() / plan * 100) if plan > 0 else float("nan")


def headline(frame: pd.DataFrame) -> dict[str, float]:
    """The overview's numbers for one period's portfolio frame."""
    return {
        "projects": float(len(frame)),
        "active": float((frame["status"] == "active").sum()),
        "completed": float((frame["status"] == "completed").sum()),
        "mean_score": float(frame["total"].mean()) if frame["total"].notna().any() else float("nan"),
        "budget_execution": budget_execution_rate(frame),
        "red": float((frame["warning_level"] == "red").sum()),
        **{f"warnings_{severity}": float(frame[f"warnings_{severity}"].sum()) for severity in SEVERITY_ORDER},
        "warnings": float(frame["open_warnings"].sum()),
    }


def _trend_months(last: dt.date, months: int) -> list[dt.date]:
    return [add_months(last, -back) for back in range(months - 1, -1, -1)]


def mean_score_trend(engine: Engine, viewer: Viewer, last: dt.date, months: int = 12,
                     city: int | None = None, model: ScoringModel | None = None) -> pd.DataFrame:
    """Mean total per month for the last ``months`` months (of ``city``'s projects only, if given): columns
    period, score; a month without any value is left out."""
    return trend_from_district_totals(monthly_district_totals(engine, viewer, last, months, model), city)


def monthly_district_totals(engine: Engine, viewer: Viewer, last: dt.date, months: int = 12,
                            model: ScoringModel | None = None) -> pd.DataFrame:
    """What :func:`mean_score_trend` averages, summed per month and district (columns period, district_id,
    city_id, total, scored: the sum of the scored totals and their count), so that a trend can be put together
    from its districts' parts and one district's read again after a push (:func:`trend_from_district_totals`)."""
    model = model or load_model(engine, viewer)
    totals = monthly_totals(model, load_indicator_months(engine, viewer, _trend_months(last, months)))
    places = list_projects(engine, viewer, include_archived=True).set_index("id")[["district_id", "city_id"]]
    where = places.reindex(totals.index.get_level_values("project_id"))
    frame = pd.DataFrame({"period": totals.index.get_level_values("period"),
                          "district_id": where["district_id"].to_numpy(), "city_id": where["city_id"].to_numpy(),
                          "total": totals.to_numpy(), "scored": totals.notna().to_numpy().astype(int)})
    return frame.groupby(["period", "district_id", "city_id"], dropna=False, sort=True, as_index=False).sum()


def with_district_totals_replaced(previous: pd.DataFrame, parts: Sequence[pd.DataFrame],
                                  district_ids: Sequence[int]) -> pd.DataFrame:
    """:func:`monthly_district_totals` with the rows of ``district_ids`` replaced by ``parts`` (theirs, read again)."""
    kept = previous[~previous["district_id"].isin(list(district_ids))]
    return pd.concat([kept, *(part for part in parts if len(part))]).sort_values(
        ["period", "district_id", "city_id"], kind="stable").reset_index(drop=True)


def trend_from_district_totals(parts: pd.DataFrame, city: int | None = None) -> pd.DataFrame:
    """:func:`mean_score_trend` from :func:`monthly_district_totals` (of ``city``'s districts only, if given)."""
    if city is not None:
        parts = parts[parts["city_id"] == city]
    summed = parts.groupby("period")[["total", "scored"]].sum()
    return _trend_frame(summed["total"].where(summed["scored"] > 0) / summed["scored"].where(summed["scored"] > 0))


def _trend_frame(means: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"period": pd.to_datetime(pd.Series(means.index, dtype=object)),
                         "score": means.to_numpy(dtype=float)}, columns=["period", "score"])
