"""Closing a rating round, its results, and one project's rating breakdown for the scorecard.

Closing computes every project's result with :func:`scoring.rating_rounds.round_outcome` and stores it in
``rating_results`` with its method and detail; when the round feeds a KPI, each scored project gets an
observation for the round's period (source ``rating``), which the scorecard then uses. The status change, the
results, the observations and the audit entries are one transaction.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.config import self_rating_margin
from data_access.db import transaction
from data_access.errors import ValidationError
from data_access.models import (
    Indicator,
    Project,
    Rating,
    RatingAssignment,
    RatingResult,
    RatingRound,
    User,
)
from data_access.policy import Action, Role, Viewer, require
from data_access.project_checks import check_version
from data_access.ratings import Criterion, criteria_of, group_weights_of, load_round, utc
from data_access.scope import require_project_in_scope, scoped_projects
from data_access.writes import store_observations
from scoring.rating_rounds import AGREEMENT_READINGS, round_outcome

GROUPS = ("superior", "peer", "self", "expert")
_READINGS = {level: (zh, en) for _, level, zh, en in AGREEMENT_READINGS}


@dataclass(frozen=True)
class RoundResults:
    """A round and its results over the projects in the viewer's scope (scores are NaN until it closes).

    ``projects``: project_id, code, name_zh, name_en, score, assigned, responded, self_flagged, self_score,
    others, self_gap, leniency_change and one column per rater group (superior, peer, self, expert) with that
    group's mean. ``groups``: project_id, rater_type, weight, assigned, responded, used, mean. ``agreement`` (per
    rater group over the round's projects): rater_type, raters, projects, kendall_w, icc_single, icc_average,
    level, reading_zh, reading_en. ``criteria_scores``: project_id, criterion, score.
    """

    round_id: int
    name_zh: str
    name_en: str
    period: dt.date
    status: str
    deadline: dt.datetime
    closed_at: dt.datetime | None
    anonymous: bool
    correct_leniency: bool
    indicator_code: str | None
    version: int
    criteria: list[Criterion]
    group_weights: dict[str, float]
    method: dict[str, Any]
    projects: pd.DataFrame
    groups: pd.DataFrame
    agreement: pd.DataFrame
    criteria_scores: pd.DataFrame


@dataclass(frozen=True)
class RatingBreakdown:
    """A project's latest closed round as its scorecard shows it.

    ``groups``: rater_type, weight, assigned, responded, mean, kendall_w, level, reading_zh, reading_en.
    ``criteria``: code, name_zh, name_en, weight, score. ``raters`` (rater_name, rater_type, score, comment) is
    empty and ``names_hidden`` true when the round is anonymous and the viewer manages the project; ``comments``
    are the raters' comments without names, sorted.
    """

    round_id: int
    name_zh: str
    name_en: str
    period: dt.date
    closed_at: dt.datetime | None
    score: float | None
    assigned: int
    responded: int
    self_flagged: bool
    self_gap: float | None
    names_hidden: bool
    groups: pd.DataFrame
    criteria: pd.DataFrame
    raters: pd.DataFrame
    comments: list[str]


# -- closing -----------------------------------------------------------------------------------------------------
def _round_ratings(session: Session, round_id: int) -> pd.DataFrame:
    rows = session.execute(select(Rating.project_id, Rating.rater_id, Rating.rater_type, Rating.dimension,
                                  Rating.score).where(Rating.round_id == round_id)).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=["project", "rater", "rater_type", "dimension", "score"])


def _feed_indicator(session: Session, actor: Viewer, round_row: RatingRound, scores: dict[int, float]) -> None:
    """Write each project's result as the fed KPI's value for the round's period, auditing what it replaced."""
    code = session.execute(select(Indicator.code).where(Indicator.id == round_row.indicator_id)).scalar_one()
    for project_id, value in scores.items():
        store_observations(session, actor, project_id=project_id, period=round_row.period, values={code: value},
                           indicator_ids={code: round_row.indicator_id}, source="rating", entered_by=actor.person_id)


