"""经验库: best-practice cases — stored, searched and read with their before/after figures; who may change them.

**Who reads which cases.** Every user reads every case, other districts' included: a case is what a district
chose to publish so that others can copy it, which is the point of the knowledge base. A case shows its
title, texts, its project's name and district and the figures of its one indicator at its two periods —
nothing else of a project outside the reader's scope (no link to it, no other figures).

**Who changes which.** ``Action.EDIT_KNOWLEDGE`` roles, within their scope: a case of a project needs that
project in the writer's scope (an official: their district's projects; a project manager: the projects they
manage), and its region and category are the project's; a case without a project is a district's (inside an
official's district) or, with no region, city-wide (only for roles that see every region). Editing an
existing case needs the same of the case as it stands *and* as it will be, so nobody moves another
district's case into their own. Every change is audited in its own transaction and optimistic-locked on
``version``.

**Search** is a portable token match on both databases. ``search_text`` holds the case's distinct terms
(:func:`data_access.words.search_terms`: jieba words, every pair of adjacent Chinese characters, lower-cased
English words) between single spaces, rebuilt on every save; a query is split the same way and each term
matched as ``search_text LIKE '% term %'``. Neither SQLite FTS5's tokenizers nor PostgreSQL's ``simple``
configuration split Chinese, so either would index these same pre-split terms anyway; the plain match needs
no virtual table, trigger, extension or second schema to keep in step, and the ranking (title matches
first, then more terms matched, then the newest) is one ``ORDER BY`` on both. Measured
(``bench/bench_knowledge.py``, 2 shared cores): over 5,000 cases a one-word query takes 45–70 ms, one of
three phrases (a dozen terms) about 190 ms on SQLite and 135 ms on PostgreSQL, up to 200 rows with their
figures; a city writes a few hundred cases a year, and the page caches each search. Terms hold only
letters, digits and Chinese characters, so they never contain a LIKE wildcard.

**Files** of a case are attachments of its project with ``case_id`` set (``attachments.project_id`` is NOT
NULL): a case without a project takes no files. They are read like the case, by every user.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, and_, case, false, func, literal, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.alerts.queries import scoped_alert
from data_access.attachments import AlreadyAttached, NewAttachment, StoredAttachment
from data_access.db import transaction
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import (
    Alert,
    AlertRule,
    Attachment,
    Category,
    Indicator,
    KnowledgeCase,
    Observation,
    Project,
    Rectification,
    Region,
    User,
)
from data_access.policy import Action, Role, Viewer, allowed, require
from data_access.scope import as_id, checked_id, refusal, require_project_in_scope
from data_access.words import search_terms

MAX_QUERY_TERMS = 40  # a pasted paragraph is cut here: the statement stays small, the first words count most
MAX_TAGS, MAX_TAG_LENGTH = 10, 20
# A suggestion of another problem type shares at least this many terms with the alert's texts: one or two shared
# terms are mostly the generic words of every project name (工程, 建设).
SUGGESTION_MIN_TERMS = 3
TEXT_LIMITS = {"title_zh": (200, "标题"), "title_en": (300, "英文标题"), "problem_type": (40, "问题类型"),
               "action_taken": (4000, "主要做法"), "result_text": (4000, "取得成效")}
REQUIRED_TEXTS = ("title_zh", "problem_type", "action_taken", "result_text")


@dataclass(frozen=True)
class CaseFields:
    """What a writer gives for a case. With a project, ``region_id`` and ``category_id`` are the project's
    (what is given is ignored); the indicator's figures are read from that project's observations."""

    title_zh: str
    problem_type: str
    action_taken: str
    result_text: str
    title_en: str | None = None
    project_id: int | None = None
    region_id: int | None = None
    category_id: int | None = None
    indicator_id: int | None = None
    before_period: dt.date | None = None
    after_period: dt.date | None = None
    tags: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RectificationFacts:
    """What a case drafted from a closed rectification is made of (read in the viewer's scope)."""

    alert_id: int
    status: str
    rectification_id: int | None
    case_id: int | None  # the case already made from it, if any
    rule_type: str
    rule_zh: str
    rule_en: str
    rule_params: dict[str, Any]
    project_id: int
    project_zh: str
    project_en: str
    data_period: dt.date | None
    opened_at: dt.datetime
    plan: str | None
    evidence_note: str | None


def _case_refusal() -> NotFound:
    return NotFound("No such knowledge-base case", message_zh="经验案例不存在")


def _edit_refusal() -> PermissionDenied:
    return PermissionDenied("You may change only the cases of your own scope",
                            message_zh="只能编写和修改本辖区（本人项目）的经验案例")


# -- reads ------------------------------------------------------------------------------------------------------
def _editable_clause(viewer: Viewer) -> ColumnElement[bool]:
    """True for the cases (joined to their project and region) the viewer may change."""
    if not allowed(viewer, Action.EDIT_KNOWLEDGE):
        return false()
    if viewer.role == Role.PROJECT_MANAGER:
        return Project.manager_id == viewer.user_id
    if viewer.sees_everything:
        return true()
    if viewer.region_path is None:
        return false()
    return Region.path.startswith(viewer.region_path, autoescape=True)


def _cases_statement(viewer: Viewer) -> Select[Any]:
    """Every case with its project, region, category, indicator and the two figures, in one statement."""
    before, after = aliased(Observation), aliased(Observation)
    return (
        select(KnowledgeCase.id, KnowledgeCase.title_zh, KnowledgeCase.title_en, KnowledgeCase.problem_type,
               KnowledgeCase.action_taken, KnowledgeCase.result_text, KnowledgeCase.tags,
               KnowledgeCase.project_id, Project.name_zh.label("project_zh"), Project.name_en.label("project_en"),
               KnowledgeCase.region_id, Region.name_zh.label("region_zh"), Region.name_en.label("region_en"),
               Region.path.label("region_path"),
               KnowledgeCase.category_id, Category.name_zh.label("category_zh"),
               Category.name_en.label("category_en"),
               KnowledgeCase.indicator_id, Indicator.name_zh.label("indicator_zh"),
               Indicator.name_en.label("indicator_en"), Indicator.unit_zh, Indicator.unit_en,
               KnowledgeCase.before_period, KnowledgeCase.after_period,
               before.value.label("before_value"), after.value.label("after_value"),
               KnowledgeCase.rectification_id, User.display_name.label("created_by_name"),
               KnowledgeCase.created_at, KnowledgeCase.updated_at, KnowledgeCase.version,
               _editable_clause(viewer).label("editable"))
        .select_from(KnowledgeCase)
        .outerjoin(Project, Project.id == KnowledgeCase.project_id)
        .outerjoin(Region, Region.id == KnowledgeCase.region_id)
        .outerjoin(Category, Category.id == KnowledgeCase.category_id)
        .outerjoin(Indicator, Indicator.id == KnowledgeCase.indicator_id)
        .outerjoin(User, User.id == KnowledgeCase.created_by)
        .outerjoin(before, and_(before.project_id == KnowledgeCase.project_id,
                                before.indicator_id == KnowledgeCase.indicator_id,
                                before.period == KnowledgeCase.before_period))
        .outerjoin(after, and_(after.project_id == KnowledgeCase.project_id,
                               after.indicator_id == KnowledgeCase.indicator_id,
                               after.period == KnowledgeCase.after_period))
    )


def _frame(engine: Engine, statement: Select[Any]) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame["tags"] = [json.loads(text or "[]") for text in frame["tags"]]
    frame["editable"] = frame["editable"].astype(bool)
    return frame


def get_case(engine: Engine, viewer: Viewer, case_id: int) -> pd.Series:
    """One case with the columns of :func:`search_cases` (hits 0); NotFound for an unknown id."""
    frame = _frame(engine, _cases_statement(viewer).where(KnowledgeCase.id == _case_id(case_id)))
    if frame.empty:
        raise _case_refusal()
    return frame.assign(hits=0, title_hits=0).iloc[0]


def _case_id(value: object) -> int:
    """A case id the database can hold; an impossible number gets the unknown case's refusal."""
    number = as_id(value)
    if number is None:
        raise _case_refusal()
    return number


def _region_filter(region_id: int) -> ColumnElement[bool]:
    """Cases of the region and its sub-regions."""
    path = select(Region.path).where(Region.id == checked_id(region_id, "region")).scalar_subquery()
    return Region.path.startswith(path)


def search_cases(engine: Engine, viewer: Viewer, query: str = "", *, problem_type: str | None = None,
                 category_id: int | None = None, region_id: int | None = None, prefer_problem_type: str | None = None,
                 exclude_rectification_id: int | None = None, limit: int = 50) -> pd.DataFrame:
    """Cases matching ``query`` (every case when it is blank), best first, at most ``limit``.

    A query whose words are all stop words or punctuation finds nothing. Filters: ``problem_type`` exactly,
    ``category_id``, ``region_id`` (that region and its sub-regions; city-wide cases are left out).
    ``prefer_problem_type`` puts cases of that type first (suggestions) and then keeps only those or cases
    sharing at least :data:`SUGGESTION_MIN_TERMS` terms with the query. Order: preferred type, title matches,
    terms matched, newest, id.

    Columns: those of the case (``title_zh`` … ``version``), ``before_value``/``after_value`` from
    ``observations``, ``editable`` (the viewer may change it), ``hits`` and ``title_hits``.
    """
    terms = search_terms(query or "")[:MAX_QUERY_TERMS]
    if (query or "").strip() and not terms:
        return _frame(engine, _cases_statement(viewer).where(false())).assign(hits=0, title_hits=0)
    hits: ColumnElement[int] = literal(0)
    title_hits: ColumnElement[int] = literal(0)
    for term in terms:
        hits = hits + case((KnowledgeCase.search_text.like(f"% {term} %"), 1), else_=0)
        title_hits = title_hits + case((or_(func.lower(KnowledgeCase.title_zh).like(f"%{term}%"),
                                            func.lower(func.coalesce(KnowledgeCase.title_en, "")).like(f"%{term}%")),
                                        1), else_=0)
    statement = _cases_statement(viewer).add_columns(hits.label("hits"), title_hits.label("title_hits"))
    preferred: ColumnElement[int] = literal(0)
    if prefer_problem_type is not None:
        preferred = case((KnowledgeCase.problem_type == prefer_problem_type, 1), else_=0)
        statement = statement.where(or_(KnowledgeCase.problem_type == prefer_problem_type,
                                        hits >= SUGGESTION_MIN_TERMS))
    elif terms:
        statement = statement.where(hits > 0)
    if problem_type:
        statement = statement.where(KnowledgeCase.problem_type == problem_type)
    if category_id is not None:
        statement = statement.where(KnowledgeCase.category_id == checked_id(category_id, "category"))
    if region_id is not None:
        statement = statement.where(_region_filter(region_id))
    if exclude_rectification_id is not None:
        statement = statement.where(or_(KnowledgeCase.rectification_id.is_(None),
                                        KnowledgeCase.rectification_id != exclude_rectification_id))
    statement = statement.order_by(preferred.desc(), title_hits.desc(), hits.desc(),
                                   func.coalesce(KnowledgeCase.updated_at, KnowledgeCase.created_at).desc(),
                                   KnowledgeCase.id.desc()).limit(max(1, min(int(limit), 500)))
    return _frame(engine, statement)


def cases_for_period(engine: Engine, viewer: Viewer, *, region_id: int | None, start: dt.date, end: dt.date,
                     limit: int) -> pd.DataFrame:
    """Cases of a region (and its sub-regions; None: every case) whose result was measured in [start, end]
    — or, with no after period, that were written then — those with both figures first, newest first.

    A report is built for the viewer's scope: a viewer who does not see every region gets their own region's
    cases when ``region_id`` is None, and the region's refusal for a region outside their scope.
    """
    if not viewer.sees_everything:
        region_id = viewer.region_id if region_id is None else region_id
        if region_id is None:
            raise refusal("region", PermissionDenied)
        with Session(engine) as session:
            path = session.execute(select(Region.path).where(Region.id == checked_id(region_id, "region"))).scalar()
        if path is None:
            raise refusal("region")
        if viewer.region_path is None or not path.startswith(viewer.region_path):
            raise refusal("region", PermissionDenied)
    when = or_(KnowledgeCase.after_period.between(start, end),
               and_(KnowledgeCase.after_period.is_(None),
                    KnowledgeCase.created_at >= dt.datetime.combine(start, dt.time(), dt.UTC),
                    KnowledgeCase.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)))
    statement = _cases_statement(viewer).where(when)
    if region_id is not None:
        statement = statement.where(_region_filter(region_id))
    before, after = statement.selected_columns.before_value, statement.selected_columns.after_value
    with_figures = case((and_(before.is_not(None), after.is_not(None)), 1), else_=0)
    statement = statement.order_by(with_figures.desc(), KnowledgeCase.after_period.desc().nulls_last(),
                                   KnowledgeCase.id.desc()).limit(limit)
    return _frame(engine, statement)


