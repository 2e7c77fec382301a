"""The 经验库 page (AppTest, login bypassed) on the small demo: every role reads the cases, a search shows the
case, a bad ``?case=`` is a clean message, and only the district's writers see the forms."""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.models import Alert, KnowledgeCase, Project, Rectification, Region
from tests.views.conftest import app_environment, open_page_as

PAGE = "views/knowledge.py"
ELEVATOR_CASE = "老旧小区加装电梯经验"


@pytest.fixture(scope="module")
def shared_app_db(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One copy of the seeded database for the read-only tests of this module."""
    path = tmp_path_factory.mktemp("knowledge-page") / "app.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    with pytest.MonkeyPatch.context() as monkeypatch, app_environment(path, monkeypatch):
        yield path


def _case_id(database: Path, title: str) -> int:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        case_id = connection.execute(select(KnowledgeCase.id).where(KnowledgeCase.title_zh == title)).scalar_one()
    engine.dispose()
    return case_id


def _card_titles(at: AppTest) -> list[str]:
    return [block.value.strip("*") for block in at.markdown if block.value.startswith("**")]


def _expanders(at: AppTest) -> list[str]:
    return [expander.label for expander in at.expander]


@pytest.mark.parametrize("username", ["admin", "leader", "auditor", "official_longting", "official_gulou",
                                      "pm_kaifeng1", "expert01"])
@pytest.mark.usefixtures("shared_app_db")
def test_every_role_opens_the_page_and_reads_every_case(username):
    at = open_page_as(username, PAGE)
    assert at.title[0].value == "经验库"
    assert len(_card_titles(at)) == 8  # other districts' cases are there to be copied
    assert at.caption[1].value == "第 1–8 个，共 8 个案例（最新在前）"
    writers = {"admin", "analyst", "official_longting", "official_gulou", "pm_kaifeng1"}
    assert ("编写新案例" in _expanders(at)) == (username in writers)


@pytest.mark.usefixtures("shared_app_db")
def test_a_chinese_search_shows_the_case_first_with_its_figures():
    at = open_page_as("official_gulou", PAGE)
    at.text_input(key="knowledge_query").input("加装电梯").run()
    assert not at.exception
    assert _card_titles(at)[0] == ELEVATOR_CASE
    figures = [block.value for block in at.markdown if "进度计划完成率" in block.value]
    assert figures and "→" in figures[0] and "2026年4月 → 2026年10月" in figures[0]


@pytest.mark.usefixtures("shared_app_db")
def test_the_problem_type_filter_keeps_only_that_type():
    at = open_page_as("auditor", PAGE)
    at.selectbox(key="knowledge_type").set_value("progress_lag").run()
    assert sorted(_card_titles(at)) == sorted([ELEVATOR_CASE, "产业园区标准厂房建设进度追赶"])


def test_a_case_opens_by_its_link_with_the_edit_form_only_for_its_district(shared_app_db):
    case_id = _case_id(shared_app_db, ELEVATOR_CASE)
    mine = open_page_as("official_longting", PAGE, case=case_id)
    assert mine.header[0].value == ELEVATOR_CASE
    assert "修改案例" in _expanders(mine)
    theirs = open_page_as("official_gulou", PAGE, case=case_id)
    assert theirs.header[0].value == ELEVATOR_CASE and "修改案例" not in _expanders(theirs)


@pytest.mark.parametrize("bad", ["abc", "²", "0", "9" * 30, "99999"])
@pytest.mark.usefixtures("shared_app_db")
def test_a_bad_or_unknown_case_in_the_link_is_a_clean_message(bad):
    at = open_page_as("official_longting", PAGE, case=bad)
    assert [error.value for error in at.error] == (["经验案例不存在"] if bad == "99999" else ["链接中的编号无效。"])


def test_an_official_writes_a_case_for_their_district_and_lands_on_it(app_env):
    at = open_page_as("official_longting", PAGE)
    form = at.expander[0]
    form.text_input[0].input("<b>雨天施工</b>经验")
    form.text_area[0].input("搭设防雨棚，调整工序")
    form.text_area[1].input("雨季工期未受影响")
    form.button[0].click().run()
    assert at.error[0].value == "请填写问题类型" and not at.success  # nothing chosen yet: nothing saved
    at.expander[0].selectbox[2].set_value("progress_lag")
    at.expander[0].button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "案例已保存。"
    assert at.header[0].value == "\\<b\\>雨天施工\\</b\\>经验"  # shown as the characters typed
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        row = connection.execute(select(KnowledgeCase).where(KnowledgeCase.title_zh == "<b>雨天施工</b>经验")).one()
    engine.dispose()
    assert row.region_id is not None and row.problem_type == "progress_lag" and at.query_params["case"] == str(row.id)


@pytest.mark.usefixtures("shared_app_db")
def test_an_english_search_in_english_shows_the_english_title():
    at = open_page_as("analyst", PAGE, lang="en")  # last: the language sticks in this process
    at.text_input(key="knowledge_query").input("elevator").run()
    assert _card_titles(at) == ["Elevator retrofits in old neighbourhoods"]
    at.text_input(key="knowledge_query").input("submarine").run()
    assert _card_titles(at) == [] and at.info[0].value == "No case matches; try other words or fewer filters."


def _closed_rectification(database: Path) -> int:
    """A verified, closed rectification of a Longting project (progress lag), closed today."""
    engine = create_engine(f"sqlite:///{database}")
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        project = session.execute(select(Project).join(Region, Region.id == Project.region_id)
                                  .where(Region.code == "410202", Project.status == "active")).scalars().first()
        alert = Alert(rule_id=2, project_id=project.id, status="closed", severity="orange", value=8.0, threshold=5.0,
                      data_period=dt.date(2026, 5, 1), opened_at=now - dt.timedelta(days=60),
                      last_evaluated_at=now, closed_at=now)
        session.add(alert)
        session.flush()
        session.add(Rectification(alert_id=alert.id, owner_id=project.manager_id, plan="增加施工班组",
                                  due_date=dt.date(2026, 7, 1), evidence_note="进度已追上", resolved_at=now))
        alert_id = alert.id
    engine.dispose()
    return alert_id


def test_a_closed_rectification_becomes_a_case_in_one_click_from_the_alert(app_env):
    alert_id = _closed_rectification(app_env)
    at = open_page_as("official_longting", "views/alerts.py", alert=alert_id)
    assert [link.label for link in at.get("page_link") if "经验" in link.label][:1]  # 相关经验 under the alert
    at.button(key="alert_make_case").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value.endswith("进度滞后整改经验")
    assert "修改案例" in _expanders(at)
    leader = open_page_as("leader", "views/alerts.py", alert=alert_id)  # reads the alert, writes no cases
    assert "alert_make_case" not in [button.key for button in leader.button]


def test_the_rectification_board_offers_a_closed_task_as_a_case(app_env):
    alert_id = _closed_rectification(app_env)
    at = open_page_as("official_longting", "views/rectification.py")
    at.session_state["rect_status"] = ["closed"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key=f"rect_make_case_{alert_id}").click().run()
    assert at.header[0].value.endswith("进度滞后整改经验")
    auditor = open_page_as("auditor", "views/rectification.py")  # reads the board, writes no cases
    auditor.session_state["rect_status"] = ["closed"]
    auditor.run()
    assert not [button for button in auditor.button if (button.key or "").startswith("rect_make_case_")]


def test_an_official_edits_their_districts_case_through_the_form(app_env):
    case_id = _case_id(app_env, ELEVATOR_CASE)
    at = open_page_as("official_longting", PAGE, case=case_id)
    form = at.expander[0]
    form.text_input[0].input("老旧小区加装电梯与管线迁改经验")
    form.text_input[2].input("加装电梯、管线迁改")
    form.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "案例已保存。" and at.header[0].value == "老旧小区加装电梯与管线迁改经验"
    assert "标签：加装电梯、管线迁改" in [caption.value for caption in at.caption]
