"""The indicator library (指标库) and category templates: create, edit, reorder, retire; admins only.

Every role may read the library (``reads.list_indicators``); every write here needs
``Action.MANAGE_INDICATORS``, runs in one transaction with its audit entry (before/after) and matches the
``Indicator.version`` the caller read (a stale version raises :class:`VersionConflict`, nothing written).

History stays reproducible:

- A KPI's scoring recipe (direction, band, normalisation method and parameters) is versioned by time. Changing
  it keeps the old recipe in ``normalization_params["history"]`` with the moment it stopped applying; a weight
  scheme created before that moment keeps scoring with the old recipe (:func:`recipe_for`), so no published
  score moves. A change to a KPI the default scheme weighs, or to its default weight, is refused unless the
  caller asks for a new version of the default scheme (a copy made in the same transaction, with the new
  default weight); that version applies once someone promotes it (``schemes.promote_scheme``).
- Retiring keeps the row and its data; schemes created after the retirement ignore the KPI, older ones keep
  scoring it; new schemes and templates leave it out. Only a node without any data may be deleted.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, ValidationError, VersionConflict
from data_access.models import (
    DIRECTIONS,
    NORMALIZATIONS,
    PERIOD_ROLLUPS,
    Category,
    CategoryTemplateItem,
    Goal,
    Indicator,
    Observation,
    ProjectTarget,
    WeightScheme,
    WeightSchemeItem,
)
from data_access.policy import Action, Viewer, require
from data_access.scope import checked_id
from scoring.normalization import normalize

BAND_FALLOFF_FACTOR = 2.0  # without a stated falloff a band scores 0 at twice its width outside it
LIBRARY_PARAMS = {"target": {"cap"}, "minmax": set(), "band": {"falloff"}, "threshold": {"thresholds"}}
STAND_IN_TARGET = 100.0  # targets are per project; validation checks the rest of a 'target' recipe with it
RECIPE_RULES_ZH = {  # what scoring.normalize accepts, said in Chinese; its own (English) words follow
    "pairing": "方向为“区间内最好”时须用区间方法，区间方法也只用于该方向",
    "target": "对标目标值方法的封顶分 cap 须为不小于 100 的数值",
    "minmax": "极差方法不需要参数",
    "band": "区间上下限须为有限数值且下限不大于上限，falloff 须为正数",
    "threshold": "阈值须为 [阈值, 得分] 数对，阈值不重复，得分在 0–100 之间且随指标变好不下降",
}
RECIPE_FIELDS = ("direction", "band_lower", "band_upper", "normalization", "normalization_params")
EDITABLE = frozenset({"name_zh", "name_en", "unit_zh", "unit_en", "default_weight", "period_rollup", "scored",
                      "category_id", *RECIPE_FIELDS})
TEXT_LIMITS = {"name_zh": (80, "中文名称"), "name_en": (120, "英文名称"), "unit_zh": (20, "中文单位"),
               "unit_en": (30, "英文单位")}
CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]{1,29}")
DIMENSION_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,19}")
MAX_WEIGHT = 1e6
LEVEL_ZH = {1: "维度", 2: "指标组", 3: "指标"}


@dataclass(frozen=True)
class Recipe:
    """How one KPI's raw values become 0–100 scores: the arguments of :func:`scoring.normalize`."""

    direction: str
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Change:
    """The result of an edit: the indicator's new version and the scheme version made for it, if any."""

    version: int
    new_scheme_id: int | None = None


@dataclass(frozen=True)
class TemplateItem:
    indicator_id: int
    weight: float
    target_value: float | None = None


# -- recipes (shared with the scorer) -----------------------------------------------------------------------

