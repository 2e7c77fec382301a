"""Warning rules (预警规则): storage and the checks of every field before it is stored."""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, ValidationError, VersionConflict
from data_access.models import RULE_SCOPES, SEVERITIES, AlertRule
from data_access.policy import Action, Viewer, require
from data_access.scope import checked_id


def list_rules(engine: Engine, viewer: Viewer, *, enabled_only: bool = False) -> pd.DataFrame:  # noqa: ARG001
    """Configured rules (every role may read them). ``params`` is a dict."""
    statement = select(AlertRule).order_by(AlertRule.id)
    if enabled_only:
        statement = statement.where(AlertRule.enabled.is_(True))
    with Session(engine) as session:
        rows = session.execute(statement).scalars().all()
        return pd.DataFrame([
            {"id": r.id, "name_zh": r.name_zh, "name_en": r.name_en, "rule_type": r.rule_type,
             "severity": r.severity, "params": json.loads(r.params or "{}"), "scope_kind": r.scope_kind,
             "scope_value": r.scope_value, "enabled": bool(r.enabled), "version": r.version}
            for r in rows
        ], columns=["id", "name_zh", "name_en", "rule_type", "severity", "params", "scope_kind", "scope_value",
                    "enabled", "version"])


RULE_FIELDS = frozenset({"name_zh", "name_en", "rule_type", "severity", "params", "scope_kind", "scope_value",
                         "enabled"})
MAX_PARAMS_CHARS = 2000  # a rule has a handful of numbers; a bound keeps parsing cheap and shallow
PARAM_VALUE_TYPES = (str, int, float, bool, type(None))


def _bad_params(english: str, chinese: str) -> ValidationError:
    return ValidationError(f"Rule parameters: {english}", message_zh=f"规则参数：{chinese}")


def _check_params(params: object) -> dict[str, Any]:
    """Rule parameters are one flat JSON object of names and plain values (numbers, text, true/false)."""
    if not isinstance(params, dict):
        raise _bad_params('expected an object such as {"periods": 3}', '须为 JSON 对象，例如 {"periods": 3}')
    for name, value in params.items():
        if not isinstance(name, str) or not 0 < len(name) <= 40:
            raise _bad_params("names must be text of 1–40 characters", "名称须为 1–40 个字符")
        if not isinstance(value, PARAM_VALUE_TYPES) or isinstance(value, float) and not math.isfinite(value):
            raise _bad_params(f"{name!r} must be a number, text or true/false", f"{name!r} 须为数字、文字或 true/false")
    if len(json.dumps(params, ensure_ascii=False)) > MAX_PARAMS_CHARS:
        raise _bad_params(f"longer than {MAX_PARAMS_CHARS} characters", f"超过 {MAX_PARAMS_CHARS} 个字符")
    return params


def parse_rule_params(text: str) -> dict[str, Any]:
    """Rule parameters as typed on the rules page (JSON; blank means none), checked like :func:`save_rule`."""
    if not isinstance(text, str) or len(text) > MAX_PARAMS_CHARS:
        raise _bad_params(f"at most {MAX_PARAMS_CHARS} characters of JSON", f"最多 {MAX_PARAMS_CHARS} 个字符的 JSON")
    try:
        params = json.loads(text.strip() or "{}")
    except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than the parser allows
        raise _bad_params(f"not valid JSON ({str(error)[:80]})", "不是有效的 JSON") from None
    return _check_params(params)


def _check_rule(values: dict[str, Any], *, creating: bool) -> None:
    """Shape and length of every rule field (column sizes in ``models.AlertRule``), on both databases."""
    unknown = sorted(set(values) - RULE_FIELDS)
    missing = sorted(RULE_FIELDS - {"scope_value", "enabled"} - set(values)) if creating else []
    if unknown or missing:
        raise ValidationError(f"Rule fields unknown {unknown} or missing {missing}",
                              message_zh=f"规则字段有误：未知 {unknown}，缺少 {missing}")
    for name, limit, name_zh in (("name_zh", 80, "中文名称"), ("name_en", 120, "英文名称"),
                                 ("rule_type", 30, "规则类型")):
        if name in values:
            if not isinstance(values[name], str) or not values[name].strip():
                raise ValidationError(f"The rule's {name} is empty", message_zh=f"规则的{name_zh}不能为空")
            values[name] = values[name].strip()
            if len(values[name]) > limit:
                raise ValidationError(f"The rule's {name} is longer than {limit} characters",
                                      message_zh=f"规则的{name_zh}不能超过 {limit} 个字符")
    if "severity" in values and values["severity"] not in SEVERITIES:
        raise ValidationError("Unknown severity", message_zh="未知的预警级别")
    if "scope_kind" in values and values["scope_kind"] not in RULE_SCOPES:
        raise ValidationError("Unknown scope", message_zh="未知的适用范围")
    scope_value = values.get("scope_value")
    if scope_value is not None and (not isinstance(scope_value, str) or len(scope_value) > 200):
        raise ValidationError("The scope value must be text of at most 200 characters",
                              message_zh="范围取值须为不超过 200 个字符的文字")
    if "enabled" in values and not isinstance(values["enabled"], bool):
        raise ValidationError("'enabled' must be true or false", message_zh="“启用”须为是或否")
    if "params" in values:
        _check_params(values["params"])


def save_rule(engine: Engine, actor: Viewer, fields: Mapping[str, Any], *, rule_id: int | None = None,
              expected_version: int | None = None) -> int:
    """Create (``rule_id`` None) or change a rule; admins only. Returns the rule id.

    Shape and lengths are checked here (a :class:`ValidationError`, never a database error); what the
    parameters mean is checked by the caller (``services.alerts`` builds a ``scoring.rules.Rule`` first).
    """
    require(actor, Action.MANAGE_RULES)
    values = dict(fields)
    _check_rule(values, creating=rule_id is None)
    if rule_id is not None:
        rule_id = checked_id(rule_id, "rule")
    if "params" in values:
        values["params"] = json.dumps(values["params"], sort_keys=True, ensure_ascii=False)
    values["updated_at"] = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        if rule_id is None:
            rule = AlertRule(**values, version=1)
            session.add(rule)
            session.flush()
            audit.append(session, actor=actor, action="rule.create", entity="alert_rule", entity_id=rule.id,
                         after={k: v for k, v in values.items() if k != "updated_at"})
            return rule.id
        before = session.get(AlertRule, rule_id)
        if before is None:
            raise NotFound(f"Rule {rule_id} does not exist", message_zh=f"预警规则 {rule_id} 不存在")
        snapshot = {k: getattr(before, k) for k in values if k != "updated_at"}
        result = session.execute(update(AlertRule).where(AlertRule.id == rule_id,
                                                         AlertRule.version == expected_version)
                                 .values(**values, version=AlertRule.version + 1))
        if result.rowcount != 1:
            raise VersionConflict(f"Rule {rule_id} was changed by someone else",
                                  message_zh="该规则已被他人修改，请刷新后重试")
        audit.append(session, actor=actor, action="rule.update", entity="alert_rule", entity_id=rule_id,
                     before=snapshot, after={k: v for k, v in values.items() if k != "updated_at"})
        return rule_id
