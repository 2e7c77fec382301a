"""A rating round's result per project, from its raters' criterion scores, with the evidence next to each score.

A rater scores every criterion of the round; their score for a project is the criteria-weighted mean of those
(criteria first, so a group trims whole raters, not single answers). :func:`scoring.ratings.aggregate_ratings`
then combines the raters: each group's mean (highest and lowest dropped at five raters or more), the groups by
their weights, agreement per group (Kendall's W, ICC) over the round's projects, the self-rating gap and the
optional leniency correction. Everything here is plain data for JSON: no NaN, only floats, ints, str and None.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from scoring.ratings import TRIM_MIN_RATERS, aggregate_ratings

# (lowest Kendall's W, level, Chinese reading, English reading), highest first
AGREEMENT_READINGS: tuple[tuple[float, str, str, str], ...] = (
    (0.7, "high", "高度一致", "high agreement"),
    (0.5, "fair", "较为一致", "fair agreement"),
    (0.3, "moderate", "一般", "moderate agreement"),
    (-math.inf, "low", "分歧较大", "raters disagree"),
)


@dataclass(frozen=True)
class AgreementReading:
    level: str
    zh: str
    en: str


def agreement_reading(kendall_w: float | None) -> AgreementReading | None:
    """Kendall's W in plain words: ≥ 0.7 高度一致, 0.5–0.7 较为一致, 0.3–0.5 一般, below 分歧较大; None when W
    could not be computed (fewer than two raters or projects in the group).

    >>> agreement_reading(0.72).zh, agreement_reading(0.5).level, agreement_reading(0.1).en
    ('高度一致', 'fair', 'raters disagree')
    >>> agreement_reading(float("nan")) is None
    True
    """
    if kendall_w is None or not math.isfinite(kendall_w):
        return None
    level, zh, en = next((lvl, zh, en) for low, lvl, zh, en in AGREEMENT_READINGS if kendall_w >= low)
    return AgreementReading(level, zh, en)


@dataclass(frozen=True)
class ProjectOutcome:
    """One project's result: ``score`` (None when nobody rated), raters asked and raters who rated, the
    self-rating flag and the ``detail`` (group means and counts, criterion scores, self gap, leniency effect) as
    JSON-ready data."""

    score: float | None
    assigned: int
    responded: int
    self_flagged: bool
    detail: dict[str, Any]


@dataclass(frozen=True)
class RoundOutcome:
    projects: dict[Any, ProjectOutcome]  # by project id
    agreement: dict[str, dict[str, Any]]  # per rater group: raters, projects, kendall_w, icc_*, level
    method: dict[str, Any]


def _plain(value: object) -> float | None:
    """A number for JSON: a finite float, or None."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def rater_scores(ratings: pd.DataFrame, criteria_weights: Mapping[str, float]) -> pd.DataFrame:
    """Each rater's score for each project: the criteria-weighted mean of their criterion scores (over the
    criteria they scored, should one be missing). Columns: project, rater, rater_type, score."""
    weights = ratings["dimension"].map(dict(criteria_weights)).astype(float)
    frame = ratings.assign(w=weights, wx=weights * ratings["score"].astype(float))
    sums = frame.groupby(["project", "rater", "rater_type"], sort=True)[["w", "wx"]].sum()
    return (sums["wx"] / sums["w"]).rename("score").reset_index()


