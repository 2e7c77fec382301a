"""The target tree's scope per role, its rules, its audit and its optimistic lock (small demo, seed 7).

In the small demo the tourism OKR sits in Tongxu County (region 8, official_tongxu): objective 184 with key
results 185 (project 54, managed by pm_kaifeng2) and 186 (the county's online campaign). Longting District is
region 2 (district task 2), Shunhe Hui District region 3 (district task 3); city goal 1 is Kaifeng's.
"""
import datetime as dt

import pytest
from sqlalchemy import select

from data_access import goals
from data_access.audit import verify_chain
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import AuditEntry, Goal, Indicator, Observation, Project
from tests.conftest import as_viewer

OBJECTIVE, FACILITY_KR, CAMPAIGN_KR = 184, 185, 186


def _node(engine, goal_id):
    with engine.connect() as connection:
        return connection.execute(select(Goal).where(Goal.id == goal_id)).one_or_none()


def _audit(engine):
    with engine.connect() as connection:
        return connection.execute(select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.before,
                                         AuditEntry.after).order_by(AuditEntry.id)).all()


def _kr(**fields):
    """A key result under the tourism objective, owned by the county's official."""
    return {"parent_id": OBJECTIVE, "level": "project_target", "okr_type": "key_result", "title_zh": "夜游线路开通",
            "title_en": "Night tour route open", "region_id": 8, "period": "2026", "owner_id": 11,
            "target_value": 3.0, "weight": 0.5, "due_date": dt.date(2026, 12, 31)} | fields


def test_an_admin_sees_every_node_in_its_own_right(shared_seeded_engine):
    tree = goals.list_goals(shared_seeded_engine, as_viewer(shared_seeded_engine, "admin"))
    assert len(tree) == 186 and tree["in_scope"].all()
    assert tree["id"].is_unique


def test_an_official_sees_their_districts_branch_under_the_city_goal_and_nothing_of_another_district(
        shared_seeded_engine):
    tree = goals.list_goals(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_longting"))
    context = tree[~tree["in_scope"]]
    assert context["id"].tolist() == [1]  # the city goal, as the root of the branch
    assert context["value"].isna().all()  # ... without a measurement of other districts
    own = tree[tree["in_scope"]]
    assert own["region_path"].str.startswith("/1/2/").all()
    assert own.loc[own["level"] == "district_task", "id"].tolist() == [2]
    assert not {3, 4, OBJECTIVE, FACILITY_KR, CAMPAIGN_KR} & set(tree["id"])
    assert (own["level"] == "project_target").sum() == (own["level"] == "responsibility").sum() > 0


def test_a_project_manager_sees_their_projects_nodes_and_their_ancestors_only(shared_seeded_engine):
    engine = shared_seeded_engine
    manager = as_viewer(engine, "pm_kaifeng2")
    with engine.connect() as connection:
        managed = set(connection.execute(select(Project.id).where(Project.manager_id == manager.user_id)).scalars())
    tree = goals.list_goals(engine, manager)
    own = tree[tree["in_scope"]]
    assert set(own["project_id"].astype(int)) == managed and FACILITY_KR in set(own["id"])
    assert CAMPAIGN_KR not in set(tree["id"])  # the county's own KR: no project of theirs, not theirs to own
    context = tree[~tree["in_scope"]]
    assert OBJECTIVE in set(context["id"]) and set(context["level"]) <= {"city_goal", "district_task"}


def test_a_node_measures_the_latest_observation_of_its_project(shared_seeded_engine):
    engine = shared_seeded_engine
    with engine.connect() as connection:
        latest = connection.execute(
            select(Observation.period, Observation.value).join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Observation.project_id == 54, Indicator.code == "PROG_ACTUAL")
            .order_by(Observation.period.desc()).limit(1)).one()
    tree = goals.list_goals(engine, as_viewer(engine, "official_tongxu")).set_index("id")
    assert tree.loc[FACILITY_KR, "value"] == latest.value
    assert tree.loc[FACILITY_KR, "measured_period"] == latest.period