def close_round(engine: Engine, viewer: Viewer, *, round_id: int, version: int,
                now: dt.datetime | None = None) -> list[int]:
    """Close an open round: results for every project, and the fed KPI's values; returns the projects whose KPI
    value was written (to re-evaluate their warnings). ``version`` is the round's as the caller read it.

    Admins and analysts close a round at any time; the reminder job closes rounds past their deadline as the
    system actor (:data:`data_access.policy.SYSTEM`).
    """
    if viewer.role != Role.SYSTEM:
        require(viewer, Action.MANAGE_RATING_ROUNDS)
    margin = self_rating_margin()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    with transaction(engine) as session:
        round_row = load_round(session, round_id)
        if round_row.status != "open":
            raise ValidationError("This round is already closed", message_zh="该评分轮次已关闭")
        check_version(session, RatingRound, round_row.id, version, {"status": "closed", "closed_at": now})
        assigned = {(int(row.project_id), str(row.rater_type)): int(row.n) for row in session.execute(
            select(RatingAssignment.project_id, RatingAssignment.rater_type, func.count().label("n"))
            .where(RatingAssignment.round_id == round_row.id)
            .group_by(RatingAssignment.project_id, RatingAssignment.rater_type))}
        projects = sorted({project for project, _ in assigned})
        criteria = criteria_of(round_row)
        outcome = round_outcome(_round_ratings(session, round_row.id), projects=projects, assigned=assigned,
                                criteria_weights={c.code: c.weight for c in criteria},
                                group_weights=group_weights_of(round_row), self_margin=margin,
                                correct_leniency=round_row.correct_leniency)
        method = audit.canonical_json(outcome.method)
        for project, result in outcome.projects.items():
            session.add(RatingResult(
                round_id=round_row.id, project_id=project, score=result.score,
                assigned=result.assigned, responded=result.responded, self_flagged=result.self_flagged, method=method,
                detail=audit.canonical_json(result.detail | {"agreement": outcome.agreement}), computed_at=now))
        scores = {int(project): result.score for project, result in outcome.projects.items()
                  if result.score is not None}
        if round_row.indicator_id is not None and scores:
            _feed_indicator(session, viewer, round_row, scores)
        audit.append(session, actor=viewer, action="rating_round.close", entity="rating_round",
                     entity_id=round_row.id, before={"status": "open"},
                     after={"status": "closed", "scores": {str(p): s for p, s in scores.items()},
                            "self_flagged": sorted(int(p) for p, r in outcome.projects.items()
                                                   if r.self_flagged),
                            "method": outcome.method}, now=now)
        return sorted(scores) if round_row.indicator_id is not None else []


def due_rounds(engine: Engine, now: dt.datetime) -> list[tuple[int, int]]:
    """Open rounds whose deadline has passed at ``now``, as (id, version), oldest deadline first."""
    with engine.connect() as connection:
        rows = connection.execute(select(RatingRound.id, RatingRound.version)
                                  .where(RatingRound.status == "open", RatingRound.deadline <= now.astimezone(dt.UTC))
                                  .order_by(RatingRound.deadline, RatingRound.id)).all()
    return [(int(row.id), int(row.version)) for row in rows]


# -- results -----------------------------------------------------------------------------------------------------
def _agreement_frame(agreement: dict[str, dict[str, Any]]) -> pd.DataFrame:
    rows = [{"rater_type": rater_type, **values,
             "reading_zh": _READINGS[values["level"]][0] if values.get("level") else None,
             "reading_en": _READINGS[values["level"]][1] if values.get("level") else None}
            for rater_type, values in agreement.items()]
    columns = ["rater_type", "raters", "projects", "kendall_w", "icc_single", "icc_average", "level", "reading_zh",
               "reading_en"]
    return pd.DataFrame(rows, columns=columns)