def case_districts(engine: Engine) -> pd.DataFrame:
    """The districts (and counties) that have cases, for the filter every reader gets: id, name_zh, name_en."""
    case_region = aliased(Region)
    has_cases = (select(KnowledgeCase.id).join(case_region, case_region.id == KnowledgeCase.region_id)
                 .where(case_region.path.startswith(Region.path)).exists())
    statement = (select(Region.id, Region.name_zh, Region.name_en)
                 .where(Region.level == "district", has_cases).order_by(Region.path))
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def problem_types(engine: Engine) -> list[str]:
    """The problem types cases use, for the filter."""
    with engine.connect() as connection:
        return list(connection.execute(select(KnowledgeCase.problem_type).distinct()
                                       .order_by(KnowledgeCase.problem_type)).scalars())


def rectification_facts(engine: Engine, viewer: Viewer, alert_id: int) -> RectificationFacts:
    """The alert, its rule, project and 整改 task, if the alert is in the viewer's scope (the alerts'
    refusal otherwise)."""
    with Session(engine) as session:
        alert = scoped_alert(session, viewer, alert_id)
        row = session.execute(
            select(Alert.id, Alert.status, Alert.data_period, Alert.opened_at, AlertRule.rule_type,
                   AlertRule.name_zh.label("rule_zh"), AlertRule.name_en.label("rule_en"), AlertRule.params,
                   Project.id.label("project_id"),
                   Project.name_zh.label("project_zh"), Project.name_en.label("project_en"),
                   Rectification.id.label("rectification_id"), Rectification.plan,
                   Rectification.evidence_note, KnowledgeCase.id.label("case_id"))
            .join(AlertRule, AlertRule.id == Alert.rule_id).join(Project, Project.id == Alert.project_id)
            .outerjoin(Rectification, Rectification.alert_id == Alert.id)
            .outerjoin(KnowledgeCase, KnowledgeCase.rectification_id == Rectification.id)
            .where(Alert.id == alert.id)).one()
    return RectificationFacts(
        alert_id=row.id, status=row.status, rectification_id=row.rectification_id, case_id=row.case_id,
        rule_type=row.rule_type, rule_zh=row.rule_zh, rule_en=row.rule_en, rule_params=json.loads(row.params or "{}"),
        project_id=row.project_id, project_zh=row.project_zh, project_en=row.project_en or "",
        data_period=row.data_period, opened_at=row.opened_at, plan=row.plan, evidence_note=row.evidence_note)