def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def stored_params(text: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A ``normalization_params`` column: (the method's parameters, the earlier recipes)."""
    stored = json.loads(text or "{}")
    history = stored.pop("history", [])
    return stored, history


def _recipe(direction: str, method: str, band_lower: float | None, band_upper: float | None,
            params: Mapping[str, Any]) -> Recipe:
    full = dict(params)
    if method == "band":
        full["lower"], full["upper"] = band_lower, band_upper
        if "falloff" not in full and band_lower is not None and band_upper is not None:
            full["falloff"] = max(float(band_upper) - float(band_lower), 0.5) * BAND_FALLOFF_FACTOR
    return Recipe(direction, method, full)


def recipe_for(row: Mapping[Hashable, Any], scheme_created_at: dt.datetime | None = None) -> Recipe:
    """The recipe a library row (``list_indicators`` columns) stands for, as a scheme created at
    ``scheme_created_at`` scores it (None: the current recipe)."""
    params, history = stored_params(row["normalization_params"])
    if scheme_created_at is not None:
        for earlier in history:  # oldest first: the first one still in force when the scheme was made
            if _utc(scheme_created_at) < dt.datetime.fromisoformat(earlier["until"]):
                return _recipe(earlier["direction"], earlier["normalization"], earlier["band_lower"],
                               earlier["band_upper"], earlier["params"])
    return _recipe(row["direction"], row["normalization"], row["band_lower"], row["band_upper"], params)


def ignored_by(retired_at: object, scheme_created_at: dt.datetime) -> bool:
    """Whether a scheme created at ``scheme_created_at`` leaves out a KPI retired at ``retired_at``."""
    if not isinstance(retired_at, dt.datetime) or pd.isna(retired_at):  # None, or NaT in a frame
        return False
    return _utc(scheme_created_at) >= _utc(retired_at)


def _check_recipe(code: str, merged: Mapping[str, Any]) -> None:
    """Refuse a recipe :func:`scoring.normalize` would refuse (its own checks, nothing re-implemented)."""
    method, params = merged["normalization"], merged["normalization_params"]
    if not isinstance(params, Mapping):
        raise ValidationError(f"{code}: normalisation parameters must be a JSON object",
                              message_zh=f"指标 {code} 的归一化参数须为 JSON 对象")
    unknown = sorted(set(params) - LIBRARY_PARAMS.get(method, set()))
    if unknown:
        raise ValidationError(f"{code}: method {method!r} takes no parameter {', '.join(unknown)} here",
                              message_zh=f"指标 {code}：方法 {method} 不接受参数 {'、'.join(unknown)}")
    recipe = _recipe(merged["direction"], method, merged["band_lower"], merged["band_upper"], params)
    stand_in = {"target": STAND_IN_TARGET} if method == "target" else {}
    try:
        normalize(np.empty(0), recipe.direction, recipe.method, name=code, **recipe.params, **stand_in)
    except ValueError as exc:
        rule = RECIPE_RULES_ZH["pairing" if (recipe.direction == "band") != (method == "band") else method]
        raise ValidationError(str(exc), message_zh=f"指标 {code} 的归一化设置无效：{rule}（{exc}）") from None


# -- checks -------------------------------------------------------------------------------------------------

def _number(value: object, what: str, what_zh: str, *, optional: bool = False) -> float | None:
    if value is None or (optional and isinstance(value, float) and math.isnan(value)):
        if optional:
            return None
        raise ValidationError(f"{what} is required", message_zh=f"请填写{what_zh}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{what} must be a finite number, got {value!r:.40}",
                              message_zh=f"{what_zh}须为有限数值（当前为 {value!r:.40}）")
    return float(value)


def _weight(value: object, what: str, what_zh: str) -> float:
    weight = _number(value, what, what_zh)
    assert weight is not None
    if not 0 <= weight <= MAX_WEIGHT:
        raise ValidationError(f"{what} must lie between 0 and {MAX_WEIGHT:,.15g}, got {weight:,.15g}",
                              message_zh=f"{what_zh}须在 0 到 {MAX_WEIGHT:,.15g} 之间（当前为 {weight:,.15g}）")
    return weight


def _check_fields(session: Session, code: str, merged: dict[str, Any]) -> None:
    for field, (limit, label) in TEXT_LIMITS.items():
        value = merged[field]
        if not isinstance(value, str) or len(value) > limit or (field.startswith("name") and not value.strip()):
            raise ValidationError(f"{field} must be text of 1 to {limit} characters",
                                  message_zh=f"{label}须为 1 至 {limit} 个字符的文字"
                                  if field.startswith("name") else f"{label}不能超过 {limit} 个字符")
        merged[field] = value.strip()
    for field, choices, label in (("direction", DIRECTIONS, "方向"), ("normalization", NORMALIZATIONS, "归一化方法"),
                                  ("period_rollup", PERIOD_ROLLUPS, "期间汇总方式")):
        if merged[field] not in choices:
            raise ValidationError(f"{field} must be one of {', '.join(choices)}, got {merged[field]!r:.40}",
                                  message_zh=f"{label}须为 {'、'.join(choices)} 之一")
    merged["default_weight"] = _weight(merged["default_weight"], "The default weight", "默认权重")
    if not isinstance(merged["scored"], bool):
        raise ValidationError("scored must be true or false", message_zh="“是否考核”须为是或否")
    if merged["direction"] == "band":
        merged["band_lower"] = _number(merged["band_lower"], "The band's lower bound", "区间下限")
        merged["band_upper"] = _number(merged["band_upper"], "The band's upper bound", "区间上限")
    else:
        merged["band_lower"] = merged["band_upper"] = None
    if merged["category_id"] is not None and session.get(Category, checked_id(merged["category_id"],
                                                                             "category")) is None:
        raise NotFound("No such category", message_zh="类别不存在")
    _check_recipe(code, merged)


def _indicator(session: Session, indicator_id: object) -> Indicator:
    indicator = session.get(Indicator, checked_id(indicator_id, "indicator"))
    if indicator is None:
        raise NotFound("No such indicator", message_zh="指标不存在")
    return indicator


def _claim(session: Session, indicator: Indicator, expected_version: object) -> None:
    """Optimistic lock: move the version on only if it is still the one the caller read."""
    result = session.execute(update(Indicator).where(Indicator.id == indicator.id,
                                                     Indicator.version == expected_version)
                             .values(version=Indicator.version + 1))
    if result.rowcount != 1:
        raise VersionConflict(f"Indicator {indicator.code} was changed by someone else since you opened it",
                              message_zh="该指标已被他人修改，请刷新后重试（您的修改未保存）")
    session.refresh(indicator)


def _snapshot(indicator: Indicator, fields: Sequence[str] = (*sorted(EDITABLE), "sort_order")) -> dict[str, Any]:
    values: dict[str, Any] = {field: getattr(indicator, field) for field in fields}
    if "normalization_params" in values:
        values["normalization_params"] = stored_params(values["normalization_params"])[0]
    return {"code": indicator.code, **values}


def _default_scheme(session: Session) -> WeightScheme | None:
    return session.execute(select(WeightScheme).where(WeightScheme.is_default.is_(True))).scalar_one_or_none()


def _weighted_in(session: Session, scheme: WeightScheme | None, indicator_id: int) -> bool:
    if scheme is None:
        return False
    return bool(session.execute(select(func.count()).select_from(WeightSchemeItem).where(
        WeightSchemeItem.scheme_id == scheme.id, WeightSchemeItem.indicator_id == indicator_id,
        WeightSchemeItem.weight > 0)).scalar())


def _new_scheme_version(session: Session, actor: Viewer, scheme: WeightScheme, indicator: Indicator,
                        weight: float, now: dt.datetime) -> WeightScheme:
    """A copy of ``scheme`` as the next version of its name, with ``indicator`` weighted ``weight`` and
    retired KPIs left out; not the default until promoted."""
    version = session.execute(select(func.max(WeightScheme.version)).where(WeightScheme.name == scheme.name)
                              ).scalar_one() + 1
    copy = WeightScheme(name=scheme.name, version=version, is_default=False, created_by=actor.user_id,
                        created_at=now, description=f"{scheme.description or ''}\n"
                        f"{indicator.code}: 指标库修改 / indicator library change".strip())
    session.add(copy)
    session.flush()
    items = session.execute(
        select(WeightSchemeItem.dimension, WeightSchemeItem.indicator_id, WeightSchemeItem.weight)
        .outerjoin(Indicator, Indicator.id == WeightSchemeItem.indicator_id)
        .where(WeightSchemeItem.scheme_id == scheme.id, Indicator.retired_at.is_(None))
        .order_by(WeightSchemeItem.id)).all()
    session.add_all(WeightSchemeItem(scheme_id=copy.id, dimension=dimension, indicator_id=indicator_id,
                                     weight=weight if indicator_id == indicator.id else item_weight)
                    for dimension, indicator_id, item_weight in items)
    audit.append(session, actor=actor, action="weight_scheme.save", entity="weight_scheme", entity_id=copy.id,
                 after={"scheme_id": copy.id, "name": copy.name, "version": version, "copy_of": scheme.id,
                        "reason": f"indicator {indicator.code}"})
    return copy


# -- writes -------------------------------------------------------------------------------------------------

def create_indicator(engine: Engine, actor: Viewer, *, level: int, code: str, name_zh: str, name_en: str,
                     parent_id: int | None = None, dimension: str | None = None,
                     **fields: Any) -> int:
    """Add a dimension (level 1, with its ``dimension`` key), a group (2, under a dimension) or a KPI (3,
    under a group), last among its siblings; returns its id. ``fields``: any of the editable columns."""
    require(actor, Action.MANAGE_INDICATORS)
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)}", message_zh=f"未知字段：{'、'.join(unknown)}")
    if level not in (1, 2, 3):
        raise ValidationError("The level must be 1, 2 or 3", message_zh="层级须为 1（维度）、2（指标组）或 3（指标）")
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code.strip()):
        raise ValidationError("The code must be 2 to 30 capital letters, digits or _, starting with a letter",
                              message_zh="编码须为 2 至 30 位大写字母、数字或下划线，以字母开头")
    code = code.strip()
    with transaction(engine) as session:
        if session.execute(select(Indicator.id).where(Indicator.code == code)).first():
            raise ValidationError(f"The code {code} is taken", message_zh=f"编码 {code} 已被使用")
        if level == 1:
            if parent_id is not None:
                raise ValidationError("A dimension has no parent", message_zh="维度没有上级")
            if not isinstance(dimension, str) or not DIMENSION_PATTERN.fullmatch(dimension):
                raise ValidationError("The dimension key must be 2 to 20 lower-case letters, digits or _",
                                      message_zh="维度标识须为 2 至 20 位小写字母、数字或下划线")
            if session.execute(select(Indicator.id).where(Indicator.level == 1,
                                                          Indicator.dimension == dimension)).first():
                raise ValidationError(f"The dimension {dimension} exists", message_zh=f"维度 {dimension} 已存在")
        else:
            if parent_id is None:
                raise ValidationError(f"A level-{level} node needs a parent",
                                      message_zh=f"请选择上级{LEVEL_ZH[level - 1]}")
            parent = _indicator(session, parent_id)
            if parent.level != level - 1:
                raise ValidationError(f"The parent of a level-{level} node must be at level {level - 1}",
                                      message_zh=f"{LEVEL_ZH[level]}的上级须为{LEVEL_ZH[level - 1]}")
            if parent.retired_at is not None:
                raise ValidationError("The parent is retired", message_zh="上级已停用，不能在其下新增")
            dimension = parent.dimension
        merged: dict[str, Any] = {"name_zh": name_zh, "name_en": name_en, "unit_zh": "", "unit_en": "",
                                  "direction": "higher", "band_lower": None, "band_upper": None,
                                  "normalization": "target", "normalization_params": {},
                                  "default_weight": 1.0, "period_rollup": "last", "scored": level == 3,
                                  "category_id": None, **fields}
        _check_fields(session, code, merged)
        siblings = select(func.max(Indicator.sort_order)).where(
            Indicator.level == level, Indicator.parent_id.is_(None) if parent_id is None
            else Indicator.parent_id == parent_id)
        indicator = Indicator(code=code, level=level, parent_id=parent_id, dimension=dimension,
                              sort_order=(session.execute(siblings).scalar_one() or 0) + 1, version=1,
                              **{**merged, "normalization_params": json.dumps(merged["normalization_params"])})
        session.add(indicator)
        session.flush()
        audit.append(session, actor=actor, action="indicator.create", entity="indicator", entity_id=indicator.id,
                     after={**_snapshot(indicator), "level": level, "parent_id": parent_id, "dimension": dimension})
        return indicator.id


