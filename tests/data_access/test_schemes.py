"""Weight schemes and scenarios: versions, ownership, promotion and its audit, on SQLite and PostgreSQL."""
import json

import pytest
from sqlalchemy import select

from data_access import list_weight_schemes, schemes, weight_scheme_items
from data_access.audit import verify_chain
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import AuditEntry, WeightScheme
from tests.conftest import as_viewer

WEIGHTS = {
    "progress": (40.0, {"PROG_RATIO": 50.0, "MS_ONTIME": 30.0, "SCHED_DELAY": 20.0}),
    "quality": (35.0, {"QUALITY_PASS": 70.0, "FIRST_ACCEPT": 30.0}),
    "safety": (25.0, {"SAFETY_INCIDENTS": 100.0, "HAZARD_FIX": 0.0}),
}


def _audit(engine, action):
    with engine.connect() as connection:
        return connection.execute(select(AuditEntry.actor_name, AuditEntry.entity_id, AuditEntry.before,
                                         AuditEntry.after).where(AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()


def _defaults(engine):
    with engine.connect() as connection:
        return connection.execute(select(WeightScheme.id).where(WeightScheme.is_default.is_(True))).scalars().all()


def test_saving_a_scenario_stores_a_non_default_scheme_with_its_items(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    saved = schemes.save_scenario(seeded_engine, analyst, name=" 重进度 ", weights=WEIGHTS, description="试算")
    assert (saved.name, saved.version) == ("重进度", 1)
    listed = schemes.list_schemes(seeded_engine, analyst).set_index("id").loc[saved.id]
    assert not listed["is_default"] and listed["created_by"] == analyst.user_id
    assert listed["created_by_name"] == "李娜（绩效分析）" and listed["description"] == "试算"
    items = weight_scheme_items(seeded_engine, analyst, saved.id)
    dimensions = items[items["indicator_code"].isna()].set_index("dimension")["weight"].to_dict()
    assert dimensions == {"progress": 40.0, "quality": 35.0, "safety": 25.0}
    indicators = items.dropna(subset=["indicator_code"]).set_index("indicator_code")["weight"].to_dict()
    assert indicators == {"PROG_RATIO": 50.0, "MS_ONTIME": 30.0, "SCHED_DELAY": 20.0, "QUALITY_PASS": 70.0,
                          "FIRST_ACCEPT": 30.0, "SAFETY_INCIDENTS": 100.0, "HAZARD_FIX": 0.0}
    assert _defaults(seeded_engine) == [1]
    [(actor, entity_id, before, after)] = _audit(seeded_engine, "weight_scheme.save")
    assert (actor, entity_id, before) == ("analyst", str(saved.id), None)
    assert json.loads(after)["weights"]["safety"] == [25.0, {"SAFETY_INCIDENTS": 100.0, "HAZARD_FIX": 0.0}]
    assert verify_chain(seeded_engine).ok


def test_the_same_name_again_is_version_two(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    first = schemes.save_scenario(seeded_engine, analyst, name="重进度", weights=WEIGHTS)
    second = schemes.save_scenario(seeded_engine, analyst, name="重进度", weights=WEIGHTS)
    assert (first.version, second.version) == (1, 2) and first.id != second.id
    listed = list_weight_schemes(seeded_engine, analyst)
    assert listed[listed["name"] == "重进度"]["version"].tolist() == [1, 2]


def test_a_leader_saves_own_scenarios_but_cannot_promote(seeded_engine):
    leader = as_viewer(seeded_engine, "leader")
    saved = schemes.save_scenario(seeded_engine, leader, name="领导方案", weights=WEIGHTS)
    with pytest.raises(PermissionDenied) as caught:
        schemes.promote_scheme(seeded_engine, leader, saved.id)
    assert "无权" in caught.value.message_zh
    assert _defaults(seeded_engine) == [1]
    assert _audit(seeded_engine, "weight_scheme.promote") == []
    schemes.update_scenario(seeded_engine, leader, saved.id, description="修改说明")  # own: allowed
    schemes.delete_scenario(seeded_engine, leader, saved.id)
    assert saved.id not in set(schemes.list_schemes(seeded_engine, leader)["id"])


def test_an_analyst_promotes_and_exactly_one_default_remains_with_audit(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    saved = schemes.save_scenario(seeded_engine, analyst, name="新标准", weights=WEIGHTS)
    schemes.promote_scheme(seeded_engine, analyst, saved.id, expected_default_id=1)
    assert _defaults(seeded_engine) == [saved.id]
    listed = schemes.list_schemes(seeded_engine, analyst).set_index("id")
    assert not listed.at[1, "is_default"] and listed.at[saved.id, "is_default"]
    [(actor, entity_id, before, after)] = _audit(seeded_engine, "weight_scheme.promote")
    assert (actor, entity_id) == ("analyst", str(saved.id))
    assert json.loads(before) == {"default": {"scheme_id": 1, "name": "标准方案 Standard", "version": 1}}
    assert json.loads(after) == {"default": {"scheme_id": saved.id, "name": "新标准", "version": 1}}
    assert verify_chain(seeded_engine).ok
    with pytest.raises(VersionConflict):  # promoting from a stale view of the default changes nothing
        schemes.promote_scheme(seeded_engine, analyst, 2, expected_default_id=1)
    assert _defaults(seeded_engine) == [saved.id]
    with pytest.raises(ValidationError, match="already the default"):
        schemes.promote_scheme(seeded_engine, analyst, saved.id)
    with pytest.raises(ValidationError) as caught:  # the default is never deleted
        schemes.delete_scenario(seeded_engine, analyst, saved.id)
    assert "默认方案不能删除" in caught.value.message_zh


def test_a_leader_cannot_change_or_delete_another_users_scenario(seeded_engine):
    analyst, leader = as_viewer(seeded_engine, "analyst"), as_viewer(seeded_engine, "leader")
    saved = schemes.save_scenario(seeded_engine, analyst, name="分析师方案", weights=WEIGHTS)
    with pytest.raises(PermissionDenied) as caught:
        schemes.update_scenario(seeded_engine, leader, saved.id, weights={"progress": (1.0, {"PROG_RATIO": 1.0})})
    assert caught.value.message_zh == "您只能修改或删除自己创建的方案"
    with pytest.raises(PermissionDenied):
        schemes.delete_scenario(seeded_engine, leader, saved.id)
    with pytest.raises(PermissionDenied):  # nor add a version to another user's name
        schemes.save_scenario(seeded_engine, leader, name="分析师方案", weights=WEIGHTS)
    items = weight_scheme_items(seeded_engine, leader, saved.id)
    assert len(items) == 10
    assert _audit(seeded_engine, "weight_scheme.update") == []
    assert schemes.may_change(leader, analyst.user_id, False) is False
    assert schemes.may_change(analyst, leader.user_id, False) is True


def test_an_analyst_changes_anyones_scenario_in_place_with_before_and_after(seeded_engine):
    analyst, leader = as_viewer(seeded_engine, "analyst"), as_viewer(seeded_engine, "leader")
    saved = schemes.save_scenario(seeded_engine, leader, name="领导方案", weights=WEIGHTS)
    schemes.update_scenario(seeded_engine, analyst, saved.id, weights={"progress": (1.0, {"PROG_RATIO": 2.0})})
    items = weight_scheme_items(seeded_engine, analyst, saved.id)
    assert items.fillna({"indicator_code": "-"})[["dimension", "indicator_code", "weight"]].values.tolist() == [
        ["progress", "-", 1.0], ["progress", "PROG_RATIO", 2.0]]
    [(actor, _, before, after)] = _audit(seeded_engine, "weight_scheme.update")
    assert actor == "analyst"
    assert json.loads(before)["weights"]["progress"][0] == 40.0
    assert json.loads(after)["weights"] == {"progress": [1.0, {"PROG_RATIO": 2.0}]}


BAD_WEIGHTS = [
    ({"progress": (-1.0, {"PROG_RATIO": 1.0})}, "不能为负数"),
    ({"progress": (1.0, {"PROG_RATIO": -0.5})}, "不能为负数"),
    ({"progress": (float("nan"), {"PROG_RATIO": 1.0})}, "有限数值"),
    ({"progress": (0.0, {"PROG_RATIO": 1.0})}, "不能全部为 0"),
    ({"progress": (1.0, {"PROG_RATIO": 0.0})}, "其下指标权重全为 0"),
    ({"progress": (1.0, {"QUALITY_PASS": 1.0})}, "不属于 progress"),
    ({"progress": (1.0, {"PROG_ACTUAL": 1.0})}, "非考核指标"),
    ({"happiness": (1.0, {"PROG_RATIO": 1.0})}, "未知维度"),
    ({}, "须包含维度权重"),
]


def test_bad_weights_unknown_ids_and_other_roles_are_refused_and_nothing_is_written(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    before = len(schemes.list_schemes(seeded_engine, analyst))
    for weights, message in BAD_WEIGHTS:
        with pytest.raises(ValidationError) as caught:
            schemes.save_scenario(seeded_engine, analyst, name="坏方案", weights=weights)
        assert message in caught.value.message_zh, weights
    saved = schemes.save_scenario(seeded_engine, analyst, name="好方案", weights=WEIGHTS)
    with pytest.raises(ValidationError, match="negative"):
        schemes.update_scenario(seeded_engine, analyst, saved.id, weights={"progress": (-1.0, {"PROG_RATIO": 1.0})})
    for username in ("auditor", "official_longting", "pm_kaifeng1"):
        viewer = as_viewer(seeded_engine, username)
        with pytest.raises(PermissionDenied):
            schemes.save_scenario(seeded_engine, viewer, name="x", weights=WEIGHTS)
        with pytest.raises(PermissionDenied):
            schemes.delete_scenario(seeded_engine, viewer, saved.id)
    assert len(schemes.list_schemes(seeded_engine, analyst)) == before + 1
    assert len(_audit(seeded_engine, "weight_scheme.save")) == 1
    assert _audit(seeded_engine, "weight_scheme.update") == _audit(seeded_engine, "weight_scheme.delete") == []
    assert len(weight_scheme_items(seeded_engine, analyst, saved.id)) == 10
    admin = as_viewer(seeded_engine, "admin")
    with pytest.raises(NotFound):
        schemes.promote_scheme(seeded_engine, admin, 999)
    with pytest.raises(NotFound):
        schemes.delete_scenario(seeded_engine, admin, 999)
    with pytest.raises(ValidationError, match="needs a name"):
        schemes.save_scenario(seeded_engine, admin, name="   ", weights=WEIGHTS)


def test_concurrent_promotions_queue_and_leave_exactly_one_default(seeded_engine):
    import threading

    analyst, admin = as_viewer(seeded_engine, "analyst"), as_viewer(seeded_engine, "admin")
    first = schemes.save_scenario(seeded_engine, analyst, name="甲", weights=WEIGHTS)
    second = schemes.save_scenario(seeded_engine, admin, name="乙", weights=WEIGHTS)
    start, errors = threading.Barrier(2), []

    def promote(viewer, scheme_id):
        start.wait()
        try:
            schemes.promote_scheme(seeded_engine, viewer, scheme_id)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=promote, args=(analyst, first.id)),
               threading.Thread(target=promote, args=(admin, second.id))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [default] = _defaults(seeded_engine)
    promotions = _audit(seeded_engine, "weight_scheme.promote")
    assert len(promotions) == 2
    # the second promotion saw the first one's result as its "before"
    assert json.loads(promotions[1][2])["default"]["scheme_id"] == int(promotions[0][1])
    assert int(promotions[1][1]) == default
    assert verify_chain(seeded_engine).ok