def test_a_region_node_on_a_flow_indicator_measures_the_mean_of_its_projects_totals_over_the_period(
        shared_seeded_engine):
    """ONLINE_PARTICIPANTS adds up its months (roll-up sum): "≥ 5 万人次" counts the campaign's year."""
    engine = shared_seeded_engine
    with engine.connect() as connection:
        rows = connection.execute(
            select(Observation.project_id, Observation.period, Observation.value)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .join(Project, Project.id == Observation.project_id)
            .where(Indicator.code == "ONLINE_PARTICIPANTS", Project.region_id == 8)).all()
    totals: dict[int, float] = {}
    for project_id, period, value in rows:
        if period.year == 2026:  # the key result's period
            totals[project_id] = totals.get(project_id, 0.0) + value
    assert len(totals) > 0 and len(rows) > len(totals), "the demo has months of campaign figures in Tongxu"
    tree = goals.list_goals(engine, as_viewer(engine, "admin")).set_index("id")
    assert tree.loc[CAMPAIGN_KR, "period"] == "2026"
    assert tree.loc[CAMPAIGN_KR, "value"] == pytest.approx(sum(totals.values()) / len(totals), rel=1e-12)


def test_an_official_adds_a_key_result_in_their_district_and_it_is_audited(seeded_engine):
    official = as_viewer(seeded_engine, "official_tongxu")
    goal_id = goals.create_goal(seeded_engine, official, _kr(title_en=""))
    stored = _node(seeded_engine, goal_id)
    assert (stored.parent_id, stored.title_en, stored.weight, stored.version) == (OBJECTIVE, "夜游线路开通", 0.5, 1)
    [(action, entity_id, before, after)] = _audit(seeded_engine)
    assert (action, entity_id, before) == ("goal.create", str(goal_id), None)
    assert '"title_zh":"夜游线路开通"' in after
    assert verify_chain(seeded_engine).ok


@pytest.mark.parametrize(("username", "fields", "error", "message_zh"), [
    ("official_longting", {}, PermissionDenied, "所选地区不在您的权限范围内"),
    ("official_longting", {"region_id": 2}, ValidationError, "上级目标不存在或您无权访问"),
    ("admin", {"level": "responsibility"}, ValidationError, "目标须比上级目标低一个层级"),
    ("admin", {"parent_id": 2, "level": "project_target", "region_id": 2}, ValidationError,
     "关键结果须挂在目标（O）之下"),
    ("admin", {"region_id": 2}, ValidationError, "目标所在地区须在上级目标的地区之内"),
    ("admin", {"parent_id": None}, ValidationError, "只有市级目标可以没有上级目标"),
    ("admin", {"project_id": 1}, ValidationError, "所选项目不在该目标的地区内"),
    ("official_tongxu", {"project_id": 1}, PermissionDenied, "项目不存在或您无权访问"),
    ("admin", {"owner_id": 4}, ValidationError, "责任人须为能查看该目标所在地区或项目的在职用户"),  # the auditor
    ("admin", {"owner_id": 5}, ValidationError, "责任人须为能查看该目标所在地区或项目的在职用户"),  # Longting's
    ("admin", {"owner_id": 25}, ValidationError, "责任人须为能查看该目标所在地区或项目的在职用户"),  # a manager
    ("admin", {"weight": -1}, ValidationError, "权重须在 0 到 1,000 之间"),
    ("admin", {"target_value": float("nan")}, ValidationError, "目标值不是有效数字"),
    ("admin", {"period": "2026年"}, ValidationError, "周期须为年份（2026）或月份（2026-11）"),
    ("admin", {"title_zh": "  "}, ValidationError, "中文标题须为 1–200 个字符的文字"),
    ("admin", {"indicator_id": 1}, ValidationError, "所选指标须为指标库中的三级指标"),
    ("admin", {"due_date": "2026-12-31"}, ValidationError, "截止日期须为日期"),
    ("admin", {"version": 7}, ValidationError, "以下字段不可修改：version"),
    ("leader", {}, PermissionDenied, "当前角色无权维护目标分解和 OKR"),
    ("pm_kaifeng2", {}, PermissionDenied, "当前角色无权维护目标分解和 OKR"),
])
def test_a_node_that_breaks_a_rule_is_refused_and_nothing_is_written(seeded_engine, username, fields, error,
                                                                      message_zh):
    with pytest.raises(error) as caught:
        goals.create_goal(seeded_engine, as_viewer(seeded_engine, username), _kr(**fields))
    assert caught.value.message_zh == message_zh
    assert _node(seeded_engine, 187) is None and _audit(seeded_engine) == []


