"""The knowledge base's commands: a closed rectification becomes a case, alerts suggest cases, reports cite
cases with their figures, a case's files; on both databases."""
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import reads
from data_access.errors import NotFound, PermissionDenied, ValidationError
from data_access.models import Alert, Rectification
from services import knowledge
from services.photos import PhotoSettings
from tests.conftest import as_viewer

LONGTING, GULOU = "410202", "410204"
OPENED = dt.datetime(2026, 6, 3, 8, tzinfo=dt.UTC)
PROGRESS_LAG_RULE = 2  # a built-in rule (migration 0002)


def _region_id(engine, code):
    regions = reads.list_regions(engine, as_viewer(engine, "leader"))
    return int(regions.loc[regions["code"] == code, "id"].iloc[0])


def _project(engine, code):
    projects = reads.list_projects(engine, as_viewer(engine, "leader"), region_id=_region_id(engine, code))
    return projects.iloc[0]


def _alert(engine, project_id, *, status="closed", task=True, rule_id=PROGRESS_LAG_RULE,
           data_period=dt.date(2026, 5, 1)):
    with Session(engine) as session, session.begin():
        alert = Alert(rule_id=rule_id, project_id=project_id, status=status, severity="orange", value=8.0,
                      threshold=5.0, data_period=data_period, opened_at=OPENED, last_evaluated_at=OPENED,
                      closed_at=OPENED + dt.timedelta(days=40) if status == "closed" else None)
        session.add(alert)
        session.flush()
        if task:
            session.add(Rectification(alert_id=alert.id, owner_id=1, plan="增加施工班组，倒排工期",
                                      due_date=dt.date(2026, 7, 1), evidence_note="监理周报显示进度已追上",
                                      resolved_at=OPENED + dt.timedelta(days=30)))
        return alert.id