def latest_period(engine: Engine, project_id: int, indicator_id: int) -> dt.date | None:
    """The latest month the project has a value of the indicator for."""
    with engine.connect() as connection:
        return connection.execute(select(func.max(Observation.period)).where(
            Observation.project_id == checked_id(project_id, "project"),
            Observation.indicator_id == checked_id(indicator_id, "indicator"))).scalar()


def indicator_id_for(engine: Engine, code: str) -> int | None:
    """The id of the level-3 indicator with this code, if there is one."""
    with engine.connect() as connection:
        return connection.execute(select(Indicator.id).where(Indicator.code == code, Indicator.level == 3)).scalar()


# -- writes -----------------------------------------------------------------------------------------------------
def _text(value: object, name: str) -> str:
    limit, label = TEXT_LIMITS[name]
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{name} must be text", message_zh=f"{label}须为文字")
    if name in REQUIRED_TEXTS and not text:
        raise ValidationError(f"{name} is required", message_zh=f"请填写{label}")
    if len(text) > limit:
        raise ValidationError(f"{name} is longer than {limit} characters",
                              message_zh=f"{label}不能超过 {limit} 个字")
    return text


def _tags(values: Sequence[object]) -> list[str]:
    if isinstance(values, str) or not all(isinstance(value, str) for value in values):
        raise ValidationError("Tags must be a list of words", message_zh="标签须为词语列表")
    tags = list(dict.fromkeys(value.strip() for value in values if isinstance(value, str) and value.strip()))
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"At most {MAX_TAGS} tags", message_zh=f"标签最多 {MAX_TAGS} 个")
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise ValidationError(f"A tag is at most {MAX_TAG_LENGTH} characters",
                              message_zh=f"每个标签不能超过 {MAX_TAG_LENGTH} 个字")
    return tags


