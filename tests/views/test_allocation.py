"""The 结果应用 page through AppTest: every role that has it, the threshold moving the money, proposals."""
import pytest
from sqlalchemy import create_engine, text

from components.text import plain
from data_access import allocation as allocation_store
from data_access.policy import ALLOWED, Action
from tests.conftest import as_viewer
from tests.views.conftest import open_page_as

PAGE = "views/allocation.py"
ROLE_USERS = {"admin": "admin", "leader": "leader", "analyst": "analyst", "auditor": "auditor",
              "district_official": "official_longting"}


@pytest.fixture
def engine(app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def _table(at, column):
    return next(d for d in at.dataframe if column in d.value.columns).value


def _slider(at, label):
    return next(s for s in at.slider if s.label == label)


@pytest.mark.parametrize("role", sorted(ALLOWED[Action.READ_ALLOCATION]))
def test_the_page_opens_for_every_role_that_has_it(app_env, role):  # noqa: ARG001 - app_env: the database
    at = open_page_as(ROLE_USERS[role], PAGE)
    assert not at.error, [e.value for e in at.error]
    tabs = [tab.label for tab in at.tabs]
    if role == "district_official":
        assert "分配与试算" not in tabs and "分配方案" in tabs
        assert any("本辖区项目之间" in caption.value for caption in at.caption)  # priority places: own district
    else:
        assert "分配与试算" in tabs
        assert "较现行规则" in _table(at, "较现行规则").columns


def test_moving_the_threshold_changes_the_amounts_shown(app_env):  # noqa: ARG001
    at = open_page_as("analyst", PAGE)
    before = _table(at, "达到门槛")  # the project table
    assert set(before["较现行规则"]) == {"—"}  # the controls start at the rule in force
    _slider(at, "门槛分").set_value(85).run()
    assert not at.exception
    after = _table(at, "达到门槛")
    assert before["分配金额"].tolist() != after["分配金额"].tolist()
    assert any(change.startswith("▼") for change in after["较现行规则"])
    # with fewer projects eligible, most stop at the 3 万 project cap and part of the pool stays unallocated
    assert [m.value for m in at.metric if m.label == "未分配"] != ["0.0 万元"]
    assert set(after.loc[after["达到门槛"] == "否", "分配金额"]) == {"0.0 万元"}


def test_saving_a_proposal_lists_it_and_the_leader_can_approve_it(app_env, engine):  # noqa: ARG001
    at = open_page_as("analyst", PAGE)
    at.text_input(key="allocation_proposal_name").input("门槛八十五").run()
    _slider(at, "门槛分").set_value(85).run()
    at.text_input(key="allocation_proposal_name").input("门槛八十五")
    next(b for b in at.button if b.label == "保存方案").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    listed = _table(at, "方案")
    assert listed["方案"].str.contains("门槛八十五").any()
    [proposal] = allocation_store.list_proposals(engine, as_viewer(engine, "leader")).itertuples()
    assert proposal.status == "draft"
    saved = allocation_store.get_proposal(engine, as_viewer(engine, "leader"), proposal.id)
    assert saved.params["threshold"] == 85.0 and (saved.lines.loc[saved.lines["score"] < 85, "final_fen"] == 0).all()

    leader = open_page_as("leader", PAGE)
    next(b for b in leader.button if b.label == "批准方案").click().run()
    assert not leader.exception and not leader.error
    assert allocation_store.get_proposal(engine, as_viewer(engine, "leader"), proposal.id).status == "approved"
    assert "已批准" in _table(leader, "方案")["状态"].tolist()


def test_an_official_sees_only_their_districts_lines_and_no_approve_button(app_env, engine):  # noqa: ARG001
    analyst = open_page_as("analyst", PAGE)
    analyst.text_input(key="allocation_proposal_name").input("十月方案")
    next(b for b in analyst.button if b.label == "保存方案").click().run()
    official = open_page_as("official_longting", PAGE)
    lines = _table(official, "达到门槛")
    assert set(lines["区县"]) == {"龙亭区"}
    assert not any(b.label in ("批准方案", "保存方案") for b in official.button)


def test_a_proposal_name_is_shown_as_plain_text(app_env):  # noqa: ARG001
    name = "**全部** [点我](http://example.com) <b>x</b>"
    at = open_page_as("analyst", PAGE)
    at.text_input(key="allocation_proposal_name").input(name)
    next(b for b in at.button if b.label == "保存方案").click().run()
    assert not at.exception and not at.error
    [saved] = [s.value for s in at.success]
    assert saved == f"已保存方案“{plain(name)}”（#1），待批准。" and "**全部**" not in saved


def test_an_admin_creates_the_first_rule_on_a_database_without_one(app_env, engine):  # noqa: ARG001
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM allocation_rule_sets"))
    at = open_page_as("admin", PAGE)
    assert any("尚无生效的分配规则" in i.value for i in at.info)
    next(b for b in at.button if b.label == "保存规则").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    created = allocation_store.rule_set_in_force(engine, as_viewer(engine, "leader"))
    assert (created.name_zh, created.version, created.params["pool_fen"]) == ("绩效奖励分配规则", 1, 250_000_000)
    assert [s.value for s in at.success] == ["规则已保存并生效。"]


def test_a_rule_changed_by_someone_else_meanwhile_is_not_overwritten(app_env, engine):  # noqa: ARG001
    at = open_page_as("admin", PAGE)
    admin = as_viewer(engine, "admin")
    rule_set = allocation_store.rule_set_in_force(engine, admin)
    allocation_store.save_rule_set(engine, admin, params={**rule_set.params, "threshold": 70.0}, name_zh="他人修改",
                                   rule_set_id=rule_set.id, expected_version=1)
    next(b for b in at.button if b.label == "保存规则").click().run()
    assert [e.value for e in at.error] == ["打开后规则已被他人修改，请刷新后重试（您的修改未保存）"]
    assert allocation_store.rule_set_in_force(engine, admin).name_zh == "他人修改"
    next(b for b in at.button if b.label == "保存规则").click().run()  # the form now shows their version
    assert not at.error and [s.value for s in at.success] == ["规则已保存并生效。"]
    assert allocation_store.rule_set_in_force(engine, admin).version == 3


def test_the_pool_is_one_citys_and_the_city_switcher_changes_which(engine):
    regions = {name: (rid, path) for rid, name, path in engine.connect().execute(
        text("SELECT id, name_zh, path FROM regions WHERE level IN ('city', 'district')")).all()}
    kaifeng, xiangtan = regions["开封市"], regions["湘潭市"]

    def districts_shown(**params):
        at = open_page_as("analyst", PAGE, **params)
        shown = set(_table(at, "参与项目")["区县"])
        paths = {regions[name][1] for name in shown}
        return at, shown, paths

    at, shown, paths = districts_shown()  # the first city by default, like the map
    assert "龙亭区" in shown and all(path.startswith(kaifeng[1]) for path in paths)
    assert at.query_params["city"] == str(kaifeng[0])  # the URL holds it
    _, shown, paths = districts_shown(city=xiangtan[0])
    assert shown and all(path.startswith(xiangtan[1]) for path in paths) and "龙亭区" not in shown