def update_indicator(engine: Engine, actor: Viewer, indicator_id: int, expected_version: int,
                     changes: Mapping[str, Any], *, new_scheme_version: bool = False) -> Change:
    """Change an indicator's editable fields (``normalization_params`` as a dict).

    A recipe or default-weight change to a KPI the default scheme weighs is refused unless
    ``new_scheme_version``: then the default scheme is copied as its next version (with the new default
    weight), to be promoted when the change should count. Recipe changes keep the old recipe for the schemes
    created before (see the module docstring).
    """
    require(actor, Action.MANAGE_INDICATORS)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(unknown)}",
                              message_zh=f"以下字段不可修改：{'、'.join(unknown)}")
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        indicator = _indicator(session, indicator_id)
        before = _snapshot(indicator)
        params, history = stored_params(indicator.normalization_params)
        merged = {**{k: v for k, v in before.items() if k in EDITABLE}, "normalization_params": params,
                  **changes}
        _check_fields(session, indicator.code, merged)
        after = {**before, **{k: merged[k] for k in EDITABLE}}
        changed = [k for k in sorted(EDITABLE) if after[k] != before[k]]
        recipe_changed = any(k in RECIPE_FIELDS for k in changed)
        weight_changed = "default_weight" in changed
        if not changed:
            _claim(session, indicator, expected_version)  # nothing to do, but a stale form is still refused
            return Change(indicator.version)
        default = _default_scheme(session)
        weighted = indicator.level == 3 and _weighted_in(session, default, indicator.id)
        if weighted and {"scored", "category_id"} & set(changed):  # who is scored on it: not versioned by scheme
            assert default is not None
            raise ValidationError(
                f"{indicator.code} is weighted in the default scheme {default.name} v{default.version}: whether it "
                "is scored and which category it applies to decide who is scored on it, so changing them would "
                "alter published scores. Retire it and create a new indicator instead",
                message_zh=f"指标 {indicator.code} 在默认权重方案“{default.name}” v{default.version} 中计分；"
                "是否计分和适用类别决定哪些项目按它评分，修改会改变已发布的得分。请停用该指标并新建一个指标")
        new_scheme = None
        if (recipe_changed or weight_changed) and weighted:
            assert default is not None
            if not new_scheme_version:
                raise ValidationError(
                    f"{indicator.code} is weighted in the default scheme {default.name} v{default.version}: this "
                    "change would alter published scores. Save it as a new version of the scheme instead",
                    message_zh=f"指标 {indicator.code} 在默认权重方案“{default.name}” v{default.version} 中计分，"
                    "此修改会改变已发布的得分；请改为生成新的权重方案版本（升为默认后生效）")
            new_scheme = _new_scheme_version(session, actor, default, indicator, after["default_weight"], now)
        if recipe_changed:
            history.append({"until": now.isoformat(), "direction": before["direction"],
                            "band_lower": before["band_lower"], "band_upper": before["band_upper"],
                            "normalization": before["normalization"], "params": before["normalization_params"]})
        stored = {**merged["normalization_params"], **({"history": history} if history else {})}
        _claim(session, indicator, expected_version)
        session.execute(update(Indicator).where(Indicator.id == indicator.id).values(
            **{k: merged[k] for k in EDITABLE if k != "normalization_params"},
            normalization_params=json.dumps(stored)))
        audit.append(session, actor=actor, action="indicator.update", entity="indicator", entity_id=indicator.id,
                     before={"code": indicator.code, **{k: before[k] for k in changed}},
                     after={"code": indicator.code, **{k: after[k] for k in changed}}
                     | ({"new_scheme_id": new_scheme.id} if new_scheme else {}))
        return Change(indicator.version, new_scheme.id if new_scheme else None)