def _month(value: object, label: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime) or value.day != 1:
        raise ValidationError(f"{label} must be the first day of a month", message_zh=f"{label}须为某月的第一天")
    return value


def _row_values(session: Session, viewer: Viewer, fields: CaseFields) -> dict[str, Any]:
    """The columns to store, checked: texts, periods, indicator, and where the case belongs (scope)."""
    values: dict[str, Any] = {name: _text(getattr(fields, name), name) for name in TEXT_LIMITS}
    values["title_en"] = values["title_en"] or None
    values["tags"] = _tags(fields.tags)
    before, after = _month(fields.before_period, "对比前月份"), _month(fields.after_period, "对比后月份")
    if before and after and before >= after:
        raise ValidationError("The 'before' month must come before the 'after' month",
                              message_zh="对比前月份须早于对比后月份")
    values |= {"before_period": before, "after_period": after}
    values |= _place(session, viewer, fields)
    values["indicator_id"] = None
    if fields.indicator_id is not None:
        indicator_id = checked_id(fields.indicator_id, "indicator")
        known = select(Indicator.id).where(Indicator.id == indicator_id, Indicator.level == 3)
        if session.execute(known).first() is None:
            raise ValidationError("No such indicator", message_zh="所选指标不存在")
        if values["project_id"] is None:
            raise ValidationError("Figures are read from a project: choose the project first",
                                  message_zh="成效数据取自项目的填报值，请先选择项目")
        values["indicator_id"] = indicator_id
    elif before or after:
        raise ValidationError("Choose the indicator the two months compare", message_zh="请选择对比的指标")
    return values