def round_results(engine: Engine, viewer: Viewer, round_id: int) -> RoundResults:
    """A round's results for the projects in the viewer's scope (no rater names: see ``round_assignments``)."""
    with Session(engine) as session:
        round_row = load_round(session, round_id)
        indicator_code = (None if round_row.indicator_id is None
                          else session.execute(select(Indicator.code).where(Indicator.id == round_row.indicator_id))
                          .scalar())
        projects = session.execute(
            scoped_projects(viewer, Project.id, Project.code, Project.name_zh, Project.name_en, include_archived=True)
            .where(Project.id.in_(select(RatingAssignment.project_id).where(RatingAssignment.round_id == round_row.id)))
            .order_by(Project.code)).all()
        ids = [row.id for row in projects]
        results = {row.project_id: row for row in session.execute(
            select(RatingResult).where(RatingResult.round_id == round_row.id,
                                       RatingResult.project_id.in_(ids))).scalars()}
        live = dict(session.execute(
            select(RatingAssignment.project_id, func.count()).where(RatingAssignment.round_id == round_row.id,
                                                                    RatingAssignment.project_id.in_(ids))
            .group_by(RatingAssignment.project_id)).all())
        responded = dict(session.execute(
            select(Rating.project_id, func.count(func.distinct(Rating.rater_id)))
            .where(Rating.round_id == round_row.id, Rating.project_id.in_(ids)).group_by(Rating.project_id)).all())
    rows, groups, criteria_scores = [], [], []
    agreement: dict[str, dict[str, Any]] = {}
    method: dict[str, Any] = {}
    for project in projects:
        stored = results.get(project.id)
        detail = json.loads(stored.detail) if stored else {"groups": {}, "criteria": {}, "self": None,
                                                             "leniency": None}
        if stored:
            agreement, method = detail.get("agreement", {}), json.loads(stored.method)
        self_part, leniency = detail.get("self") or {}, detail.get("leniency") or {}
        rows.append({
            "project_id": project.id, "code": project.code, "name_zh": project.name_zh, "name_en": project.name_en,
            "score": stored.score if stored else None,
            "assigned": stored.assigned if stored else int(live.get(project.id, 0)),
            "responded": stored.responded if stored else int(responded.get(project.id, 0)),
            "self_flagged": bool(stored.self_flagged) if stored else False,
            "self_score": self_part.get("self"), "others": self_part.get("others"), "self_gap": self_part.get("gap"),
            "leniency_change": leniency.get("change"),
            **{group: (detail["groups"].get(group) or {}).get("mean") for group in GROUPS}})
        groups += [{"project_id": project.id, "rater_type": rater_type, **values}
                   for rater_type, values in detail["groups"].items()]
        criteria_scores += [{"project_id": project.id, "criterion": code, "score": score}
                            for code, score in detail["criteria"].items()]
    numeric = ["score", "self_score", "others", "self_gap", "leniency_change", *GROUPS]
    frame = pd.DataFrame(rows, columns=["project_id", "code", "name_zh", "name_en", "score", "assigned", "responded",
                                        "self_flagged", "self_score", "others", "self_gap", "leniency_change",
                                        *GROUPS])
    frame[numeric] = frame[numeric].astype(float)
    return RoundResults(
        round_id=round_row.id, name_zh=round_row.name_zh, name_en=round_row.name_en, period=round_row.period,
        status=round_row.status, deadline=utc(round_row.deadline),
        closed_at=utc(round_row.closed_at) if round_row.closed_at else None, anonymous=round_row.anonymous,
        correct_leniency=round_row.correct_leniency, indicator_code=indicator_code, version=round_row.version,
        criteria=criteria_of(round_row), group_weights=group_weights_of(round_row), method=method, projects=frame,
        groups=pd.DataFrame(groups, columns=["project_id", "rater_type", "weight", "assigned", "responded", "used",
                                             "mean"]),
        agreement=_agreement_frame(agreement),
        criteria_scores=pd.DataFrame(criteria_scores, columns=["project_id", "criterion", "score"]))


