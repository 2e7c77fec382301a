"""Allocation rule sets and proposals: validation, optimistic locks, approval audited, scope of the lines."""
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import allocation, list_projects
from data_access.audit import verify_chain
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import AuditEntry
from scoring.allocation import AllocationRules, allocate
from tests.conftest import as_viewer

PERIOD = dt.date(2026, 10, 1)
RULES = AllocationRules(pool_fen=10_000_000, threshold=60, project_cap_fen=2_000_000)


def _audit(engine, action):
    with engine.connect() as connection:
        return connection.execute(select(AuditEntry.actor_name, AuditEntry.entity_id, AuditEntry.before,
                                         AuditEntry.after).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()


def _lines(engine):
    """An allocation over every demo project, each scored 70 + its id modulo 30 (so every one is paid)."""
    projects = list_projects(engine, as_viewer(engine, "admin")).set_index("id")
    frame = pd.DataFrame({"district_id": projects["district_id"], "score": 70.0 + projects.index % 30,
                          "grade": "良好"}, index=projects.index)
    return allocate(frame, RULES)


def _propose(engine, name="2026年10月奖励方案"):
    lines, rest = _lines(engine)
    return allocation.save_proposal(engine, as_viewer(engine, "analyst"), name=name, period=PERIOD,
                                    params=RULES.to_params(), lines=lines, unallocated_fen=rest)


def test_the_demo_has_a_rule_in_force_and_a_change_is_audited(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    demo = allocation.rule_set_in_force(seeded_engine, as_viewer(seeded_engine, "official_longting"))
    assert (demo.name_zh, demo.version, demo.params["pool_fen"]) == ("绩效奖励分配规则", 1, 250_000_000)
    changed = {**demo.params, "threshold": 75.0}
    allocation.save_rule_set(seeded_engine, admin, params=changed, name_zh="绩效奖励规则", rule_set_id=demo.id,
                             expected_version=1)
    in_force = allocation.rule_set_in_force(seeded_engine, admin)
    assert (in_force.id, in_force.version, in_force.params["threshold"]) == (demo.id, 2, 75.0)
    assert in_force.updated_by == "系统管理员"
    [(actor, entity_id, before, after)] = _audit(seeded_engine, "allocation_rules.update")
    assert (actor, entity_id) == ("admin", str(demo.id))
    assert json.loads(before)["params"]["threshold"] == 60.0 and json.loads(after)["params"]["threshold"] == 75.0
    assert verify_chain(seeded_engine).ok


def test_a_new_rule_set_takes_over_from_the_one_in_force(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    old = allocation.rule_set_in_force(seeded_engine, admin)
    rule_set_id = allocation.save_rule_set(seeded_engine, admin, params=RULES.to_params(), name_zh="新规则")
    in_force = allocation.rule_set_in_force(seeded_engine, admin)
    assert in_force.id == rule_set_id != old.id and in_force.params["project_cap_fen"] == 2_000_000
    [(actor, entity_id, before, _)] = _audit(seeded_engine, "allocation_rules.create")
    assert (actor, entity_id, before) == ("admin", str(rule_set_id), None)


def test_a_stale_rule_set_version_is_refused_and_nothing_changes(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    rule_set_id = allocation.rule_set_in_force(seeded_engine, admin).id
    allocation.save_rule_set(seeded_engine, admin, params=RULES.to_params(), name_zh="规则二",
                             rule_set_id=rule_set_id, expected_version=1)
    with pytest.raises(VersionConflict) as refused:
        allocation.save_rule_set(seeded_engine, admin, params={**RULES.to_params(), "pool_fen": 1},
                                 name_zh="规则三", rule_set_id=rule_set_id, expected_version=1)
    assert "已被他人修改" in refused.value.message_zh
    assert allocation.rule_set_in_force(seeded_engine, admin).name_zh == "规则二"


@pytest.mark.parametrize(("change", "message_zh"), [
    ({"pool_fen": -100}, "奖励资金池不能为负数"),
    ({"threshold": 101}, "门槛分须在 0 到 100 之间"),
    ({"project_cap_fen": -1}, "单个项目上限须为不小于 0 的整数（分）"),
    ({"district_cap_fen": -5}, "单个区县上限须为不小于 0 的整数（分）"),
    ({"coefficients": {"良好": -1.0}}, "等级“良好”的系数不能为负数"),
])
def test_bad_parameters_get_the_specific_message(seeded_engine, change, message_zh):
    admin = as_viewer(seeded_engine, "admin")
    with pytest.raises(ValidationError) as refused:
        allocation.save_rule_set(seeded_engine, admin, params={**RULES.to_params(), **change}, name_zh="规则")
    assert refused.value.message_zh == message_zh
    assert allocation.rule_set_in_force(seeded_engine, admin).version == 1  # the demo's, unchanged


def test_only_admins_edit_the_rules(seeded_engine):
    with pytest.raises(PermissionDenied):
        allocation.save_rule_set(seeded_engine, as_viewer(seeded_engine, "analyst"), params=RULES.to_params(),
                                 name_zh="规则")


def test_approving_a_draft_is_audited_with_who_and_when(seeded_engine):
    proposal_id = _propose(seeded_engine)
    leader = as_viewer(seeded_engine, "leader")
    allocation.approve_proposal(seeded_engine, leader, proposal_id, expected_version=1)
    listed = allocation.list_proposals(seeded_engine, leader).set_index("id").loc[proposal_id]
    assert (listed["status"], listed["approved_by"], listed["version"]) == ("approved", "张敏（市领导）", 2)
    assert listed["approved_at"] is not None and listed["total_fen"] == 10_000_000
    [(actor, entity_id, before, after)] = _audit(seeded_engine, "allocation_proposal.approved")
    assert (actor, entity_id, json.loads(before)["status"]) == ("leader", str(proposal_id), "draft")
    assert json.loads(after)["total"] == "100000.00"
    assert verify_chain(seeded_engine).ok
    with pytest.raises(ValidationError) as again:  # only a draft
        allocation.approve_proposal(seeded_engine, leader, proposal_id, expected_version=2)
    assert again.value.message_zh == "只有草稿状态的方案可以批准或撤回"


def test_a_stale_proposal_version_is_refused(seeded_engine):
    proposal_id = _propose(seeded_engine)
    analyst = as_viewer(seeded_engine, "analyst")
    with pytest.raises(VersionConflict):
        allocation.withdraw_proposal(seeded_engine, analyst, proposal_id, expected_version=0)
    assert allocation.get_proposal(seeded_engine, analyst, proposal_id).status == "draft"
    assert _audit(seeded_engine, "allocation_proposal.withdrawn") == []


def test_an_official_cannot_approve_or_propose(seeded_engine):
    proposal_id = _propose(seeded_engine)
    official = as_viewer(seeded_engine, "official_longting")
    with pytest.raises(PermissionDenied):
        allocation.approve_proposal(seeded_engine, official, proposal_id, expected_version=1)
    with pytest.raises(PermissionDenied):
        allocation.approve_proposal(seeded_engine, as_viewer(seeded_engine, "analyst"), proposal_id,
                                    expected_version=1)
    lines, rest = _lines(seeded_engine)
    with pytest.raises(PermissionDenied):
        allocation.save_proposal(seeded_engine, official, name="x", period=PERIOD, params=RULES.to_params(),
                                 lines=lines, unallocated_fen=rest)


def test_an_official_sees_their_districts_lines_only(seeded_engine):
    proposal_id = _propose(seeded_engine)
    official = as_viewer(seeded_engine, "official_longting")
    own = set(list_projects(seeded_engine, official)["id"])
    everyone = set(list_projects(seeded_engine, as_viewer(seeded_engine, "admin"))["id"])
    assert own and own < everyone
    seen = allocation.get_proposal(seeded_engine, official, proposal_id)
    assert set(seen.lines.index) == own and seen.unallocated_fen is None
    full = allocation.get_proposal(seeded_engine, as_viewer(seeded_engine, "leader"), proposal_id)
    assert set(full.lines.index) == everyone and full.unallocated_fen == 0
    listed = allocation.list_proposals(seeded_engine, official).set_index("id").loc[proposal_id]
    assert listed["total_fen"] == int(full.lines.loc[sorted(own), "final_fen"].sum()) < 10_000_000


def test_a_proposal_needs_a_name_and_good_parameters(seeded_engine):
    lines, rest = _lines(seeded_engine)
    analyst = as_viewer(seeded_engine, "analyst")
    with pytest.raises(ValidationError) as unnamed:
        allocation.save_proposal(seeded_engine, analyst, name="  ", period=PERIOD, params=RULES.to_params(),
                                 lines=lines, unallocated_fen=rest)
    assert unnamed.value.message_zh == "请填写方案名称"
    with pytest.raises(ValidationError) as bad:
        allocation.save_proposal(seeded_engine, analyst, name="x", period=PERIOD,
                                 params={**RULES.to_params(), "threshold": -1}, lines=lines, unallocated_fen=rest)
    assert bad.value.message_zh == "门槛分须在 0 到 100 之间"
    with pytest.raises(NotFound):
        allocation.get_proposal(seeded_engine, analyst, 2**40)