def move_indicator(engine: Engine, actor: Viewer, indicator_id: int, expected_version: int, offset: int) -> int:
    """Move an indicator ``offset`` places (−1 up, +1 down) among its siblings; returns its new version."""
    require(actor, Action.MANAGE_INDICATORS)
    if offset not in (-1, 1):
        raise ValidationError("Move one place up or down", message_zh="只能上移或下移一位")
    with transaction(engine) as session:
        indicator = _indicator(session, indicator_id)
        siblings = session.execute(
            select(Indicator).where(Indicator.level == indicator.level,
                                    Indicator.parent_id.is_(None) if indicator.parent_id is None
                                    else Indicator.parent_id == indicator.parent_id)
            .order_by(Indicator.sort_order, Indicator.id)).scalars().all()
        position = siblings.index(indicator)
        if not 0 <= position + offset < len(siblings):
            raise ValidationError("Already at the edge of its siblings",
                                  message_zh="已在同级的最前或最后，无法再移动")
        before = [sibling.code for sibling in siblings]
        _claim(session, indicator, expected_version)
        siblings.insert(position + offset, siblings.pop(position))
        for order, sibling in enumerate(siblings, start=1):
            sibling.sort_order = order
        audit.append(session, actor=actor, action="indicator.move", entity="indicator", entity_id=indicator.id,
                     before={"order": before}, after={"order": [sibling.code for sibling in siblings]})
        return indicator.version


