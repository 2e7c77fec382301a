"""Result application (结果应用): the rule set in force and saved allocation proposals.

Rule sets (``MANAGE_ALLOCATION_RULES``, admins): one is in force; its parameters are canonical JSON in the
shape of :meth:`scoring.allocation.AllocationRules.to_params`, validated by
:func:`scoring.allocation.rule_problems` (each problem in both languages). A database without one (a fresh
installation) gets its first from the page: :func:`save_rule_set` without an id creates it and puts it in force.
Changing one is optimistic-locked on ``version`` and audited with the parameters before and after.

Proposals (``PROPOSE_ALLOCATION`` to save or withdraw, ``APPROVE_ALLOCATION`` to approve): an allocation with
its full calculation — the parameters, every project's line and the totals. perfdash pays nothing; approving
a draft records who and when, audited, optimistic-locked. Everyone with ``READ_ALLOCATION`` may list them, but
the lines (and the total shown) are cut to the viewer's scope here: a district official sees their district's
lines only.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, ValidationError, VersionConflict
from data_access.models import AllocationProposal, AllocationRuleSet, Project, User
from data_access.policy import Action, Viewer, require
from data_access.scope import as_id, scoped_projects
from scoring.allocation import rule_problems

_Row = TypeVar("_Row", AllocationRuleSet, AllocationProposal)
NAME_LENGTH = 120
NO_PROPOSAL = ("No such proposal", "分配方案不存在")
LINE_KEYS = ("project_id", "district_id", "score", "grade", "eligible", "coefficient", "weight", "share",
             "raw_fen", "amount_fen", "capped", "final_fen")


@dataclass(frozen=True)
class RuleSet:
    id: int
    name_zh: str
    name_en: str
    params: dict[str, Any]
    version: int
    updated_by: str | None  # display name
    updated_at: dt.datetime | None


def _clean_name(name: object, *, what_en: str, what_zh: str, length: int = NAME_LENGTH) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise ValidationError(f"The {what_en} needs a name", message_zh=f"请填写{what_zh}名称")
    if len(text) > length:
        raise ValidationError(f"Name longer than {length} characters", message_zh=f"名称不能超过 {length} 个字符")
    return text


def _checked_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as stored (canonical JSON round trip), or :class:`ValidationError` naming every problem."""
    if not isinstance(params, Mapping):
        raise ValidationError("The rule parameters are missing", message_zh="缺少规则参数")
    problems = rule_problems(params)
    if problems:
        raise ValidationError("; ".join(en for en, _ in problems), message_zh="；".join(zh for _, zh in problems))
    loaded: dict[str, Any] = json.loads(audit.canonical_json(dict(params)))
    return loaded


def _row(session: Session, model: type[_Row], row_id: object, refusal: tuple[str, str]) -> _Row:
    """The row with ``row_id``, or :class:`NotFound` (also for an id no database could hold)."""
    number = as_id(row_id)
    row = session.get(model, number) if number is not None else None
    if row is None:
        raise NotFound(refusal[0], message_zh=refusal[1])
    return row


# -- rule sets ------------------------------------------------------------------------------------------------

def rule_set_in_force(engine: Engine, viewer: Viewer) -> RuleSet | None:
    """The rule set in force, or None when there is none yet."""
    require(viewer, Action.READ_ALLOCATION)
    with Session(engine) as session:
        row = session.execute(
            select(AllocationRuleSet, User.display_name).outerjoin(User, User.id == AllocationRuleSet.updated_by)
            .where(AllocationRuleSet.in_force.is_(True)).order_by(AllocationRuleSet.id.desc()).limit(1)).first()
        if row is None:
            return None
        rules, updated_by = row
        return RuleSet(id=rules.id, name_zh=rules.name_zh, name_en=rules.name_en, params=json.loads(rules.params),
                       version=rules.version, updated_by=updated_by, updated_at=rules.updated_at)


def _describe_rules(rules: AllocationRuleSet) -> dict[str, Any]:
    return {"name_zh": rules.name_zh, "name_en": rules.name_en, "params": json.loads(rules.params),
            "version": rules.version}