def round_outcome(ratings: pd.DataFrame, *, projects: Sequence[Any], assigned: Mapping[tuple[Any, str], int],
                  criteria_weights: Mapping[str, float], group_weights: Mapping[str, float], self_margin: float,
                  correct_leniency: bool) -> RoundOutcome:
    """Results of a round for ``projects`` from ``ratings`` (columns project, rater, rater_type, dimension =
    criterion code, score); ``assigned`` counts the raters asked per (project, rater group).

    >>> ratings = pd.DataFrame({"project": [1] * 7, "rater": list("abcdefg"), "dimension": "overall",
    ...     "rater_type": ["peer"] * 5 + ["superior", "self"], "score": [60.0, 70, 80, 90, 100, 85, 95]})
    >>> outcome = round_outcome(ratings, projects=[1], assigned={}, criteria_weights={"overall": 1.0},
    ...     group_weights={"superior": 0.5, "peer": 0.3, "self": 0.2}, self_margin=10, correct_leniency=False)
    >>> outcome.projects[1].score, outcome.projects[1].self_flagged, outcome.projects[1].detail["self"]["gap"]
    (85.5, True, 11.875)
    """
    method = {"trim_min_raters": TRIM_MIN_RATERS, "group_weights": dict(group_weights),
              "criteria_weights": dict(criteria_weights), "correct_leniency": correct_leniency,
              "self_margin": self_margin, "criteria_first": True}
    asked: dict[Any, dict[str, int]] = {}
    for (project, rater_type), count in assigned.items():
        asked.setdefault(project, {})[rater_type] = count
    groups: dict[Any, dict[str, dict[str, Any]]] = {
        project: {rater_type: {"assigned": count, "weight": float(group_weights.get(rater_type, 0.0)),
                               "responded": 0, "used": 0, "mean": None}
                  for rater_type, count in asked.get(project, {}).items()}
        for project in projects}
    outcomes = {project: ProjectOutcome(None, sum(asked.get(project, {}).values()), 0, False,
                                        _detail(groups[project]))
                for project in projects}
    if ratings.empty:
        return RoundOutcome(outcomes, {}, method)
    per_rater = rater_scores(ratings, criteria_weights)
    result = aggregate_ratings(per_rater, dict(group_weights), self_margin=self_margin,
                               correct_leniency=correct_leniency)
    by_criterion = aggregate_ratings(ratings[["project", "rater", "rater_type", "dimension", "score"]],
                                     dict(group_weights), self_margin=self_margin,
                                     correct_leniency=correct_leniency).scores["score"]
    agreement = {}
    panels: dict[Any, dict[Any, Any]] = result.agreement.to_dict("index")
    for panel, stats in panels.items():
        reading = agreement_reading(stats["kendall_w"])
        agreement[str(panel)] = {
            "raters": int(stats["raters"]), "projects": int(stats["projects"]),
            "kendall_w": _plain(stats["kendall_w"]), "icc_single": _plain(stats["icc_single"]),
            "icc_average": _plain(stats["icc_average"]), "level": reading.level if reading else None}
    means: dict[Any, dict[Any, Any]] = result.group_means.to_dict("index")
    for (project, group), stats in means.items():
        if project in groups:
            groups[project][str(group)] = groups[project].get(str(group), {
                "assigned": 0, "weight": float(group_weights.get(str(group), 0.0))}) | {
                "responded": int(stats["raters"]), "used": int(stats["used"]), "mean": _plain(stats["mean"])}
    criteria: dict[Any, dict[str, float | None]] = {}
    criterion_scores: dict[Any, Any] = by_criterion.to_dict()
    for (project, code), score in criterion_scores.items():
        criteria.setdefault(project, {})[str(code)] = _plain(score)
    selves: dict[Any, dict[Any, Any]] = result.self_flags.to_dict("index")
    effect: dict[Any, dict[Any, Any]] = ({} if result.correction_effect is None
                                         else result.correction_effect.to_dict("index"))
    responded = per_rater.groupby("project").size().to_dict()
    totals: dict[Any, dict[Any, Any]] = result.scores.to_dict("index")
    for project, row in totals.items():
        if project not in outcomes:
            continue
        mine = selves.get(project)
        leniency = effect.get(project)
        detail = _detail(groups[project]) | {
            "criteria": criteria.get(project, {}),
            "self": None if mine is None else {key: _plain(mine[key]) for key in ("self", "others", "gap")},
            "missing_types": None if pd.isna(row["missing_types"]) else str(row["missing_types"]),
            "leniency": None if leniency is None else {key: _plain(leniency[key])
                                                       for key in ("uncorrected", "corrected", "change")},
        }
        outcomes[project] = ProjectOutcome(_plain(row["score"]), outcomes[project].assigned,
                                           int(responded.get(project, 0)), bool(mine is not None and mine["flagged"]),
                                           detail)
    return RoundOutcome(outcomes, agreement, method)


def _detail(groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"groups": groups, "criteria": {}, "self": None, "missing_types": None, "leniency": None}