def set_retired(engine: Engine, actor: Viewer, indicator_id: int, expected_version: int, retired: bool) -> int:
    """Retire (kept for history, left out of new schemes and templates) or bring back; returns the version.

    A dimension or group is retired only once everything under it is; a node comes back only under a live
    parent.
    """
    require(actor, Action.MANAGE_INDICATORS)
    with transaction(engine) as session:
        indicator = _indicator(session, indicator_id)
        if retired == (indicator.retired_at is not None):
            raise ValidationError("Already retired" if retired else "Not retired",
                                  message_zh="该指标已停用" if retired else "该指标未停用")
        if retired and session.execute(select(Indicator.id).where(Indicator.parent_id == indicator.id,
                                                                  Indicator.retired_at.is_(None))).first():
            raise ValidationError("Retire what is under it first", message_zh="请先停用其下所有下级指标")
        if not retired and indicator.parent_id is not None and _indicator(session, indicator.parent_id).retired_at:
            raise ValidationError("Its parent is retired; bring the parent back first",
                                  message_zh="其上级已停用，请先恢复上级")
        before = {"code": indicator.code, "retired_at": indicator.retired_at}
        _claim(session, indicator, expected_version)
        indicator.retired_at = dt.datetime.now(dt.UTC) if retired else None
        left_templates = []
        if retired:  # templates give new projects live KPIs only
            left_templates = list(session.execute(delete(CategoryTemplateItem).where(
                CategoryTemplateItem.indicator_id == indicator.id).returning(CategoryTemplateItem.category_id)
            ).scalars())
        audit.append(session, actor=actor, action="indicator.retire" if retired else "indicator.unretire",
                     entity="indicator", entity_id=indicator.id, before=before,
                     after={"code": indicator.code, "retired_at": indicator.retired_at}
                     | ({"left_templates_of_categories": sorted(left_templates)} if left_templates else {}))
        return indicator.version