def save_rule_set(engine: Engine, actor: Viewer, *, params: Mapping[str, Any], name_zh: str,
                  name_en: str | None = None, rule_set_id: int | None = None,
                  expected_version: int | None = None) -> int:
    """Change the rule set ``rule_set_id`` (its version must still be ``expected_version``), or, without an id,
    create one and put it in force (any other leaves force). Returns the rule set's id; audited."""
    require(actor, Action.MANAGE_ALLOCATION_RULES)
    name_zh = _clean_name(name_zh, what_en="rule set", what_zh="规则")
    name_en = (name_en or "").strip()[:200] or name_zh
    stored = audit.canonical_json(_checked_params(params))
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        if rule_set_id is None:
            session.execute(update(AllocationRuleSet).where(AllocationRuleSet.in_force.is_(True))
                            .values(in_force=False))
            rules = AllocationRuleSet(name_zh=name_zh, name_en=name_en, params=stored, in_force=True,
                                      updated_by=actor.person_id, updated_at=now, version=1)
            session.add(rules)
            session.flush()
            audit.append(session, actor=actor, action="allocation_rules.create", entity="allocation_rule_set",
                         entity_id=rules.id, after=_describe_rules(rules))
            return rules.id
        rules = _row(session, AllocationRuleSet, rule_set_id, ("No such rule set", "规则不存在"))
        before = _describe_rules(rules)
        changed = session.execute(
            update(AllocationRuleSet).where(AllocationRuleSet.id == rules.id,
                                            AllocationRuleSet.version == expected_version)
            .values(name_zh=name_zh, name_en=name_en, params=stored, updated_by=actor.person_id, updated_at=now,
                    version=AllocationRuleSet.version + 1)).rowcount
        if not changed:
            raise VersionConflict("Someone changed the rules since you opened them; reload and try again",
                                  message_zh="打开后规则已被他人修改，请刷新后重试（您的修改未保存）")
        session.refresh(rules)
        audit.append(session, actor=actor, action="allocation_rules.update", entity="allocation_rule_set",
                     entity_id=rules.id, before=before, after=_describe_rules(rules))
        return rules.id


# -- proposals ------------------------------------------------------------------------------------------------

def _fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def save_proposal(engine: Engine, actor: Viewer, *, name: str, period: dt.date, params: Mapping[str, Any],
                  lines: pd.DataFrame, unallocated_fen: int, scheme_id: int | None = None,
                  region_id: int | None = None) -> int:
    """Store an allocation as a draft proposal with its parameters and every line (:data:`LINE_KEYS`); audited.
    ``region_id``: the city whose pool it shares (None: everything the proposer sees)."""
    require(actor, Action.PROPOSE_ALLOCATION)
    name = _clean_name(name, what_en="proposal", what_zh="方案", length=200)
    checked = _checked_params(params)
    missing = [key for key in LINE_KEYS if key != "project_id" and key not in lines.columns]
    if missing:
        raise ValidationError(f"The allocation lacks {missing}", message_zh="分配结果不完整，无法保存")
    frame = lines.reset_index(names="project_id")[list(LINE_KEYS)]
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    total_fen = int(frame["final_fen"].sum())
    result = {"lines": records, "unallocated_fen": int(unallocated_fen), "total_fen": total_fen}
    with transaction(engine) as session:
        proposal = AllocationProposal(
            name=name, period=period, region_id=None if region_id is None else int(region_id),
            scheme_id=None if scheme_id is None else int(scheme_id),
            params=audit.canonical_json(checked), result=audit.canonical_json(result),
            total=_fen_to_yuan(total_fen), status="draft", created_by=actor.person_id,
            created_at=dt.datetime.now(dt.UTC), version=1)
        session.add(proposal)
        session.flush()
        audit.append(session, actor=actor, action="allocation_proposal.save", entity="allocation_proposal",
                     entity_id=proposal.id, after={"name": name, "period": period.isoformat(), "region_id": region_id,
                                                   "params": checked,
                                                   "total_fen": total_fen, "unallocated_fen": int(unallocated_fen)})
        return proposal.id


def _projects_in_scope(session: Session, viewer: Viewer) -> set[int] | None:
    """The project ids the viewer may see lines of; None for viewers who see everything."""
    if viewer.sees_everything:
        return None
    return set(session.execute(scoped_projects(viewer, Project.id, include_archived=True)).scalars())


