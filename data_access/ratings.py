"""Rating rounds (评分): opening a round with its assignments, the raters' to-do, their rating form and rating.

A round names its projects, the criteria each rater scores (0–100), the rater groups and their weights, and
the deadline. Who rates what is decided once, when the round opens, and stored as assignments: the project's
manager rates it as ``self``, the district's officials as ``superior`` (a leader where no official covers it),
``peers_per_project`` other managers of the same district or category as ``peer`` (never the project's own
manager), and the experts the opener names as ``expert``. An assignment is the only way to rate: it also lets
a rater see the project's name and code on their form, even a project outside their scope.

Each rating is one ``ratings`` row per criterion (``dimension`` is the criterion's code, ``period`` the round's
period, ``round_id`` the round). Closing a round and its results are in :mod:`data_access.rating_results`.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, case, exists, func, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import transaction
from data_access.errors import DataAccessError, NotFound, PermissionDenied, ValidationError
from data_access.models import (
    Indicator,
    Project,
    Rating,
    RatingAssignment,
    RatingRound,
    Region,
    User,
)
from data_access.policy import Action, Role, Viewer, require
from data_access.project_checks import number
from data_access.scope import checked_id, refusal, scoped_projects
from scoring.ratings import DEFAULT_RATER_WEIGHTS

RATEABLE_STATUSES = ("active", "suspended", "completed")  # planned: nothing to rate yet; archived: out of view
SCORE_UNIT_ZH = "分"  # a KPI a round may feed holds a 0–100 score
MAX_COMMENT = 2000
MAX_NAME = 120
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")
NOT_ASSIGNED = ("You are not a rater of this project in this round", "您不是本轮该项目的评分人")


@dataclass(frozen=True)
class Criterion:
    """One thing a rater scores 0–100; ``weight`` is its share of the project's score (criteria sum to 1)."""

    code: str
    name_zh: str
    name_en: str
    weight: float


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("progress", "进度达成度", "Progress achieved", 0.4),
    Criterion("quality", "质量达标率", "Quality standards met", 0.3),
    Criterion("satisfaction", "用户满意度", "User satisfaction", 0.3),
)
DEFAULT_GROUP_WEIGHTS: Mapping[str, float] = DEFAULT_RATER_WEIGHTS  # superior 0.5, peer 0.3, self 0.2


def with_expert_group(expert_weight: float, weights: Mapping[str, float] = DEFAULT_GROUP_WEIGHTS
                      ) -> dict[str, float]:
    """Group weights with experts as a group of their own: ``expert_weight`` (e.g. 0.3) for the experts and the
    other groups rescaled to share the rest in their proportions (0.5/0.3/0.2 → 0.35/0.21/0.14).

    >>> with_expert_group(0.3)
    {'superior': 0.35, 'peer': 0.21, 'self': 0.14, 'expert': 0.3}
    """
    others = {group: weight for group, weight in weights.items() if group != "expert"}
    total = sum(others.values())
    rest = 1.0 - expert_weight
    return {group: round(weight / total * rest, 10) for group, weight in others.items()} | {"expert": expert_weight}


@dataclass(frozen=True)
class RoundSpec:
    """What an analyst fills in to open a round.

    ``group_weights`` are relative (stored normalised to sum 1); a group left out gets no weight. Experts, when
    ``experts`` names any, need a weight of their own (:func:`with_expert_group`). ``experts`` maps a project
    id to the user ids who rate it as experts. ``indicator_code``: the scored KPI (unit 分, 0–100) the
    result feeds for ``period``, or None.
    """

    name_zh: str
    name_en: str
    period: dt.date
    criteria: Sequence[Criterion]
    project_ids: Sequence[int]
    deadline: dt.datetime
    group_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_GROUP_WEIGHTS))
    experts: Mapping[int, Sequence[int]] = field(default_factory=dict)
    peers_per_project: int = 3
    anonymous: bool = True
    correct_leniency: bool = False
    indicator_code: str | None = None