def delete_indicator(engine: Engine, actor: Viewer, indicator_id: int, expected_version: int) -> None:
    """Delete a node nothing refers to (no observations, targets, scheme or template items, goals or
    children); anything with data can only be retired."""
    require(actor, Action.MANAGE_INDICATORS)
    with transaction(engine) as session:
        indicator = _indicator(session, indicator_id)
        for model, column in ((Observation, Observation.indicator_id), (ProjectTarget, ProjectTarget.indicator_id),
                              (WeightSchemeItem, WeightSchemeItem.indicator_id),
                              (CategoryTemplateItem, CategoryTemplateItem.indicator_id), (Goal, Goal.indicator_id),
                              (Indicator, Indicator.parent_id)):
            if session.execute(select(model.id).where(column == indicator.id).limit(1)).first():
                raise ValidationError(f"{indicator.code} has data or children; retire it instead",
                                      message_zh=f"指标 {indicator.code} 已有数据、目标、权重或下级，"
                                      "不能删除，只能停用")
        before = {**_snapshot(indicator), "level": indicator.level, "parent_id": indicator.parent_id}
        _claim(session, indicator, expected_version)
        session.execute(delete(Indicator).where(Indicator.id == indicator.id))
        audit.append(session, actor=actor, action="indicator.delete", entity="indicator", entity_id=indicator_id,
                     before=before)