def test_a_closed_rectification_becomes_a_case_in_one_step(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    project = _project(seeded_engine, LONGTING)
    alert_id = _alert(seeded_engine, int(project["id"]))
    case_id = knowledge.case_from_rectification(seeded_engine, official, alert_id)
    case = knowledge.get_case(seeded_engine, official, case_id)
    assert case["title_zh"] == f"{project['name_zh']}进度滞后整改经验"
    assert case["title_en"] == f"{project['name_en']}: how the progress behind plan warning was resolved"
    assert case["problem_type"] == "progress_lag" and case["indicator_zh"] == "进度计划完成率"
    assert case["action_taken"] == "整改措施：增加施工班组，倒排工期\n整改佐证：监理周报显示进度已追上"
    assert (case["before_period"], case["after_period"]) == (dt.date(2026, 5, 1), dt.date(2026, 11, 1))
    assert case["region_id"] == project["region_id"] and case["category_zh"] == project["category_zh"]
    assert case["editable"] and case["tags"] == ["进度滞后"]
    assert knowledge.case_from_rectification(seeded_engine, official, alert_id) == case_id  # the same case again


def test_a_warning_without_a_data_month_compares_from_the_month_reported_before_it_opened(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    alert_id = _alert(seeded_engine, int(_project(seeded_engine, LONGTING)["id"]), rule_id=3, data_period=None)
    case = knowledge.get_case(seeded_engine, official, knowledge.case_from_rectification(seeded_engine, official,
                                                                                         alert_id))
    assert (case["problem_type"], case["indicator_zh"]) == ("milestone_overdue", "里程碑按时完成率")
    assert (case["before_period"], case["after_period"]) == (dt.date(2026, 5, 1), dt.date(2026, 11, 1))  # opened 3 June


def test_only_a_closed_rectification_of_ones_own_district_becomes_a_case(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    longting = int(_project(seeded_engine, LONGTING)["id"])
    with pytest.raises(ValidationError) as caught:
        knowledge.case_from_rectification(seeded_engine, official, _alert(seeded_engine, longting, status="resolved"))
    assert caught.value.message_zh == "只有核验通过并关闭的整改才能转为经验案例"
    with pytest.raises(ValidationError) as caught:
        knowledge.case_from_rectification(seeded_engine, official,
                                          _alert(seeded_engine, longting, task=False, rule_id=1))
    assert caught.value.message_zh == "该预警由数据自动解除，没有整改任务可转为案例"
    gulou_alert = _alert(seeded_engine, int(_project(seeded_engine, GULOU)["id"]))
    with pytest.raises(PermissionDenied) as caught:
        knowledge.case_from_rectification(seeded_engine, official, gulou_alert)
    assert caught.value.message_zh == "预警不存在或您无权访问"
    with pytest.raises(PermissionDenied):  # a leader reads the alert but writes no cases
        knowledge.case_from_rectification(seeded_engine, as_viewer(seeded_engine, "leader"), gulou_alert)


def test_an_alert_suggests_cases_of_its_problem_type_first(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    alert_id = _alert(seeded_engine, int(_project(seeded_engine, LONGTING)["id"]), status="rectifying")
    suggested = knowledge.suggest_cases(seeded_engine, official, alert_id, limit=8)
    assert suggested["problem_type"].tolist()[:2] == ["progress_lag", "progress_lag"]  # the demo has two
    assert "progress_lag" not in suggested["problem_type"].tolist()[2:]
    assert len(knowledge.suggest_cases(seeded_engine, official, alert_id)) == 3
    with pytest.raises(PermissionDenied):
        knowledge.suggest_cases(seeded_engine, official,
                                _alert(seeded_engine, int(_project(seeded_engine, GULOU)["id"])))


def test_a_case_made_from_an_alert_is_not_suggested_back_to_it(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    alert_id = _alert(seeded_engine, int(_project(seeded_engine, LONGTING)["id"]))
    case_id = knowledge.case_from_rectification(seeded_engine, official, alert_id)
    assert case_id not in knowledge.suggest_cases(seeded_engine, official, alert_id, limit=20)["id"].tolist()


def test_a_report_cites_the_districts_case_with_the_figures_observed(shared_seeded_engine):
    engine = shared_seeded_engine
    official = as_viewer(engine, "official_longting")
    cited = knowledge.best_practices(engine, official, region_id=_region_id(engine, LONGTING),
                                     start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    assert list(cited.columns) == list(knowledge.BEST_PRACTICE_COLUMNS)
    assert cited["title"].tolist() == ["雨污分流工程投资控制", "老旧小区加装电梯经验"]  # newest first
    row = cited.iloc[1]
    case = knowledge.get_case(engine, official, int(row["id"]))
    observed = reads.load_observations(engine, as_viewer(engine, "leader"), project_ids=[int(case["project_id"])],
                                       indicator_codes=["PROG_RATIO"]).set_index("period")["value"]
    assert row["before"] == observed[pd.Timestamp(2026, 4, 1)] and row["after"] == observed[pd.Timestamp(2026, 10, 1)]
    assert (row["unit"], row["problem_type"], row["region_name"]) == ("%", "进度滞后", case["region_zh"])
    english = knowledge.best_practices(engine, official, region_id=None, start=dt.date(2026, 10, 1),
                                       end=dt.date(2026, 10, 31), language="en")
    assert english["title"].tolist() == ["Keeping storm and sewage separation within budget",
                                         "Elevator retrofits in old neighbourhoods"]  # an official's own region
    assert english["problem_type"].tolist() == ["Budget overrun", "Progress lag"]
    assert knowledge.best_practices(engine, official, region_id=None, start=dt.date(2026, 9, 1),
                                    end=dt.date(2026, 9, 30)).empty  # measured in October, not September


def test_a_report_for_another_district_gets_no_cases_from_an_official(shared_seeded_engine):
    engine = shared_seeded_engine
    official = as_viewer(engine, "official_longting")
    with pytest.raises(PermissionDenied) as caught:
        knowledge.best_practices(engine, official, region_id=_region_id(engine, GULOU), start=dt.date(2026, 10, 1),
                                 end=dt.date(2026, 10, 31))
    assert caught.value.message_zh == "区域不存在或您无权访问"
    city = knowledge.best_practices(engine, as_viewer(engine, "leader"), region_id=None,
                                    start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), limit=20)
    assert len(city) == 8 and city[["before", "after"]].notna().all().all()


def test_a_case_takes_files_that_every_user_can_download(seeded_engine, tmp_path):
    settings = PhotoSettings(upload_dir=tmp_path)
    official = as_viewer(seeded_engine, "official_longting")
    case = knowledge.search(seeded_engine, official, "加装电梯").iloc[0]
    pdf = b"%PDF-1.4\n" + b"0" * 200
    file_id = knowledge.add_case_file(seeded_engine, official, int(case["id"]), filename="../../议事规则.pdf",
                                      data=pdf, settings=settings)
    files = knowledge.case_files(seeded_engine, int(case["id"]))
    assert files["filename"].tolist() == ["议事规则.pdf"] and files["id"].tolist() == [file_id]
    gulou = as_viewer(seeded_engine, "official_gulou")
    assert knowledge.case_file_content(seeded_engine, int(case["id"]), file_id, settings=settings) == (
        "议事规则.pdf", "application/pdf", pdf)
    with pytest.raises(PermissionDenied):  # reading is open, adding is the district's
        knowledge.add_case_file(seeded_engine, gulou, int(case["id"]), filename="x.pdf", data=pdf, settings=settings)
    with pytest.raises(NotFound):  # a file asked for through another case
        knowledge.case_file_content(seeded_engine, int(case["id"]) + 1, file_id, settings=settings)
    analyst = as_viewer(seeded_engine, "analyst")
    city_wide = knowledge.save_case(seeded_engine, analyst, knowledge.CaseFields(
        title_zh="全市经验", problem_type="score_drop", action_taken="做法", result_text="成效"))
    with pytest.raises(ValidationError) as caught:
        knowledge.add_case_file(seeded_engine, analyst, city_wide, filename="x.pdf", data=pdf, settings=settings)
    assert caught.value.message_zh == "只有关联项目的案例才能添加附件，请先为案例选择项目"
