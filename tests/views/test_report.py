"""The monthly report page (进度填报) through AppTest: who has it, which projects and months it offers, links that
open it, the project page's link to it; saving with exact values shown back, refusals, reasons, conflicts,
corrections, and the district's review."""
import datetime as dt
import re

import pytest
from sqlalchemy import create_engine, text

from components.formatting import figure, percent
from data_access import create_database_engine
from data_access.reports import MilestoneEntry, open_report, save_report
from scoring.periods import period_to_report, recent_months
from tests.conftest import as_viewer

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


# -- saving: what is stored is what is shown -------------------------------------------------------------------
OCTOBER = dt.date(2026, 10, 1)


def _engine(app_env):
    return create_database_engine(f"sqlite:///{app_env}")


def _sheet(app_env, username, project_id, period=OCTOBER):
    engine = _engine(app_env)
    return open_report(engine, as_viewer(engine, username), project_id=project_id, period=period)


def _unreported_project(app_env, username="pm_kaifeng1", period=OCTOBER, *, observed=True):
    """``username``'s first active project without a report on ``period`` (and with figures stored for it, or
    without any when not ``observed``)."""
    return _scalar(app_env, "SELECT p.id FROM projects p JOIN users u ON u.id = p.manager_id WHERE u.username = :u "
                            "AND p.status = 'active' AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.project_id = p.id "
                            f"AND r.period = :period) AND {'' if observed else 'NOT'} EXISTS (SELECT 1 FROM "
                            "observations o WHERE o.project_id = p.id AND o.period = :period) ORDER BY p.id LIMIT 1",
                   u=username, period=period)


def _open(logged_in, username, project_id, period=OCTOBER):
    at = logged_in(username, PAGE)
    at.query_params.update({"project": str(project_id), "period": f"{period:%Y-%m}"})
    at.run()
    assert not at.exception and not at.error, _errors(at)
    return at


def _input(at, label):
    return next(field for field in at.number_input if field.label == label)


def _click(at, label):
    next(button for button in at.button if button.label == label).click().run()
    assert not at.exception, at.exception
    return at


def _stored_report(app_env, project_id, period=OCTOBER):
    """status and {code: (value, reason)} of the report row and its values."""
    rows = _rows(app_env, "SELECT r.status, i.code, v.value, v.reason FROM reports r "
                          "LEFT JOIN report_values v ON v.report_id = r.id "
                          "LEFT JOIN indicators i ON i.id = v.indicator_id "
                          "WHERE r.project_id = :p AND r.period = :period", p=project_id, period=period)
    return (rows[0].status if rows else None), {row.code: (row.value, row.reason) for row in rows if row.code}


def _quiet_kpi(sheet):
    """A stored KPI that is not cumulative and has no plan for the month: changing it a little is plausible."""
    kpis = sheet.kpis
    return kpis[~kpis["cumulative"] & (kpis["plan_kind"] != "plan") & kpis["stored"].notna()].iloc[0]


def test_a_draft_shows_back_exactly_the_values_it_stored(logged_in, app_env):
    project_id = _unreported_project(app_env)
    kpi = _quiet_kpi(_sheet(app_env, "pm_kaifeng1", project_id))
    at = _open(logged_in, "pm_kaifeng1", project_id)
    new_value = round(float(kpi["stored"]) + 0.5, 3)
    _input(at, f"{kpi['name_zh']}（{kpi['unit_zh']}）").set_value(new_value)
    _click(at, "保存草稿")
    assert not at.error, _errors(at)
    status, stored = _stored_report(app_env, project_id)
    assert status == "draft" and stored[kpi["code"]] == (new_value, None)
    assert [s.value for s in at.success] == ["已保存，状态：草稿。"]
    names = {row.code: f"{row.name_zh}（{row.unit_zh}）"
             for row in _sheet(app_env, "pm_kaifeng1", project_id).kpis.itertuples()}
    shown = next(m.value for m in at.markdown if m.value.startswith("**已保存的数值：**"))
    assert sorted(shown.split("\n\n", 1)[1].split("\n")) == sorted(
        f"- {names[code]}：{figure(value)}" for code, (value, _) in stored.items())
    assert f"- {names[kpi['code']]}：{figure(new_value)}" in shown
    assert at.caption[0].value == "状态：草稿"