def test_a_manager_may_own_a_node_of_their_project(seeded_engine):
    goal_id = goals.create_goal(seeded_engine, as_viewer(seeded_engine, "admin"), _kr(project_id=54, owner_id=25))
    assert _node(seeded_engine, goal_id).owner_id == 25


def test_a_stale_version_is_a_conflict_and_nothing_is_written(seeded_engine):
    official = as_viewer(seeded_engine, "official_tongxu")
    assert goals.update_goal(seeded_engine, official, CAMPAIGN_KR, 1, {"target_value": 6.0}) == 2
    with pytest.raises(VersionConflict) as caught:
        goals.update_goal(seeded_engine, official, CAMPAIGN_KR, 1, {"target_value": 8.0})
    assert "已被他人修改" in caught.value.message_zh
    assert (_node(seeded_engine, CAMPAIGN_KR).target_value, _node(seeded_engine, CAMPAIGN_KR).version) == (6.0, 2)
    [(action, entity_id, before, after)] = _audit(seeded_engine)
    assert (action, entity_id, before, after) == ("goal.update", "186", '{"target_value":5.0}', '{"target_value":6.0}')


def test_moving_a_node_checks_the_new_parent(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    with seeded_engine.connect() as connection:
        target = connection.execute(select(Goal.id, Goal.version).where(Goal.parent_id == 8,
                                                                        Goal.level == "project_target")).first()
    with pytest.raises(ValidationError) as caught:  # into another county's task
        goals.update_goal(seeded_engine, admin, target.id, target.version, {"parent_id": 2})
    assert caught.value.message_zh == "目标所在地区须在上级目标的地区之内"
    goals.update_goal(seeded_engine, admin, target.id, target.version, {"parent_id": OBJECTIVE})
    assert _node(seeded_engine, target.id).parent_id == OBJECTIVE
    assert _audit(seeded_engine)[-1][2:] == ('{"parent_id":8}', f'{{"parent_id":{OBJECTIVE}}}')


def test_an_objective_with_key_results_stays_an_objective(seeded_engine):
    with pytest.raises(ValidationError) as caught:
        goals.update_goal(seeded_engine, as_viewer(seeded_engine, "admin"), OBJECTIVE, 1, {"okr_type": "key_result"})
    assert caught.value.message_zh == "该目标下有关键结果，须保持为目标（O）"


def test_an_official_cannot_touch_another_districts_node_and_cannot_tell_it_from_an_unknown_one(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    with pytest.raises(PermissionDenied) as foreign:
        goals.update_goal(seeded_engine, official, CAMPAIGN_KR, 1, {"title_zh": "改"})
    with pytest.raises(NotFound) as unknown:
        goals.update_goal(seeded_engine, official, 9999, 1, {"title_zh": "改"})
    with pytest.raises(PermissionDenied):
        goals.delete_goal(seeded_engine, official, CAMPAIGN_KR, 1)
    assert foreign.value.message_zh == unknown.value.message_zh == "目标不存在或您无权访问"
    assert _node(seeded_engine, CAMPAIGN_KR).title_zh == "线上活动参与不少于5万人次"


def test_a_node_with_sub_goals_cannot_be_deleted_but_a_leaf_can(seeded_engine):
    official = as_viewer(seeded_engine, "official_tongxu")
    with pytest.raises(ValidationError) as caught:
        goals.delete_goal(seeded_engine, official, OBJECTIVE, 1)
    assert caught.value.message_zh == "该目标下还有子目标，请先移动或删除子目标"
    with pytest.raises(VersionConflict):
        goals.delete_goal(seeded_engine, official, CAMPAIGN_KR, 5)
    goals.delete_goal(seeded_engine, official, CAMPAIGN_KR, 1)
    assert _node(seeded_engine, CAMPAIGN_KR) is None
    [(action, entity_id, before, after)] = _audit(seeded_engine)
    assert (action, entity_id, after) == ("goal.delete", "186", None) and '"weight":0.4' in before
