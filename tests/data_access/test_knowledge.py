"""The knowledge base's store on both databases: search in Chinese and English, who may change which case,
versions and the audit, the figures read from the observations."""
import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import knowledge, reads
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.knowledge import CaseFields
from data_access.models import AuditEntry, KnowledgeCase
from tests.conftest import as_viewer

LONGTING, GULOU = "410202", "410204"
ELEVATOR_CASE = "老旧小区加装电梯经验"


def _project_in(engine, code, offset=0):
    leader = as_viewer(engine, "leader")
    regions = reads.list_regions(engine, leader)
    region_id = int(regions.loc[regions["code"] == code, "id"].iloc[0])
    return int(reads.list_projects(engine, leader, region_id=region_id)["id"].iloc[offset])


def _region_id(engine, code):
    regions = reads.list_regions(engine, as_viewer(engine, "leader"))
    return int(regions.loc[regions["code"] == code, "id"].iloc[0])


def _fields(**changes):
    base = CaseFields(title_zh="社区改造经验", problem_type="progress_lag", action_taken="每周例会，倒排工期",
                      result_text="进度追上计划")
    return dataclasses.replace(base, **changes)


def _titles(frame):
    return frame["title_zh"].tolist()


@pytest.fixture
def engine(shared_seeded_engine):
    return shared_seeded_engine


def test_a_chinese_query_finds_the_case_whatever_the_segmenter_does(engine):
    found = knowledge.search_cases(engine, as_viewer(engine, "official_gulou"), "加装电梯")
    assert _titles(found)[0] == ELEVATOR_CASE
    assert found.iloc[0]["title_hits"] == 3 and found.iloc[0]["hits"] == 3  # 加装, 电梯 and the pair 装电


def test_an_english_query_finds_the_case_by_its_english_title(engine):
    found = knowledge.search_cases(engine, as_viewer(engine, "leader"), "ELEVATOR")
    assert _titles(found) == [ELEVATOR_CASE]
    assert found.iloc[0]["title_en"] == "Elevator retrofits in old neighbourhoods"


def test_a_word_in_no_case_finds_nothing_and_stop_words_alone_find_nothing(engine):
    leader = as_viewer(engine, "leader")
    assert knowledge.search_cases(engine, leader, "潜艇").empty
    assert knowledge.search_cases(engine, leader, "submarine").empty
    assert knowledge.search_cases(engine, leader, "的 the ！").empty
    assert len(knowledge.search_cases(engine, leader, "")) == 8  # a blank query lists every case


def test_every_user_reads_every_case_but_may_change_only_their_own(engine):
    official = as_viewer(engine, "official_longting")
    found = knowledge.search_cases(engine, official, "")
    assert len(found) == 8  # other districts' cases are there to be copied
    longting = found["region_zh"] == "龙亭区"
    assert found.loc[longting, "editable"].all() and ELEVATOR_CASE in set(found.loc[longting, "title_zh"])
    assert not found.loc[~longting, "editable"].any() and (~longting).sum() >= 6
    assert not knowledge.search_cases(engine, as_viewer(engine, "leader"), "")["editable"].any()  # no EDIT role
    assert knowledge.search_cases(engine, as_viewer(engine, "analyst"), "")["editable"].all()


def test_filters_narrow_the_search_in_sql(engine):
    leader = as_viewer(engine, "leader")
    lags = knowledge.search_cases(engine, leader, "", problem_type="progress_lag")
    assert set(lags["problem_type"]) == {"progress_lag"} and len(lags) == 2
    longting = knowledge.search_cases(engine, leader, "", region_id=_region_id(engine, LONGTING))
    assert set(_titles(longting)) == {ELEVATOR_CASE, "雨污分流工程投资控制"}  # the small demo has no Gulou case
    kaifeng = knowledge.search_cases(engine, leader, "", region_id=_region_id(engine, "410200"))
    assert set(kaifeng["region_path"].str[:3]) == {"/1/"} and len(kaifeng) == 3  # two in Longting, one in Shunhe


def test_the_figures_are_the_observations_at_the_two_months(engine):
    case = knowledge.search_cases(engine, as_viewer(engine, "leader"), "加装电梯").iloc[0]
    observed = reads.load_observations(engine, as_viewer(engine, "leader"), project_ids=[int(case["project_id"])],
                                       indicator_codes=["PROG_RATIO"]).set_index("period")["value"]
    assert case["before_value"] == observed[pd.Timestamp(case["before_period"])]
    assert case["after_value"] == observed[pd.Timestamp(case["after_period"])]
    assert case["after_value"] > case["before_value"]  # the demo picks a project whose progress did improve
    assert (case["unit_zh"], case["indicator_zh"]) == ("%", "进度计划完成率")


def test_an_unknown_or_impossible_case_id_is_not_found(engine):
    leader = as_viewer(engine, "leader")
    for bad in (999_999, 2**40, 0, "7", True):
        with pytest.raises(NotFound) as caught:
            knowledge.get_case(engine, leader, bad)
        assert caught.value.message_zh == "经验案例不存在"