def _place(session: Session, viewer: Viewer, fields: CaseFields) -> dict[str, Any]:
    """project, region and category of the case, after checking the viewer may write there."""
    if fields.project_id is not None:
        project_id = checked_id(fields.project_id, "project")
        require_project_in_scope(session, viewer, project_id, audit_refusal=False)
        project = session.execute(select(Project.region_id, Project.category_id)
                                  .where(Project.id == project_id)).one()
        return {"project_id": project_id, "region_id": project.region_id, "category_id": project.category_id}
    if viewer.role == Role.PROJECT_MANAGER:
        raise ValidationError("Choose one of your projects", message_zh="请选择案例所属的项目（您负责的项目）")
    category_id = None
    if fields.category_id is not None:
        category_id = checked_id(fields.category_id, "category")
        if session.get(Category, category_id) is None:
            raise ValidationError("No such category", message_zh="所选类别不存在")
    if fields.region_id is None:
        if not viewer.sees_everything:
            raise _edit_refusal()
        return {"project_id": None, "region_id": None, "category_id": category_id}
    region_id = checked_id(fields.region_id, "region")
    path = session.execute(select(Region.path).where(Region.id == region_id)).scalar()
    if path is None:
        raise ValidationError("No such region", message_zh="所选地区不存在")
    if not (viewer.sees_everything or viewer.region_path is not None and path.startswith(viewer.region_path)):
        raise _edit_refusal()
    return {"project_id": None, "region_id": region_id, "category_id": category_id}