def project_rating_breakdown(engine: Engine, viewer: Viewer, project_id: int) -> RatingBreakdown | None:
    """The project's latest closed round (None when it has none): by rater group, agreement, the self flag; the
    raters' names only when the round is not anonymous or the viewer is not the project's manager."""
    with Session(engine) as session:
        require_project_in_scope(session, viewer, project_id)
        latest = session.execute(
            select(RatingRound, RatingResult).join(RatingResult, RatingResult.round_id == RatingRound.id)
            .where(RatingResult.project_id == project_id, RatingRound.status == "closed")
            .order_by(RatingRound.period.desc(), RatingRound.closed_at.desc(), RatingRound.id.desc()).limit(1)
        ).one_or_none()
        if latest is None:
            return None
        round_row, result = latest
        manager_id = session.execute(select(Project.manager_id).where(Project.id == project_id)).scalar()
        ratings = session.execute(
            select(User.display_name, Rating.rater_id, Rating.rater_type, Rating.dimension, Rating.score,
                   Rating.comment)
            .join(User, User.id == Rating.rater_id)
            .where(Rating.round_id == round_row.id, Rating.project_id == project_id)
            .order_by(Rating.rater_type, User.display_name, Rating.dimension)).all()
    criteria = criteria_of(round_row)
    weights = {c.code: c.weight for c in criteria}
    detail = json.loads(result.detail)
    agreement = detail.get("agreement", {})
    groups = pd.DataFrame([
        {"rater_type": rater_type, "weight": values.get("weight"), "assigned": values.get("assigned", 0),
         "responded": values.get("responded", 0), "mean": values.get("mean"),
         "kendall_w": (agreement.get(rater_type) or {}).get("kendall_w"),
         "level": (agreement.get(rater_type) or {}).get("level")}
        for rater_type, values in detail["groups"].items()],
        columns=["rater_type", "weight", "assigned", "responded", "mean", "kendall_w", "level"])
    groups["reading_zh"] = groups["level"].map(lambda level: _READINGS[level][0] if isinstance(level, str) else None)
    groups["reading_en"] = groups["level"].map(lambda level: _READINGS[level][1] if isinstance(level, str) else None)
    groups["mean"] = groups["mean"].astype(float)
    hidden = bool(round_row.anonymous) and viewer.user_id == manager_id
    per_rater: dict[tuple[str, int, str], tuple[float, float]] = {}
    comments: set[str] = set()
    for row in ratings:
        key = (row.display_name, row.rater_id, row.rater_type)
        total, weight = per_rater.get(key, (0.0, 0.0))
        per_rater[key] = (total + weights.get(row.dimension, 0.0) * row.score, weight + weights.get(row.dimension, 0.0))
        if row.comment:
            comments.add(row.comment)
    raters = pd.DataFrame(
        [] if hidden else [{"rater_name": name, "rater_type": rater_type, "score": total / weight if weight else None,
                            "comment": next((r.comment for r in ratings if r.rater_id == rater_id and r.comment), None)}
                           for (name, rater_id, rater_type), (total, weight) in per_rater.items()],
        columns=["rater_name", "rater_type", "score", "comment"])
    self_part = detail.get("self") or {}
    return RatingBreakdown(
        round_id=round_row.id, name_zh=round_row.name_zh, name_en=round_row.name_en, period=round_row.period,
        closed_at=utc(round_row.closed_at) if round_row.closed_at else None, score=result.score,
        assigned=result.assigned, responded=result.responded, self_flagged=bool(result.self_flagged),
        self_gap=self_part.get("gap"), names_hidden=hidden, groups=groups,
        criteria=pd.DataFrame([{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "weight": c.weight,
                                "score": detail["criteria"].get(c.code)} for c in criteria],
                              columns=["code", "name_zh", "name_en", "weight", "score"]),
        raters=raters, comments=sorted(comments))