def test_results_rank_title_matches_first_then_more_terms(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    project = _project_in(seeded_engine, LONGTING)
    knowledge.create_case(seeded_engine, official, _fields(action_taken="为三个小区加装电梯", project_id=project))
    knowledge.create_case(seeded_engine, official, _fields(title_zh="电梯维保经验", project_id=project))
    found = knowledge.search_cases(seeded_engine, official, "加装电梯")
    assert _titles(found) == [ELEVATOR_CASE, "电梯维保经验", "社区改造经验"]
    assert found["title_hits"].tolist() == [3, 1, 0] and found["hits"].tolist() == [3, 1, 3]


def test_markup_in_a_title_is_stored_and_returned_as_text(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    title = "<script>alert(1)</script> **加装** 电梯 & [链接](javascript:x)"
    case_id = knowledge.create_case(seeded_engine, analyst, _fields(title_zh=title))
    assert knowledge.get_case(seeded_engine, analyst, case_id)["title_zh"] == title
    assert title in _titles(knowledge.search_cases(seeded_engine, analyst, "script 加装"))


def test_an_official_writes_cases_only_for_their_own_district(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    with pytest.raises(PermissionDenied) as caught:
        knowledge.create_case(seeded_engine, official, _fields(project_id=_project_in(seeded_engine, GULOU)))
    assert caught.value.message_zh == "项目不存在或您无权访问"
    with pytest.raises(PermissionDenied):  # a city-wide case
        knowledge.create_case(seeded_engine, official, _fields())
    with pytest.raises(PermissionDenied):  # a case of another district without a project
        knowledge.create_case(seeded_engine, official, _fields(region_id=_region_id(seeded_engine, GULOU)))
    own = knowledge.create_case(seeded_engine, official, _fields(region_id=_region_id(seeded_engine, LONGTING)))
    case = knowledge.get_case(seeded_engine, official, own)
    assert case["region_zh"] == "龙亭区" and case["editable"]
    with pytest.raises(PermissionDenied):
        knowledge.create_case(seeded_engine, as_viewer(seeded_engine, "leader"), _fields())  # no EDIT_KNOWLEDGE


def test_an_official_cannot_change_or_take_over_another_districts_case(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    cases = knowledge.search_cases(seeded_engine, official, "")
    foreign_case = cases[cases["region_zh"] != "龙亭区"].iloc[0]
    with pytest.raises(PermissionDenied) as caught:
        knowledge.update_case(seeded_engine, official, int(foreign_case["id"]), int(foreign_case["version"]),
                              _fields(project_id=_project_in(seeded_engine, LONGTING)))
    assert caught.value.message_zh == "只能编写和修改本辖区（本人项目）的经验案例"
    mine = knowledge.search_cases(seeded_engine, official, "加装电梯").iloc[0]
    with pytest.raises(PermissionDenied):  # moving one's own case to another district's project
        knowledge.update_case(seeded_engine, official, int(mine["id"]), int(mine["version"]),
                              _fields(project_id=_project_in(seeded_engine, GULOU)))
    assert knowledge.get_case(seeded_engine, official, int(mine["id"]))["version"] == 1


def test_a_project_manager_writes_only_about_their_own_projects(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    mine = reads.list_projects(seeded_engine, manager)
    case_id = knowledge.create_case(seeded_engine, manager, _fields(project_id=int(mine["id"].iloc[0])))
    case = knowledge.get_case(seeded_engine, manager, case_id)
    assert case["region_id"] == mine["region_id"].iloc[0] and case["category_zh"] == mine["category_zh"].iloc[0]
    with pytest.raises(ValidationError) as caught:
        knowledge.create_case(seeded_engine, manager, _fields(region_id=int(mine["region_id"].iloc[0])))
    assert caught.value.message_zh == "请选择案例所属的项目（您负责的项目）"


def test_an_edit_is_versioned_audited_and_reindexed(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    case = knowledge.search_cases(seeded_engine, official, "加装电梯").iloc[0]
    fields = dataclasses.replace(knowledge.case_fields(case), title_zh="老旧小区加装电梯与管线迁改经验",
                                 tags=("管线迁改",))
    assert knowledge.update_case(seeded_engine, official, int(case["id"]), 1, fields) == 2
    with pytest.raises(VersionConflict):
        knowledge.update_case(seeded_engine, official, int(case["id"]), 1,
                              dataclasses.replace(fields, title_zh="旧版本"))
    stored = knowledge.get_case(seeded_engine, official, int(case["id"]))
    assert stored["title_zh"] == "老旧小区加装电梯与管线迁改经验"
    assert (stored["version"], stored["tags"]) == (2, ["管线迁改"])
    assert _titles(knowledge.search_cases(seeded_engine, official, "迁改"))[0] == stored["title_zh"]
    with seeded_engine.connect() as connection:
        entry = connection.execute(select(AuditEntry).where(AuditEntry.action == "knowledge.update")).one()
    assert entry.entity_id == str(case["id"]) and "老旧小区加装电梯经验" in entry.before
    assert "管线迁改" in entry.after


def test_bad_fields_get_specific_messages_and_nothing_is_written(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    project = _project_in(seeded_engine, LONGTING)
    ratio = knowledge.indicator_id_for(seeded_engine, "PROG_RATIO")
    cases = [
        (_fields(title_zh="  "), "请填写标题"),
        (_fields(title_zh="长" * 201), "标题不能超过 200 个字"),
        (_fields(project_id=project, indicator_id=ratio, before_period=dt.date(2026, 9, 1),
                 after_period=dt.date(2026, 3, 1)), "对比前月份须早于对比后月份"),
        (_fields(project_id=project, indicator_id=ratio, before_period=dt.date(2026, 3, 15)),
         "对比前月份须为某月的第一天"),
        (_fields(indicator_id=ratio), "成效数据取自项目的填报值，请先选择项目"),
        (_fields(project_id=project, before_period=dt.date(2026, 3, 1)), "请选择对比的指标"),
        (_fields(tags=tuple(f"标签{k}" for k in range(11))), "标签最多 10 个"),
        (_fields(project_id=project, indicator_id=1), "所选指标不存在"),  # a level-1 group, not measured
    ]
    for fields, message in cases:
        with pytest.raises(ValidationError) as caught:
            knowledge.create_case(seeded_engine, analyst, fields)
        assert caught.value.message_zh == message
    with seeded_engine.connect() as connection:
        assert len(connection.execute(select(KnowledgeCase.id)).all()) == 8
