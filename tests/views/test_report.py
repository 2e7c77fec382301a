"""The monthly report page (进度填报) through AppTest: who has it, which projects and months it offers, links that
open it, and the project page's link to it."""
import datetime as dt
import re

import pytest
from sqlalchemy import create_engine, text

from scoring.periods import period_to_report, recent_months

PAGE = "views/report.py"


def _rows(app_env, sql, **params):
    with create_engine(f"sqlite:///{app_env}").connect() as connection:
        return connection.execute(text(sql), params).all()


def _scalar(app_env, sql, **params):
    return _rows(app_env, sql, **params)[0][0]


def _errors(at):
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def _managed(app_env, username, statuses=("active", "suspended")):
    """Code and Chinese name of ``username``'s projects with one of ``statuses``, by id."""
    return {row.id: f"{row.code} {row.name_zh}" for row in _rows(
        app_env, "SELECT p.id, p.code, p.name_zh FROM projects p JOIN users u ON u.id = p.manager_id "
                 f"WHERE u.username = :u AND p.status IN ({', '.join(repr(s) for s in statuses)})", u=username)}


@pytest.mark.parametrize("username", ["leader", "auditor", "expert01"])
def test_roles_that_do_not_report_have_no_report_page(logged_in, username):
    at = logged_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


@pytest.mark.parametrize("username", ["admin", "analyst", "official_longting", "pm_kaifeng1"])
def test_the_report_page_opens_on_the_month_due_for_every_role_that_reports(logged_in, username):
    at = logged_in(username, PAGE)
    assert not at.exception and not at.error, _errors(at)
    due = period_to_report(dt.date.today())
    assert at.selectbox(key="report_period").options == [f"{day.year}年{day.month}月" for day in recent_months(due, 3)]
    assert at.selectbox(key="report_period").value == due
    assert at.query_params["period"] == f"{due:%Y-%m}"


def test_a_manager_is_offered_exactly_their_running_projects(logged_in, app_env):
    at = logged_in("pm_kaifeng1", PAGE)
    running = _managed(app_env, "pm_kaifeng1")
    assert len(running) > 1 and _managed(app_env, "pm_kaifeng1", ("planned", "completed"))  # both kinds exist
    assert sorted(at.selectbox(key="report_project").options) == sorted(running.values())


def test_a_link_opens_its_project_and_an_earlier_month(logged_in, app_env):
    running = _managed(app_env, "pm_kaifeng1")
    project_id = sorted(running)[-1]
    overdue = dt.date(2026, 3, 1)
    at = logged_in("pm_kaifeng1", PAGE)
    at.query_params.update({"project": str(project_id), "period": "2026-03"})
    at.run()
    assert not at.exception and not at.error, _errors(at)
    assert at.selectbox(key="report_project").value == project_id
    assert at.selectbox(key="report_period").value == overdue
    assert "2026年3月" in at.selectbox(key="report_period").options


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-10", "1999-12", "２０２６-10", "2026-10-01", "x" * 5000])
def test_a_malformed_month_in_the_link_gives_one_clean_message(logged_in, bad):
    at = logged_in("pm_kaifeng1", PAGE)
    at.query_params["period"] = bad
    at.run()
    assert not at.exception
    assert _errors(at) == ["链接中的月份无效。"]
    at.button(key="bad_period_start_over").click().run()
    assert not at.exception and not _errors(at) and at.query_params["period"] != bad


@pytest.mark.parametrize("bad", ["²", "0", str(2**31), "7" * 5000])
def test_a_malformed_project_id_in_the_link_gives_one_clean_message(logged_in, bad):
    at = logged_in("pm_kaifeng1", PAGE)
    at.query_params["project"] = bad
    at.run()
    assert not at.exception
    assert _errors(at) == ["链接中的编号无效。"]
    at.button(key="bad_project_start_over").click().run()
    assert not at.exception and not _errors(at) and at.query_params["project"] != bad


def test_a_project_outside_the_managers_scope_is_refused_in_the_usual_words(logged_in, app_env):
    foreign = _scalar(app_env, "SELECT p.id FROM projects p JOIN users u ON u.id = p.manager_id "
                               "WHERE u.username = 'pm_kaifeng2' AND p.status = 'active' LIMIT 1")
    at = logged_in("pm_kaifeng1", PAGE)
    at.query_params["project"] = str(foreign)
    at.run()
    assert not at.exception
    assert _errors(at) == ["项目不存在或您无权访问"]
    assert not at.number_input


def test_the_project_page_links_to_the_report_instead_of_its_old_two_number_form(logged_in, app_env):
    project_id = _scalar(app_env, "SELECT p.id FROM projects p JOIN users u ON u.id = p.manager_id "
                                  "WHERE u.username = 'pm_kaifeng1' AND p.status = 'active' LIMIT 1")
    at = logged_in("pm_kaifeng1", "views/projects.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception and not at.number_input and not any(b.form_id for b in at.button)
    links = [link for link in at.get("page_link") if link.proto.label == "填报本月进展"]
    assert [(link.proto.page, link.proto.query_string) for link in links] == [("report", f"project={project_id}")]


def test_a_role_that_cannot_report_gets_no_report_link_on_the_project_page(logged_in, app_env):
    project_id = _scalar(app_env, "SELECT id FROM projects WHERE status = 'active' LIMIT 1")
    at = logged_in("leader", "views/projects.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception and not at.get("page_link")