def test_a_falling_cumulative_value_is_refused_with_its_reason_and_nothing_is_stored(logged_in, app_env):
    project_id = _unreported_project(app_env)
    spend = _sheet(app_env, "pm_kaifeng1", project_id).kpis.set_index("code").loc["SPEND_CUM"]
    observations = _rows(app_env, "SELECT * FROM observations WHERE project_id = :p ORDER BY id", p=project_id)
    at = _open(logged_in, "pm_kaifeng1", project_id)
    fallen = round(float(spend["last_value"]) / 2, 3)
    _input(at, "累计完成投资（万元）").set_value(fallen)
    _click(at, "提交")
    assert not at.success
    assert _errors(at) == [f"累计完成投资为累计值，不能减少：{fallen:,.15g} 万元 低于 "
                           f"{spend['last_period']:%Y-%m} 已有的 {spend['last_value']:,.15g} 万元"]
    assert _input(at, "累计完成投资（万元）").value == fallen  # the inputs stay as typed
    assert _stored_report(app_env, project_id) == (None, {})
    assert _rows(app_env, "SELECT * FROM observations WHERE project_id = :p ORDER BY id", p=project_id) == observations


def test_a_value_far_from_plan_asks_for_a_reason_and_goes_through_with_it(logged_in, app_env):
    project_id = _unreported_project(app_env)
    kpi = _sheet(app_env, "pm_kaifeng1", project_id).kpis.set_index("code").loc["PROG_ACTUAL"]
    assert kpi["plan_kind"] == "plan"
    plan = float(kpi["plan"])
    jump = round(plan * 2.5 if plan * 2.5 <= 100 else plan * 0.3, 3)  # either way over half the plan away
    label = "实际形象进度（%）"
    at = _open(logged_in, "pm_kaifeng1", project_id)
    _input(at, label).set_value(jump)
    _click(at, "提交")
    assert not at.success and not at.error
    assert at.warning[0].value == "以下数值需说明原因，填写后再次保存即可："
    assert at.warning[1].value.startswith(f"实际形象进度 {jump:,.15g} % 偏离本月计划 {plan:,.15g} %")
    assert _stored_report(app_env, project_id) == (None, {})
    at.text_input(key=next(t.key for t in at.text_input if t.label == "原因：实际形象进度")).input("主体结构提前封顶")
    _click(at, "提交")
    assert [s.value for s in at.success] == ["已保存，状态：已提交待审核。"], _errors(at)
    status, stored = _stored_report(app_env, project_id)
    assert status == "submitted" and stored["PROG_ACTUAL"] == (jump, "主体结构提前封顶")


def test_a_report_saved_meanwhile_is_shown_beside_mine_and_i_choose_per_kpi(logged_in, app_env):
    project_id = _unreported_project(app_env)
    sheet = _sheet(app_env, "pm_kaifeng1", project_id)
    kpi = _quiet_kpi(sheet)
    label = f"{kpi['name_zh']}（{kpi['unit_zh']}）"
    at = _open(logged_in, "pm_kaifeng1", project_id)  # the form is open ...
    theirs, mine = round(float(kpi["stored"]) + 0.25, 3), round(float(kpi["stored"]) - 0.25, 3)
    engine = _engine(app_env)  # ... when the same report is saved in another session
    milestone = sheet.milestones[sheet.milestones["actual_end"].isna()].iloc[0]
    their_progress = MilestoneEntry(float(milestone["percent_complete"]) + 10, None, None)
    save_report(engine, as_viewer(engine, "pm_kaifeng1"), project_id=project_id, period=OCTOBER,
                values={kpi["code"]: theirs}, milestones={int(milestone["id"]): their_progress}, note="另一台手机",
                reasons={}, seen=sheet, submit=False)
    _input(at, label).set_value(mine)
    _click(at, "保存草稿")
    assert at.warning[0].value.startswith("您打开本表后，他人保存了本月月报。")
    choice = at.radio(key=next(r.key for r in at.radio if r.label == label))
    assert choice.options == [f"我填写的：{figure(mine)}", f"他人已保存的：{figure(theirs)}"]
    assert _stored_report(app_env, project_id)[1] == {kpi["code"]: (theirs, None)}  # nothing overwritten
    choice.set_value("theirs")
    progress = at.radio(key=next(r.key for r in at.radio if r.label == milestone["name_zh"]))
    assert progress.options[1] == f"他人已保存的：{percent(their_progress.percent_complete)} · — – —"
    progress.set_value("theirs")
    _click(at, "按所选保存")
    assert [s.value for s in at.success] == ["已保存，状态：草稿。"], _errors(at)
    assert _stored_report(app_env, project_id)[1][kpi["code"]] == (theirs, None)
    assert _scalar(app_env, "SELECT m.percent_complete FROM report_milestones m JOIN reports r ON r.id = m.report_id "
                            "WHERE r.project_id = :p AND m.milestone_id = :m", p=project_id,
                   m=int(milestone["id"])) == their_progress.percent_complete