def set_category_template(engine: Engine, actor: Viewer, category_id: int, items: Sequence[TemplateItem], *,
                          expected: Sequence[TemplateItem] | None = None) -> None:
    """Replace a category's template with ``items`` in one transaction.

    ``expected`` is the template the caller read: if it changed since, :class:`VersionConflict` and nothing
    is written. KPIs must be live, scored level-3 indicators for every category or this one.
    """
    require(actor, Action.MANAGE_INDICATORS)
    category_id = checked_id(category_id, "category")
    with transaction(engine) as session:
        category = session.get(Category, category_id)
        if category is None:
            raise NotFound("No such category", message_zh="类别不存在")
        current = [TemplateItem(row.indicator_id, row.weight, row.target_value) for row in session.execute(
            select(CategoryTemplateItem).where(CategoryTemplateItem.category_id == category_id)
            .order_by(CategoryTemplateItem.indicator_id)).scalars()]
        if expected is not None and sorted(expected, key=lambda item: item.indicator_id) != current:
            raise VersionConflict("The template was changed by someone else since you opened it",
                                  message_zh="该类别模板已被他人修改，请刷新后重试（您的修改未保存）")
        seen: set[int] = set()
        rows = []
        for item in items:
            indicator = _indicator(session, item.indicator_id)
            label = indicator.code
            if indicator.id in seen:
                raise ValidationError(f"{label} is listed twice", message_zh=f"指标 {label} 重复出现")
            seen.add(indicator.id)
            if indicator.level != 3 or not indicator.scored or indicator.retired_at is not None:
                raise ValidationError(f"{label} is not a live, scored KPI",
                                      message_zh=f"{label} 不是在用的考核指标（须为第 3 层、考核、未停用）")
            if indicator.category_id not in (None, category_id):
                raise ValidationError(f"{label} belongs to another category",
                                      message_zh=f"指标 {label} 属于其他类别，不能用于“{category.name_zh}”")
            weight = _weight(item.weight, f"The weight of {label}", f"指标 {label} 的权重")
            target = _number(item.target_value, f"The target of {label}", f"指标 {label} 的目标值", optional=True)
            rows.append(TemplateItem(indicator.id, weight, target))
        session.execute(delete(CategoryTemplateItem).where(CategoryTemplateItem.category_id == category_id))
        session.add_all(CategoryTemplateItem(category_id=category_id, indicator_id=row.indicator_id,
                                             weight=row.weight, target_value=row.target_value) for row in rows)
        audit.append(session, actor=actor, action="category_template.update", entity="category",
                     entity_id=category_id, before={"items": [vars(item) for item in current]},
                     after={"items": [vars(row) for row in rows]})