def list_proposals(engine: Engine, viewer: Viewer, period: dt.date | None = None) -> pd.DataFrame:
    """Proposals (newest first): id, name, period, status, scheme_id, total_fen (of the lines the viewer may
    see), created_by / approved_by (display names), created_at, approved_at, version."""
    require(viewer, Action.READ_ALLOCATION)
    creator, approver = aliased(User), aliased(User)
    statement = (select(AllocationProposal, creator.display_name.label("creator"),
                        approver.display_name.label("approver"))
                 .outerjoin(creator, creator.id == AllocationProposal.created_by)
                 .outerjoin(approver, approver.id == AllocationProposal.approved_by)
                 .order_by(AllocationProposal.id.desc()))
    if period is not None:
        statement = statement.where(AllocationProposal.period == period)
    with Session(engine) as session:
        visible = _projects_in_scope(session, viewer)
        rows = [(proposal, creator_name, approver_name, _visible_lines(proposal.result, visible))
                for proposal, creator_name, approver_name in session.execute(statement).all()]
    columns = ["id", "name", "period", "status", "scheme_id", "total_fen", "created_by", "created_at",
               "approved_by", "approved_at", "version"]
    return pd.DataFrame([(p.id, p.name, p.period, p.status, p.scheme_id, int(sum(line["final_fen"] for line in lines)),
                          creator_name, p.created_at, approver_name, p.approved_at, p.version)
                         for p, creator_name, approver_name, lines in rows], columns=columns)


def _visible_lines(result: str, visible: set[int] | None) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = json.loads(result)["lines"]
    return lines if visible is None else [line for line in lines if line["project_id"] in visible]


@dataclass(frozen=True)
class Proposal:
    id: int
    name: str
    period: dt.date
    status: str
    params: dict[str, Any]
    lines: pd.DataFrame  # project id index, the LINE_KEYS columns; only the lines in the viewer's scope
    unallocated_fen: int | None  # None for a viewer who sees only part of the lines
    version: int


def get_proposal(engine: Engine, viewer: Viewer, proposal_id: int) -> Proposal:
    """One proposal with its parameters and the lines the viewer may see."""
    require(viewer, Action.READ_ALLOCATION)
    with Session(engine) as session:
        proposal = _row(session, AllocationProposal, proposal_id, NO_PROPOSAL)
        visible = _projects_in_scope(session, viewer)
        lines = pd.DataFrame(_visible_lines(proposal.result, visible), columns=list(LINE_KEYS))
        return Proposal(id=proposal.id, name=proposal.name, period=proposal.period, status=proposal.status,
                        params=json.loads(proposal.params), lines=lines.set_index("project_id"),
                        unallocated_fen=json.loads(proposal.result)["unallocated_fen"] if visible is None else None,
                        version=proposal.version)


def _change_status(engine: Engine, actor: Viewer, proposal_id: int, expected_version: int, status: str) -> None:
    with transaction(engine) as session:
        proposal = _row(session, AllocationProposal, proposal_id, NO_PROPOSAL)
        if proposal.status != "draft":
            raise ValidationError(f"Only a draft can be changed; this one is {proposal.status}",
                                  message_zh="只有草稿状态的方案可以批准或撤回")
        now = dt.datetime.now(dt.UTC)
        values: dict[str, Any] = {"status": status, "version": AllocationProposal.version + 1}
        if status == "approved":
            values.update(approved_by=actor.person_id, approved_at=now)
        changed = session.execute(update(AllocationProposal).where(
            AllocationProposal.id == proposal.id, AllocationProposal.version == expected_version).values(**values)
        ).rowcount
        if not changed:
            raise VersionConflict("Someone changed this proposal since you opened it; reload and try again",
                                  message_zh="打开后该方案已被他人修改，请刷新后重试（未做任何修改）")
        audit.append(session, actor=actor, action=f"allocation_proposal.{status}", entity="allocation_proposal",
                     entity_id=proposal.id, before={"status": "draft", "version": expected_version},
                     after={"status": status, "version": expected_version + 1, "name": proposal.name,
                            "total": str(proposal.total)}, now=now)


def approve_proposal(engine: Engine, actor: Viewer, proposal_id: int, *, expected_version: int) -> None:
    """Approve a draft (leader, admin): records who and when; audited. perfdash pays nothing."""
    require(actor, Action.APPROVE_ALLOCATION)
    _change_status(engine, actor, proposal_id, expected_version, "approved")


def withdraw_proposal(engine: Engine, actor: Viewer, proposal_id: int, *, expected_version: int) -> None:
    """Withdraw a draft (those who may propose); audited."""
    require(actor, Action.PROPOSE_ALLOCATION)
    _change_status(engine, actor, proposal_id, expected_version, "withdrawn")