@dataclass(frozen=True)
class RatingSheet:
    """One rater's form for one project in a round.

    ``region_zh`` / ``region_en`` name the project's region (a peer or an expert may not know the place);
    ``scores`` (criterion code → score) and ``comment`` are what this rater saved (empty when not yet);
    ``open`` is whether they may still save (round open and before its deadline); ``version`` is the round's
    (what :func:`data_access.rating_results.close_round` checks).
    """

    round_id: int
    project_id: int
    round_name_zh: str
    round_name_en: str
    code: str
    name_zh: str
    name_en: str
    region_zh: str
    region_en: str
    period: dt.date
    deadline: dt.datetime
    status: str
    open: bool
    rater_type: str
    criteria: list[Criterion]
    scores: dict[str, float]
    comment: str | None
    updated_at: dt.datetime | None
    version: int


class RoundClosed(DataAccessError):
    """The round has closed, or its deadline has passed: ratings can no longer be given or changed."""


# -- helpers shared with rating_results ------------------------------------------------------------------------
def utc(moment: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC time (SQLite gives naive times back)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def deadline_text(moment: dt.datetime) -> tuple[str, str]:
    """The deadline in Beijing time, as (English, Chinese) words."""
    local = utc(moment).astimezone(BEIJING)
    return f"{local:%Y-%m-%d %H:%M} (UTC+8)", f"{local:%Y-%m-%d %H:%M}（北京时间）"


def criteria_of(round_row: RatingRound) -> list[Criterion]:
    return [Criterion(**item) for item in json.loads(round_row.criteria)]


def group_weights_of(round_row: RatingRound) -> dict[str, float]:
    return {str(group): float(weight) for group, weight in json.loads(round_row.group_weights).items()}


def load_round(session: Session, round_id: object) -> RatingRound:
    """The round by id, or the one refusal for an unknown or impossible id (a non-integer: ValidationError)."""
    round_row: RatingRound | None = session.get(RatingRound, checked_id(round_id, "rating round"))
    if round_row is None:
        raise refusal("rating round")
    return round_row


# -- opening a round ----------------------------------------------------------------------------------------
def _text(value: object, what: str, what_zh: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{what} is required", message_zh=f"请填写{what_zh}")
    if len(value.strip()) > limit:
        raise ValidationError(f"{what} is longer than {limit} characters", message_zh=f"{what_zh}不能超过 {limit} 个字")
    return value.strip()


def _checked_criteria(criteria: object) -> list[Criterion]:
    if not isinstance(criteria, Sequence) or isinstance(criteria, str) or not criteria:
        raise ValidationError("A round needs at least one criterion", message_zh="评分轮次至少需要一个评分项")
    checked: list[Criterion] = []
    for item in criteria:
        if not isinstance(item, Criterion):
            raise ValidationError("Each criterion must be a Criterion", message_zh="评分项格式不正确")
        code = item.code.strip() if isinstance(item.code, str) else ""
        if not code or len(code) > 20 or not code.isascii() or not code.replace("_", "").isalnum():
            raise ValidationError(f"Criterion code {item.code!r:.30} must be 1–20 letters, digits or _",
                                  message_zh=f"评分项代码 {item.code!r:.30} 须为 1–20 位字母、数字或下划线")
        weight = number(item.weight, f"Weight of {code}", f"评分项 {code} 的权重")
        if weight <= 0:
            raise ValidationError(f"Criterion {code} needs a weight above 0, got {weight:g}",
                                  message_zh=f"评分项 {code} 的权重须大于 0（填写的是 {weight:g}）")
        name_zh = _text(item.name_zh, f"The Chinese name of {code}", f"评分项 {code} 的中文名称", 60)
        name_en = _text(item.name_en, f"The English name of {code}", f"评分项 {code} 的英文名称", 80)
        checked.append(Criterion(code, name_zh, name_en, weight))
    codes = [c.code for c in checked]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValidationError(f"Criterion code {repeated[0]} is used twice",
                              message_zh=f"评分项代码 {repeated[0]} 重复")
    total = sum(c.weight for c in checked)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ValidationError(f"Criteria weights must add up to 100 %, they add up to {total:.1%}",
                              message_zh=f"评分项权重之和须为 100%（现为 {total:.1%}）")
    return checked


def _checked_group_weights(weights: object, with_experts: bool) -> dict[str, float]:
    if not isinstance(weights, Mapping) or not weights:
        raise ValidationError("Give the rater groups their weights", message_zh="请设置评分人分组的权重")
    unknown = sorted(str(group) for group in weights if group not in ("expert", "self", "peer", "superior"))
    if unknown:
        raise ValidationError(f"Unknown rater group {unknown[0]!r:.20}",
                              message_zh=f"未知的评分人分组 {unknown[0]!r:.20}")
    checked = {str(group): number(weight, f"Weight of the {group} group", f"{group} 组的权重")
               for group, weight in weights.items()}
    negative = sorted(group for group, weight in checked.items() if weight < 0)
    if negative:
        raise ValidationError(f"The {negative[0]} group's weight must not be negative",
                              message_zh=f"{negative[0]} 组的权重不能为负")
    total = sum(checked.values())
    if total <= 0:
        raise ValidationError("At least one rater group needs a weight above 0",
                              message_zh="至少一个评分人分组的权重须大于 0")
    if with_experts and checked.get("expert", 0.0) <= 0:
        raise ValidationError("Experts are assigned: give the expert group a weight above 0",
                              message_zh="已指定专家：请为专家组设置大于 0 的权重")
    return {group: weight / total for group, weight in checked.items()}


def _checked_deadline(deadline: object, now: dt.datetime) -> dt.datetime:
    if not isinstance(deadline, dt.datetime):
        raise ValidationError("The deadline must be a date and time", message_zh="截止时间须为日期和时间")
    moment = utc(deadline)
    if moment <= now:
        english, chinese = deadline_text(moment)
        raise ValidationError(f"The deadline {english} has already passed", message_zh=f"截止时间 {chinese} 已过")
    return moment


def _checked_period(period: object) -> dt.date:
    if not isinstance(period, dt.date) or isinstance(period, dt.datetime) or period.day != 1:
        raise ValidationError("The period must be the first day of a month", message_zh="评分期间须为某月第一天")
    return period


def _fed_indicator(session: Session, code: object) -> int | None:
    if code is None:
        return None
    row = session.execute(select(Indicator.id, Indicator.level, Indicator.scored, Indicator.unit_zh,
                                 Indicator.retired_at).where(Indicator.code == str(code)[:30])).one_or_none()
    if row is None or row.level != 3 or not row.scored or row.retired_at is not None:
        raise ValidationError(f"{str(code)[:30]} is not a scored KPI a round can feed",
                              message_zh=f"{str(code)[:30]} 不是可由评分结果填入的计分指标")
    if row.unit_zh != SCORE_UNIT_ZH:
        raise ValidationError(f"{code} is measured in {row.unit_zh}, not as a 0–100 score",
                              message_zh=f"{code} 的单位是“{row.unit_zh}”，不是 0–100 的分数")
    return int(row.id)


def district_path(path: str, level: str) -> str:
    """The district's path of a region (a street belongs to its district; a city stays itself)."""
    return "/".join(path.split("/")[:3]) + "/" if level == "street" else path


@dataclass(frozen=True)
class RateeFacts:
    """What choosing a project's raters needs to know about it."""

    code: str
    manager_id: int | None
    category_id: int
    region_path: str
    region_level: str


@dataclass
class RaterPlanner:
    """Chooses the raters of each project when a round opens (the demo uses it too, on its own rows).

    ``officials``: active district officials as (user id, region path); ``leaders``: active leaders' ids;
    ``active_ids``: every active user; ``manager_places``: per active project manager, the ("district", path)
    and ("category", id) of the projects they manage. Peers go to whoever has the fewest peer assignments so
    far in this round, then the lowest id.
    """

    officials: list[tuple[int, str]]
    leaders: list[int]
    active_ids: set[int]
    manager_places: dict[int, set[tuple[str, object]]]
    assigned_count: dict[int, int] = field(default_factory=dict)

    def raters(self, project: RateeFacts, experts: Sequence[int], peers: int) -> list[tuple[int, str]]:
        chosen: list[tuple[int, str]] = []
        if project.manager_id is not None and project.manager_id in self.active_ids:
            chosen.append((project.manager_id, "self"))
        superiors = [user for user, path in self.officials if project.region_path.startswith(path)]
        chosen += [(user, "superior") for user in (superiors or self.leaders[:1])]
        for expert in experts:
            if expert == project.manager_id:
                raise ValidationError(f"The manager of {project.code} cannot rate it as an expert",
                                      message_zh=f"项目 {project.code} 的负责人不能作为专家为其评分")
            if expert not in self.active_ids:
                raise ValidationError(f"Expert {expert} of {project.code} is not an active user",
                                      message_zh=f"项目 {project.code} 的专家 {expert} 不是有效用户")
            if expert in {user for user, _ in chosen}:
                raise ValidationError(f"User {expert} already rates {project.code} in another group",
                                      message_zh=f"用户 {expert} 已在其他分组为项目 {project.code} 评分")
            chosen.append((expert, "expert"))
        taken = {user for user, _ in chosen} | {project.manager_id}
        places = {("district", district_path(project.region_path, project.region_level)),
                  ("category", project.category_id)}
        candidates = sorted((user for user, where in self.manager_places.items()
                             if where & places and user not in taken),
                            key=lambda user: (self.assigned_count.get(user, 0), user))
        chosen += [(user, "peer") for user in candidates[:peers]]
        for user in candidates[:peers]:
            self.assigned_count[user] = self.assigned_count.get(user, 0) + 1
        return chosen


def _planner(session: Session) -> RaterPlanner:
    users = session.execute(select(User.id, User.role, Region.path).outerjoin(Region, Region.id == User.region_id)
                            .where(User.is_active.is_(True)).order_by(User.id)).all()
    managed = session.execute(
        select(Project.manager_id, Project.category_id, Region.path, Region.level)
        .join(Region, Region.id == Project.region_id)
        .join(User, User.id == Project.manager_id)
        .where(User.is_active.is_(True), User.role == Role.PROJECT_MANAGER, Project.status != "archived")
    ).all()
    manager_places: dict[int, set[tuple[str, object]]] = {}
    for row in managed:
        manager_places.setdefault(row.manager_id, set()).update(
            {("district", district_path(row.path, row.level)), ("category", row.category_id)})
    return RaterPlanner(officials=[(u.id, u.path) for u in users if u.role == Role.DISTRICT_OFFICIAL and u.path],
                        leaders=[u.id for u in users if u.role == Role.LEADER], active_ids={u.id for u in users},
                        manager_places=manager_places)


def _facts(project: Project, region: Region) -> RateeFacts:
    return RateeFacts(code=project.code, manager_id=project.manager_id, category_id=project.category_id,
                      region_path=region.path, region_level=region.level)


def _already_rated(session: Session, project_ids: Sequence[int], period: dt.date, codes: Sequence[str]) -> str | None:
    """The code of a project whose period is already rated (or in another round) on one of ``codes``."""
    rated = session.execute(select(Project.code).join(Rating, Rating.project_id == Project.id)
                            .where(Rating.project_id.in_(project_ids), Rating.period == period,
                                   Rating.dimension.in_(codes)).limit(1)).scalar()
    if rated is not None:
        return str(rated)
    others = session.execute(select(RatingRound).where(RatingRound.period == period)).scalars().all()
    overlapping = [r.id for r in others if {c.code for c in criteria_of(r)} & set(codes)]
    if not overlapping:
        return None
    covered = session.execute(select(Project.code).join(RatingAssignment, RatingAssignment.project_id == Project.id)
                              .where(RatingAssignment.round_id.in_(overlapping),
                                     RatingAssignment.project_id.in_(project_ids)).limit(1)).scalar()
    return None if covered is None else str(covered)


def _checked_experts(experts: object, project_ids: Sequence[int]) -> dict[int, list[int]]:
    if not isinstance(experts, Mapping):
        raise ValidationError("Experts must map a project to its experts", message_zh="专家分配格式不正确")
    checked: dict[int, list[int]] = {}
    for project_id, users in experts.items():
        project = checked_id(project_id, "project")
        if project not in project_ids:
            raise ValidationError(f"Experts are named for project {project}, which is not in the round",
                                  message_zh=f"为不在本轮中的项目 {project} 指定了专家")
        ids = [checked_id(user, "user") for user in users]
        if len(set(ids)) != len(ids):
            raise ValidationError(f"An expert is named twice for project {project}",
                                  message_zh=f"项目 {project} 的专家重复")
        checked[project] = ids
    return checked


def open_round(engine: Engine, viewer: Viewer, spec: RoundSpec) -> int:
    """Open a round and assign its raters, in one audited transaction; returns the round's id.

    Every rule is checked before anything is written: names, period, criteria (unique codes, weights > 0 adding
    up to 1), group weights (≥ 0, normalised; experts need one), a future deadline, the fed KPI, the projects (in
    the opener's scope, active, suspended or completed) and that no project's period is already rated on one of
    the criteria (a rater's rating is unique per project, period and criterion).
    """
    require(viewer, Action.MANAGE_RATING_ROUNDS)
    now = dt.datetime.now(dt.UTC)
    name_zh = _text(spec.name_zh, "The round's Chinese name", "轮次中文名称", MAX_NAME)
    name_en = _text(spec.name_en, "The round's English name", "轮次英文名称", 200)
    period = _checked_period(spec.period)
    criteria = _checked_criteria(spec.criteria)
    deadline = _checked_deadline(spec.deadline, now)
    if not isinstance(spec.project_ids, Sequence) or not spec.project_ids:
        raise ValidationError("Choose at least one project", message_zh="请至少选择一个项目")
    project_ids = [checked_id(project, "project") for project in spec.project_ids]
    if len(set(project_ids)) != len(project_ids):
        raise ValidationError("A project is listed twice", message_zh="项目重复")
    experts = _checked_experts(spec.experts, project_ids)
    weights = _checked_group_weights(spec.group_weights, any(experts.values()))
    peers = spec.peers_per_project
    if isinstance(peers, bool) or not isinstance(peers, int) or not 0 <= peers <= 20:
        raise ValidationError("Peers per project must be a whole number from 0 to 20",
                              message_zh="每个项目的同级评分人数须为 0–20 的整数")
    with transaction(engine) as session:
        indicator_id = _fed_indicator(session, spec.indicator_code)
        rows = session.execute(scoped_projects(viewer, Project, Region, include_archived=True)
                               .where(Project.id.in_(project_ids))).all()
        found = {project.id: (project, region) for project, region in rows}
        missing = [project for project in project_ids if project not in found]
        if missing:
            raise NotFound(f"Project {missing[0]} does not exist or is outside your scope",
                           message_zh=f"项目 {missing[0]} 不存在或不在您的权限范围内")
        idle = [found[p][0] for p in project_ids if found[p][0].status not in RATEABLE_STATUSES]
        if idle:
            raise ValidationError(
                f"{idle[0].code} is {idle[0].status}: only active, suspended or completed projects are rated",
                message_zh=f"项目 {idle[0].code} 状态为 {idle[0].status}，只能评在建、暂停或已完工的项目")
        clash = _already_rated(session, project_ids, period, [c.code for c in criteria])
        if clash is not None:
            raise ValidationError(f"{clash} is already rated for {period:%Y-%m} on one of these criteria",
                                  message_zh=f"项目 {clash} 在 {period:%Y-%m} 已有这些评分项的评分（或已在其他轮次中）")
        round_row = RatingRound(
            name_zh=name_zh, name_en=name_en, period=period, deadline=deadline, status="open",
            criteria=audit.canonical_json([c.__dict__ for c in criteria]), group_weights=audit.canonical_json(weights),
            indicator_id=indicator_id, anonymous=bool(spec.anonymous), correct_leniency=bool(spec.correct_leniency),
            created_by=viewer.person_id, created_at=now, version=1)
        session.add(round_row)
        session.flush()
        planner = _planner(session)
        assignments = [RatingAssignment(round_id=round_row.id, project_id=project, rater_id=user, rater_type=rater_type)
                       for project in project_ids
                       for user, rater_type in planner.raters(_facts(*found[project]), experts.get(project, []),
                                                              peers)]
        session.add_all(assignments)
        audit.append(session, actor=viewer, action="rating_round.open", entity="rating_round", entity_id=round_row.id,
                     after={"name_zh": name_zh, "name_en": name_en, "period": period, "deadline": deadline,
                            "criteria": [c.__dict__ for c in criteria], "group_weights": weights,
                            "indicator_code": spec.indicator_code, "anonymous": bool(spec.anonymous),
                            "correct_leniency": bool(spec.correct_leniency), "projects": project_ids,
                            "assignments": [[a.project_id, a.rater_id, a.rater_type] for a in assignments]})
        return int(round_row.id)


# -- reads ----------------------------------------------------------------------------------------------------
def _frame(engine: Engine, statement: Select) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _rated_clause(round_id_column: ColumnElement[int], project_column: ColumnElement[int],
                  rater_column: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the assigned rater has rated the project in the round."""
    return exists().where(Rating.round_id == round_id_column, Rating.project_id == project_column,
                          Rating.rater_id == rater_column)


def list_rounds(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Rounds with a project in the viewer's scope, newest first, counted over those projects.

    Columns: id, name_zh, name_en, period, deadline, status, projects, assigned, responded, anonymous,
    indicator_code, version.
    """
    in_scope = scoped_projects(viewer, Project.id, include_archived=True).subquery()
    rated = _rated_clause(RatingAssignment.round_id, RatingAssignment.project_id, RatingAssignment.rater_id)
    counts = (select(RatingAssignment.round_id,
                     func.count(func.distinct(RatingAssignment.project_id)).label("projects"),
                     func.count().label("assigned"),
                     func.sum(case((rated, 1), else_=0)).label("responded"))
              .join(in_scope, in_scope.c.id == RatingAssignment.project_id)
              .group_by(RatingAssignment.round_id).subquery())
    statement = (select(RatingRound.id, RatingRound.name_zh, RatingRound.name_en, RatingRound.period,
                        RatingRound.deadline, RatingRound.status, counts.c.projects, counts.c.assigned,
                        counts.c.responded, RatingRound.anonymous, Indicator.code.label("indicator_code"),
                        RatingRound.version)
                 .join(counts, counts.c.round_id == RatingRound.id)
                 .outerjoin(Indicator, Indicator.id == RatingRound.indicator_id)
                 .order_by(RatingRound.deadline.desc(), RatingRound.id.desc()))
    frame = _frame(engine, statement)
    frame["deadline"] = frame["deadline"].map(utc)
    frame["responded"] = frame["responded"].fillna(0).astype(int)
    return frame


def round_assignments(engine: Engine, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """Who rates what in a round (for the people who run rounds). Columns: project_id, code, name_zh, name_en,
    rater_id, rater_name, rater_type, rated, updated_at."""
    require(viewer, Action.MANAGE_RATING_ROUNDS)
    with Session(engine) as session:
        load_round(session, round_id)
    statement = (scoped_projects(viewer, Project.id.label("project_id"), Project.code, Project.name_zh,
                                 Project.name_en, RatingAssignment.rater_id, User.display_name.label("rater_name"),
                                 RatingAssignment.rater_type,
                                 _rated_clause(RatingAssignment.round_id, RatingAssignment.project_id,
                                               RatingAssignment.rater_id).label("rated"),
                                 include_archived=True)
                 .join(RatingAssignment, RatingAssignment.project_id == Project.id)
                 .join(User, User.id == RatingAssignment.rater_id)
                 .where(RatingAssignment.round_id == round_id)
                 .order_by(Project.code, RatingAssignment.rater_type, User.id))
    frame = _frame(engine, statement)
    frame["rated"] = frame["rated"].astype(bool)
    return frame


def my_rating_tasks(engine: Engine, viewer: Viewer, *, open_only: bool = True) -> pd.DataFrame:
    """The viewer's own assignments: what they rate, in which round, by when, and whether they have.

    ``open_only``: rounds still open and before their deadline. Columns: round_id, round_name_zh, round_name_en,
    period, deadline, status, project_id, code, name_zh, name_en, region_zh, region_en, rater_type, rated.
    Assignments are the viewer's own, so no scope applies beyond them (a peer rates another manager's project).
    """
    statement = (select(RatingRound.id.label("round_id"), RatingRound.name_zh.label("round_name_zh"),
                        RatingRound.name_en.label("round_name_en"), RatingRound.period, RatingRound.deadline,
                        RatingRound.status, Project.id.label("project_id"), Project.code, Project.name_zh,
                        Project.name_en, Region.name_zh.label("region_zh"), Region.name_en.label("region_en"),
                        RatingAssignment.rater_type,
                        _rated_clause(RatingAssignment.round_id, RatingAssignment.project_id,
                                      RatingAssignment.rater_id).label("rated"))
                 .join(RatingAssignment, RatingAssignment.round_id == RatingRound.id)
                 .join(Project, Project.id == RatingAssignment.project_id)
                 .join(Region, Region.id == Project.region_id)
                 .where(RatingAssignment.rater_id == viewer.user_id)
                 .order_by(RatingRound.deadline, RatingRound.id, Project.code))
    if open_only:
        statement = statement.where(RatingRound.status == "open", RatingRound.deadline > dt.datetime.now(dt.UTC))
    frame = _frame(engine, statement)
    frame["deadline"] = frame["deadline"].map(utc)
    frame["rated"] = frame["rated"].astype(bool)
    return frame


def _assignment(session: Session, viewer: Viewer, round_row: RatingRound, project_id: object) -> RatingAssignment:
    """The viewer's assignment for the project in the round; anyone else is refused in the same words."""
    project = checked_id(project_id, "project")
    assignment: RatingAssignment | None = session.execute(select(RatingAssignment).where(
        RatingAssignment.round_id == round_row.id, RatingAssignment.project_id == project,
        RatingAssignment.rater_id == viewer.user_id)).scalar_one_or_none()
    if assignment is None:
        raise PermissionDenied(NOT_ASSIGNED[0], message_zh=NOT_ASSIGNED[1])
    return assignment


def is_open(round_row: RatingRound, now: dt.datetime) -> bool:
    return round_row.status == "open" and utc(round_row.deadline) > now


def rating_sheet(engine: Engine, viewer: Viewer, *, round_id: int, project_id: int) -> RatingSheet:
    """The viewer's rating form for one project of a round (only for an assigned rater)."""
    require(viewer, Action.RATE_PROJECTS)
    with Session(engine) as session:
        round_row = load_round(session, round_id)
        assignment = _assignment(session, viewer, round_row, project_id)
        project = session.get(Project, assignment.project_id)
        assert project is not None  # the assignment's foreign key
        region = session.get(Region, project.region_id)
        assert region is not None  # the project's foreign key
        mine = session.execute(select(Rating.dimension, Rating.score, Rating.comment, Rating.created_at,
                                      Rating.updated_at)
                               .where(Rating.round_id == round_row.id, Rating.project_id == project.id,
                                      Rating.rater_id == viewer.user_id)).all()
    saved = [row.updated_at or row.created_at for row in mine]
    return RatingSheet(
        round_id=round_row.id, project_id=project.id, round_name_zh=round_row.name_zh,
        round_name_en=round_row.name_en, code=project.code, name_zh=project.name_zh, name_en=project.name_en,
        region_zh=region.name_zh, region_en=region.name_en, period=round_row.period,
        deadline=utc(round_row.deadline), status=round_row.status,
        open=is_open(round_row, dt.datetime.now(dt.UTC)), rater_type=assignment.rater_type,
        criteria=criteria_of(round_row), scores={row.dimension: float(row.score) for row in mine},
        comment=next((row.comment for row in mine if row.comment), None),
        updated_at=max(map(utc, saved)) if saved else None, version=round_row.version)


def _checked_scores(scores: object, criteria: Sequence[Criterion]) -> dict[str, float]:
    if not isinstance(scores, Mapping):
        raise ValidationError("Scores must map each criterion to a score", message_zh="评分格式不正确")
    codes = [c.code for c in criteria]
    unknown = sorted(str(code) for code in scores if code not in codes)
    if unknown:
        raise ValidationError(f"{unknown[0]!r:.30} is not a criterion of this round",
                              message_zh=f"{unknown[0]!r:.30} 不是本轮的评分项")
    checked: dict[str, float] = {}
    for criterion in criteria:
        if scores.get(criterion.code) is None:
            raise ValidationError(f"Score {criterion.name_en}", message_zh=f"请为“{criterion.name_zh}”打分")
        value = number(scores[criterion.code], f"The score for {criterion.name_en}", f"“{criterion.name_zh}”的分数")
        if not 0 <= value <= 100:
            raise ValidationError(f"The score for {criterion.name_en} must be between 0 and 100, got {value:g}",
                                  message_zh=f"“{criterion.name_zh}”的分数须在 0 到 100 之间（填写的是 {value:g}）")
        checked[criterion.code] = value
    return checked


def _checked_comment(comment: object) -> str | None:
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise ValidationError("The comment must be text", message_zh="评语须为文字")
    text = comment.strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError(f"The comment is longer than {MAX_COMMENT} characters",
                              message_zh=f"评语不能超过 {MAX_COMMENT} 个字")
    return text or None


def require_open(round_row: RatingRound, now: dt.datetime) -> None:
    """Refuse a rating once the round has closed or its deadline has passed, naming the deadline."""
    if not is_open(round_row, now):
        english, chinese = deadline_text(round_row.deadline)
        if round_row.status == "closed" and utc(round_row.deadline) > now:
            raise RoundClosed(
                f"This round has been closed before its deadline {english}: ratings can no longer be given or changed",
                message_zh=f"本轮评分已提前关闭（原截止时间 {chinese}），不能再评分或修改")
        raise RoundClosed(f"This round closed at its deadline {english}: ratings can no longer be given or changed",
                          message_zh=f"本轮评分已于 {chinese} 截止，不能再评分或修改")


def rate(engine: Engine, viewer: Viewer, *, round_id: int, project_id: int, scores: Mapping[str, float],
         comment: str | None) -> None:
    """Save (or change) the viewer's scores for one project of a round, every criterion 0–100, until the deadline.

    Only the project's assigned raters may rate it, each in their assigned group (a manager rates their own
    project only as ``self``); every save is audited with the scores before and after.
    """
    require(viewer, Action.RATE_PROJECTS)
    with transaction(engine) as session:
        round_row = load_round(session, round_id)
        assignment = _assignment(session, viewer, round_row, project_id)
        now = dt.datetime.now(dt.UTC)
        require_open(round_row, now)
        checked = _checked_scores(scores, criteria_of(round_row))
        text = _checked_comment(comment)
        existing = {row.dimension: row for row in session.execute(select(Rating).where(
            Rating.round_id == round_row.id, Rating.project_id == assignment.project_id,
            Rating.rater_id == viewer.user_id)).scalars()}
        before = ({"scores": {code: row.score for code, row in existing.items()},
                   "comment": next((row.comment for row in existing.values() if row.comment), None)}
                  if existing else None)
        for code, score in checked.items():
            row = existing.get(code)
            if row is None:
                session.add(Rating(project_id=assignment.project_id, period=round_row.period, dimension=code,
                                   rater_type=assignment.rater_type, rater_id=viewer.user_id, score=score,
                                   comment=text, created_at=now, round_id=round_row.id))
            else:
                row.score, row.comment, row.updated_at = score, text, now
        audit.append(session, actor=viewer, action="rating.rate", entity="rating",
                     entity_id=f"{round_row.id}/{assignment.project_id}/{viewer.user_id}", before=before,
                     after={"scores": checked, "comment": text, "rater_type": assignment.rater_type})