# -- review ------------------------------------------------------------------------------------------------------
def _waiting(app_env, status="submitted"):
    """A 龙亭区 report in ``status`` (the demo has two submitted and one returned) and its manager."""
    row = _rows(app_env, "SELECT r.id, r.project_id, u.username FROM reports r JOIN projects p ON p.id = r.project_id "
                         "JOIN users u ON u.id = p.manager_id WHERE r.status = :s AND r.period = :period "
                         "ORDER BY r.id LIMIT 1", s=status, period=OCTOBER)[0]
    return row.id, row.project_id, row.username


def test_an_official_sends_a_report_back_only_with_a_comment_and_the_manager_reads_it(logged_in, app_env):
    report_id, project_id, manager = _waiting(app_env)
    at = _open(logged_in, "official_longting", project_id)
    assert at.subheader[0].value == "审核月报" and not [b for b in at.button if b.label == "提交"]
    _click(at, "退回")
    assert _errors(at) == ["退回月报须填写审核意见"]
    assert _scalar(app_env, "SELECT status FROM reports WHERE id = :r", r=report_id) == "submitted"
    at.text_area(key=next(a.key for a in at.text_area if a.label.startswith("审核意见"))).input("请补充现场照片")
    _click(at, "退回")
    assert [s.value for s in at.success] == ["月报已退回，填报人将看到您的意见。"]
    assert _rows(app_env, "SELECT status, review_comment FROM reports WHERE id = :r", r=report_id)[0] == (
        "returned", "请补充现场照片")
    mine = _open(logged_in, manager, project_id)
    assert [w.value for w in mine.warning][0] == "审核意见：请补充现场照片"
    assert mine.caption[0].value == "状态：已退回"


def test_an_official_accepts_a_report_and_its_values_become_observations(logged_in, app_env):
    report_id, project_id, _ = _waiting(app_env)
    at = _open(logged_in, "official_longting", project_id)
    _click(at, "采纳")
    assert [s.value for s in at.success] == ["月报已采纳，数值已计入评分。"], _errors(at)
    assert _scalar(app_env, "SELECT status FROM reports WHERE id = :r", r=report_id) == "accepted"
    assert at.caption[0].value == "状态：已采纳"


def test_the_manager_who_submitted_sees_the_form_not_the_review(logged_in, app_env):
    _, project_id, manager = _waiting(app_env)
    at = _open(logged_in, manager, project_id)
    assert not [b for b in at.button if b.label in ("采纳", "退回")]
    assert at.caption[0].value == "状态：已提交待审核"


def test_correcting_an_accepted_month_needs_a_reason_and_says_it_is_flagged(logged_in, app_env):
    row = _rows(app_env, "SELECT r.project_id, u.username FROM reports r JOIN projects p ON p.id = r.project_id "
                         "JOIN users u ON u.id = p.manager_id WHERE r.status = 'accepted' AND r.period = :period "
                         "AND u.role = 'project_manager' ORDER BY r.id LIMIT 1", period=OCTOBER)[0]
    at = _open(logged_in, row.username, row.project_id)
    assert "更正将在评分卡上标记" in at.info[0].value
    _click(at, "提交")
    assert _errors(at) == ["2026-10 的月报已通过，更正须填写原因"]
    at.text_input(key=next(t.key for t in at.text_input if t.label == "更正原因")).input("监理复核")
    _click(at, "提交")
    assert not at.error and at.success, _errors(at)
    assert _rows(app_env, "SELECT corrections, correction_reason FROM reports WHERE project_id = :p "
                          "AND period = :period", p=row.project_id, period=OCTOBER)[0][1] == "监理复核"


def test_an_official_switches_review_off_for_their_district(logged_in, app_env):
    _, project_id, _ = _waiting(app_env)
    at = _open(logged_in, "official_longting", project_id)
    switch = at.toggle(key=next(t.key for t in at.toggle if t.label == "龙亭区的月报需审核"))
    assert switch.value is True
    switch.set_value(False).run()
    assert not at.exception and "已保存：龙亭区的月报无需审核。" in [s.value for s in at.success]
    assert _scalar(app_env, "SELECT report_review FROM regions WHERE code = '410202'") == 0


def test_a_manager_has_no_review_switch(logged_in, app_env):
    at = _open(logged_in, "pm_kaifeng1", _unreported_project(app_env))
    assert not [t for t in at.toggle if "需审核" in t.label]


def test_an_empty_form_is_not_called_saved(logged_in, app_env):
    project_id = _unreported_project(app_env, "pm_xiangtan1", observed=False)
    at = _open(logged_in, "pm_xiangtan1", project_id)
    assert all(field.value is None for field in at.number_input if not field.label.startswith("完成百分比"))
    _click(at, "保存草稿")
    assert not at.success and _errors(at) == ["未填写任何数值，未保存。"]
    assert _stored_report(app_env, project_id) == (None, {})