def _search_text(session: Session, values: dict[str, Any]) -> str:
    """The stored terms: the case's texts and tags, its project's, region's and category's names."""
    names: list[str] = []
    for model, key in ((Project, "project_id"), (Region, "region_id"), (Category, "category_id")):
        if values[key] is not None:
            row = session.execute(select(model.name_zh, model.name_en).where(model.id == values[key])).one()
            names += [row.name_zh, row.name_en or ""]
    return index_text([values["title_zh"], values["title_en"] or "", values["problem_type"], values["action_taken"],
                       values["result_text"], *values["tags"], *names])


def index_text(texts: Sequence[str]) -> str:
    """What ``search_text`` stores for these texts: their distinct terms between single spaces.

    >>> index_text(["加装电梯", "Elevator"])
    ' 加装 电梯 elevator 装电 '
    """
    return f" {' '.join(search_terms(' '.join(texts)))} "


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    return values | {"tags": audit.canonical_json(values["tags"])}


def create_case(engine: Engine, viewer: Viewer, fields: CaseFields, *, rectification_id: int | None = None) -> int:
    """Add a case (audited); its id. PermissionDenied outside the viewer's scope, ValidationError for a bad field."""
    require(viewer, Action.EDIT_KNOWLEDGE)
    with transaction(engine) as session:
        values = _row_values(session, viewer, fields)
        now = dt.datetime.now(dt.UTC)
        row = KnowledgeCase(**_stored(values), rectification_id=rectification_id,
                            search_text=_search_text(session, values), created_by=viewer.person_id,
                            created_at=now, updated_at=now, version=1)
        session.add(row)
        session.flush()
        audit.append(session, actor=viewer, action="knowledge.create", entity="knowledge_case", entity_id=row.id,
                     after=values | {"rectification_id": rectification_id})
        return row.id


def _writable_case(session: Session, viewer: Viewer, case_id: int) -> KnowledgeCase:
    row = session.get(KnowledgeCase, checked_id(case_id, "case"))
    if row is None:
        raise _case_refusal()
    allowed_here = session.execute(
        select(KnowledgeCase.id).outerjoin(Project, Project.id == KnowledgeCase.project_id)
        .outerjoin(Region, Region.id == KnowledgeCase.region_id)
        .where(KnowledgeCase.id == row.id, _editable_clause(viewer))).first()
    if allowed_here is None:
        raise _edit_refusal()
    return row


def update_case(engine: Engine, viewer: Viewer, case_id: int, expected_version: int, fields: CaseFields) -> int:
    """Replace a case's fields (audited, before and after); the new version. VersionConflict when someone
    saved it since ``expected_version`` was read; nothing is written then."""
    require(viewer, Action.EDIT_KNOWLEDGE)
    with transaction(engine) as session:
        row = _writable_case(session, viewer, case_id)
        before = {name: getattr(row, name) for name in (*TEXT_LIMITS, "project_id", "region_id", "category_id",
                                                        "indicator_id", "before_period", "after_period", "tags")}
        values = _row_values(session, viewer, fields)
        result = session.execute(
            update(KnowledgeCase).where(KnowledgeCase.id == row.id, KnowledgeCase.version == expected_version)
            .values(**_stored(values), search_text=_search_text(session, values), updated_at=dt.datetime.now(dt.UTC),
                    version=KnowledgeCase.version + 1))
        if result.rowcount != 1:
            raise VersionConflict("The case was changed by someone else since you opened it; reload and try again",
                                  message_zh="该案例已被他人修改，请刷新后重试（您的修改未保存）")
        audit.append(session, actor=viewer, action="knowledge.update", entity="knowledge_case", entity_id=row.id,
                     before=before | {"tags": json.loads(before["tags"] or "[]")}, after=values)
    return expected_version + 1