def test_accepted_at_once_where_the_district_does_not_review_even_when_warnings_cannot_be_evaluated(
        logged_in, app_env, monkeypatch):
    import services.reports
    from data_access import DatabaseUnavailable

    def unavailable(*_args, **_kwargs):
        raise DatabaseUnavailable("evaluation failed", message_zh="预警评估失败")

    project_id = _unreported_project(app_env, "pm_xiangtan1")
    kpi = _quiet_kpi(_sheet(app_env, "pm_xiangtan1", project_id))
    at = _open(logged_in, "pm_xiangtan1", project_id)
    assert "本区不审核月报：提交后数值即被采纳。" in [c.value for c in at.caption]
    monkeypatch.setattr(services.reports, "evaluate", unavailable)
    value = round(float(kpi["stored"]) + 0.5, 3)
    _input(at, f"{kpi['name_zh']}（{kpi['unit_zh']}）").set_value(value)
    _click(at, "提交")
    assert [s.value for s in at.success] == ["已保存，状态：已采纳。"]
    assert "已采纳的数值已计入；该项目的预警将在下次定时评估时更新。" in [c.value for c in at.caption]
    assert _errors(at) == ["预警评估失败"]
    assert _stored_report(app_env, project_id)[0] == "accepted"
    assert _scalar(app_env, "SELECT value FROM observations o JOIN indicators i ON i.id = o.indicator_id "
                            "WHERE o.project_id = :p AND o.period = :period AND i.code = :c",
                   p=project_id, period=OCTOBER, c=kpi["code"]) == value


def test_an_english_session_reads_the_form_and_its_refusals_in_english(logged_in, app_env):
    project_id = _unreported_project(app_env)
    spend = _sheet(app_env, "pm_kaifeng1", project_id).kpis.set_index("code").loc["SPEND_CUM"]
    at = logged_in("pm_kaifeng1")
    at.sidebar.segmented_control(key="language_choice").set_value("en").run()
    at.switch_page(PAGE).run()
    at.query_params.update({"project": str(project_id), "period": "2026-10"})
    at.run()
    assert not at.exception and not at.error, _errors(at)
    assert "Oct 2026" in at.selectbox(key="report_period").options
    field = _input(at, "Cumulative spend (10k CNY)")
    assert f"Plan {figure(spend['plan'])} · Last month {figure(spend['last_value'])}" in [c.value for c in at.caption]
    fallen = round(float(spend["last_value"]) / 2, 3)
    field.set_value(fallen)
    _click(at, "Submit")
    assert _errors(at) == [f"Cumulative spend cannot fall: {fallen:,.15g} 10k CNY is below the "
                           f"{spend['last_value']:,.15g} 10k CNY stored for {spend['last_period']:%Y-%m}"]
    assert _stored_report(app_env, project_id) == (None, {})


def test_the_form_shows_the_months_essentials_open_and_folds_the_other_kpis_by_dimension(logged_in, app_env):
    project_id = sorted(_managed(app_env, "pm_kaifeng1"))[0]
    at = logged_in("pm_kaifeng1", PAGE)
    at.query_params.update({"project": str(project_id), "period": "2026-10"})
    at.run()
    assert not at.exception and not at.error, _errors(at)
    engine = create_database_engine(f"sqlite:///{app_env}")
    kpis = open_report(engine, as_viewer(engine, "pm_kaifeng1"), project_id=project_id,
                       period=dt.date(2026, 10, 1)).kpis
    folded = kpis[kpis["plan_kind"] != "plan"]
    dimensions = list(dict.fromkeys(folded["dimension_zh"]))
    labels = [expander.label for expander in at.expander]
    assert labels.pop(0) == "纸质表填报（拍照识别）"  # the paper sheet's fold, above the form
    assert [label.split(" · ")[0] for label in labels] == dimensions  # one fold per dimension, library order
    first = folded[folded["dimension_zh"] == dimensions[0]]
    filled = int((first["entered"].notna() | first["stored"].notna()).sum())
    assert labels[0] == f"{dimensions[0]} · {len(first)} 项指标（已填 {filled} 项）"
    essentials = {"实际形象进度（%）", "累计完成投资（万元）"}  # the KPIs with a plan for the month
    folded_labels = {widget.label for expander in at.expander for widget in expander.number_input}
    assert essentials <= {widget.label for widget in at.main.number_input} and not essentials & folded_labels
    assert len(folded_labels) == len(folded)