def case_fields(row: pd.Series) -> CaseFields:
    """A read case's fields, to edit (what :func:`update_case` takes)."""
    def optional(value: object) -> Any:
        return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value
    return CaseFields(
        title_zh=row["title_zh"], problem_type=row["problem_type"], action_taken=row["action_taken"],
        result_text=row["result_text"], title_en=optional(row["title_en"]),
        project_id=_int_or_none(row["project_id"]), region_id=_int_or_none(row["region_id"]),
        category_id=_int_or_none(row["category_id"]), indicator_id=_int_or_none(row["indicator_id"]),
        before_period=optional(row["before_period"]), after_period=optional(row["after_period"]),
        tags=tuple(row["tags"]))


def _int_or_none(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]



# -- files ------------------------------------------------------------------------------------------------------
def case_file_project(engine: Engine, viewer: Viewer, case_id: int) -> int:
    """The project a new file of the case is stored under, once the viewer may change the case; a case without
    a project takes no files."""
    require(viewer, Action.EDIT_KNOWLEDGE)
    with Session(engine) as session:
        row = _writable_case(session, viewer, case_id)
        if row.project_id is None:
            raise ValidationError("Only a case of a project can take files",
                                  message_zh="只有关联项目的案例才能添加附件，请先为案例选择项目")
        return row.project_id


def record_case_file(engine: Engine, viewer: Viewer, case_id: int, new: NewAttachment) -> int:
    """Insert the file's row for the case (audited; scope checked again inside the transaction). The same bytes
    already on the case are refused with :class:`AlreadyAttached`."""
    require(viewer, Action.EDIT_KNOWLEDGE)
    with transaction(engine) as session:
        row = _writable_case(session, viewer, case_id)
        if row.project_id is None or row.project_id != new.project_id:
            raise ValidationError("Only a case of a project can take files",
                                  message_zh="只有关联项目的案例才能添加附件，请先为案例选择项目")
        existing = session.execute(select(Attachment.id).where(Attachment.case_id == row.id,
                                                               Attachment.sha256 == new.sha256)).scalar()
        if existing is not None:
            raise AlreadyAttached(existing)
        attachment = Attachment(**{name: getattr(new, name) for name in NewAttachment.__dataclass_fields__},
                                case_id=row.id, uploaded_by=viewer.person_id, uploaded_at=dt.datetime.now(dt.UTC))
        session.add(attachment)
        session.flush()
        audit.append(session, actor=viewer, action="knowledge.file", entity="attachment", entity_id=attachment.id,
                     after={"case_id": row.id, "filename": new.filename, "sha256": new.sha256,
                            "size_bytes": new.size_bytes})
        return attachment.id


def case_files(engine: Engine, case_id: int) -> pd.DataFrame:
    """A case's files, newest first: id, kind, filename, content_type, size_bytes, uploaded_at (every user
    reads them with the case)."""
    statement = (select(Attachment.id, Attachment.kind, Attachment.filename, Attachment.content_type,
                        Attachment.size_bytes, Attachment.uploaded_at)
                 .where(Attachment.case_id == _case_id(case_id))
                 .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc()))
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def case_file(engine: Engine, case_id: int, attachment_id: int) -> StoredAttachment:
    """One file's row if it belongs to the case; a file of no case or of another case is refused like an
    unknown one."""
    with Session(engine) as session:
        row = session.execute(select(Attachment).where(Attachment.id == _case_id(attachment_id),
                                                       Attachment.case_id == _case_id(case_id))).scalar()
        if row is None:
            raise NotFound("No such file of this case", message_zh="该案例没有这个附件")
        return StoredAttachment(row.id, row.project_id, row.kind, row.filename, row.stored_name, row.content_type,
                                row.sha256)
