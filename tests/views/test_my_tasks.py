"""我的待办 My tasks (AppTest): the groups each role has, every item one tap from its form, the official's
提醒填报, and names shown as text. Expectations come from the same day's data layer reads."""
import datetime as dt

import pytest
from sqlalchemy import create_engine, delete, select, update

from components.formatting import date, month
from components.text import plain
from data_access import list_projects, tasks
from data_access.models import Notification, Observation, Project, Region, Report, User
from data_access.ratings import DEFAULT_CRITERIA, RoundSpec, open_round, rate
from data_access.reports import list_reports
from scoring.periods import add_months, period_to_report
from services.my_tasks import my_tasks
from services.reporting_calendar import due_date
from services.reporting_calendar import today as calendar_today
from tests.conftest import as_viewer
from webapp.task_panels import MOST

GROUPS = {
    "project_manager": ["本期待填报", "待评分", "整改任务", "近 30 天到期里程碑", "未读消息"],
    "district_official": ["待审核月报", "本辖区未报", "待评分", "整改任务", "近 30 天到期里程碑", "未读消息"],
    "admin": ["待审核月报", "本辖区未报", "进行中的评分", "待评分", "整改任务", "近 30 天到期里程碑", "未读消息"],
    "leader": ["待评分", "未读消息"],
    "analyst": ["进行中的评分", "待评分", "未读消息"],
    "auditor": ["未读消息"],  # never rates
    "expert": ["待评分", "未读消息"],
}
MARKUP = "![x](http://evil.invalid/a.png) **粗体**"
USERS = {"project_manager": "pm_kaifeng1", "district_official": "official_longting", "admin": "admin",
         "leader": "leader", "analyst": "analyst", "auditor": "auditor", "expert": "expert01"}


@pytest.fixture
def engine(app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def _groups(at) -> list[str]:
    return [header.value.split(" · ")[0] for header in at.main.subheader]


def _links(at, page: str) -> list[str]:
    return [link.proto.query_string for link in at.get("page_link") if link.proto.page.endswith(page)]


def _links_to_round(at, round_id: int) -> list[str]:
    """The rating form's links for this round (the demo's own open round has some too)."""
    return [link for link in _links(at, "rate") if link.startswith(f"round={round_id}&")]


@pytest.mark.parametrize("role", list(GROUPS))
def test_each_role_lands_on_the_groups_that_are_its_work(logged_in, role):
    at = logged_in(USERS[role], "views/my_tasks.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "我的待办"
    assert _groups(at) == GROUPS[role]
    assert _links(at, "inbox")  # the inbox is one tap away for everyone


def _unreport_first_project(engine, username: str, period: dt.date) -> int:
    """Remove ``period``'s values of the manager's first active project started before it and without reports."""
    manager = as_viewer(engine, username)
    with engine.begin() as connection:
        project = connection.execute(select(Project.id).where(Project.manager_id == manager.user_id,
                                                              Project.status == "active",
                                                              Project.id.not_in(select(Report.project_id)),
                                                              Project.actual_start < period)
                                     .order_by(Project.id).limit(1)).scalar_one()
        connection.execute(delete(Observation).where(Observation.project_id == project, Observation.period == period))
    return project


def test_a_manager_s_reports_rectifications_and_milestones_each_open_their_form(logged_in, engine):
    earlier = add_months(period_to_report(calendar_today()), -2)
    project = _unreport_first_project(engine, "pm_kaifeng1", earlier)
    at = logged_in("pm_kaifeng1", "views/my_tasks.py")
    expected = my_tasks(engine, as_viewer(engine, "pm_kaifeng1"), calendar_today())
    assert _groups(at)[0] == "本期待填报"
    headers = {header.value for header in at.main.subheader}
    assert f"本期待填报 · {len(expected.reports)}" in headers
    assert f"整改任务 · {len(expected.rectifications)}" in headers
    reports = [f"project={row.project_id}&period={row.period:%Y-%m}"
               for row in expected.reports.head(MOST).itertuples()]
    milestones = [f"project={row.project_id}&period={expected.period:%Y-%m}"
                  for row in expected.milestones.head(MOST).itertuples()]
    assert _links(at, "report") == reports + milestones
    assert _links(at, "alerts") == [f"alert={row.alert_id}" for row in expected.rectifications.head(MOST).itertuples()]
    late = (calendar_today() - due_date(earlier)).days
    assert f"project={project}&period={earlier:%Y-%m}" in reports
    assert any(m.value.startswith(f"**{month(earlier, 'zh')}** · :red[**逾期 {late} 天**]") for m in at.markdown)


def _district_official_of(engine, project_id: int) -> str:
    with engine.connect() as connection:
        path = connection.execute(select(Region.path).join(Project, Project.region_id == Region.id)
                                  .where(Project.id == project_id)).scalar_one()
        return connection.execute(select(User.username).join(Region, Region.id == User.region_id).where(
            User.role == "district_official", Region.path == "/".join(path.split("/")[:3]) + "/")).scalar_one()


def test_an_official_sees_the_district_s_missing_reports_and_reminds_each_manager_once(logged_in, engine):
    period = period_to_report(calendar_today())
    manager = as_viewer(engine, "pm_kaifeng1")
    project = _unreport_first_project(engine, "pm_kaifeng1", period)
    official = _district_official_of(engine, project)
    missing = tasks.missing_reports(engine, as_viewer(engine, official), period=period)
    assert project in set(missing["project_id"])
    at = logged_in(official, "views/my_tasks.py")
    assert f"本辖区未报 · {len(missing)}" in [header.value for header in at.main.subheader]
    assert f"project={project}&period={period:%Y-%m}" in _links(at, "report")
    with engine.connect() as connection:
        name = connection.execute(select(User.display_name).where(User.id == manager.user_id)).scalar_one()
    assert f"负责人：{plain(name)}" in [caption.value for caption in at.caption]

    at.button(key="tasks_remind").click().run()
    managers = missing["manager_id"].dropna().nunique()
    assert f"已提醒 {managers} 位负责人（站内消息和邮件）。" in [s.value for s in at.success]
    with engine.connect() as connection:
        told = connection.execute(select(Notification.user_id).where(
            Notification.topic == f"report.remind/{period:%Y-%m}")).scalars().all()
    assert sorted(told) == sorted(int(m) for m in missing["manager_id"].dropna().unique())
    at.button(key="tasks_remind").click().run()
    assert [i.value for i in at.info] == ["这些负责人本期已提醒过，未重复发送。"]


def test_project_names_are_shown_as_text_not_markup(logged_in, engine):
    project = _unreport_first_project(engine, "pm_kaifeng1", period_to_report(calendar_today()))
    with engine.begin() as connection:
        connection.execute(update(Project).where(Project.id == project).values(name_zh=MARKUP))
        code = connection.execute(select(Project.code).where(Project.id == project)).scalar_one()
    at = logged_in("pm_kaifeng1", "views/my_tasks.py")
    labels = [link.label for link in at.get("page_link")]
    assert plain(f"{code} {MARKUP}") in labels
    assert not any(MARKUP in label for label in labels)


def test_an_official_opens_each_submitted_report_of_the_district_for_review(logged_in, engine):
    official = as_viewer(engine, "official_longting")
    waiting = list_reports(engine, official, statuses=["submitted"])
    assert len(waiting) > 0  # the demo leaves reports waiting in 龙亭区
    at = logged_in("official_longting", "views/my_tasks.py")
    assert f"待审核月报 · {len(waiting)}" in [header.value for header in at.main.subheader]
    links = _links(at, "report")
    assert all(f"project={row.project_id}&period={row.period:%Y-%m}" in links for row in waiting.itertuples())


def test_a_rater_opens_each_rating_they_owe_and_a_given_one_leaves_the_list(logged_in, engine):
    official = as_viewer(engine, "official_longting")  # the superior of the district's projects
    projects = list_projects(engine, official)
    first, second = sorted(projects.loc[projects["status"] == "active", "id"].astype(int))[:2]
    spec = RoundSpec(name_zh="十月评分", name_en="October rating", period=dt.date(2026, 10, 1),
                     criteria=list(DEFAULT_CRITERIA), project_ids=[first, second], peers_per_project=1,
                     deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=6))
    round_id = open_round(engine, as_viewer(engine, "analyst"), spec)
    at = logged_in("official_longting", "views/my_tasks.py")
    assert _links_to_round(at, round_id) == [f"round={round_id}&project={first}", f"round={round_id}&project={second}"]
    assert any(m.value.startswith("**十月评分** · 还有 ") for m in at.markdown)
    rate(engine, official, round_id=round_id, project_id=first,
         scores={criterion.code: 75.0 for criterion in DEFAULT_CRITERIA}, comment=None)
    at.run()
    assert _links_to_round(at, round_id) == [f"round={round_id}&project={second}"]


def test_an_english_session_reads_my_tasks_in_english(logged_in):
    at = logged_in("official_longting", "views/my_tasks.py")
    at.sidebar.segmented_control(key="language_choice").set_value("en").run()
    assert not at.exception and not at.error
    assert _groups(at) == ["Reports to review", "Missing reports in my district", "Ratings to give",
                           "Rectifications", "Milestones due in the next 30 days", "Unread messages"]
    period = period_to_report(calendar_today())
    assert at.title[0].value == "My tasks"
    assert at.main.caption[0].value == f"The {month(period, 'en')} report is due on {date(due_date(period), 'en')}"


def test_an_analyst_opens_each_open_round_from_its_progress(logged_in, engine):
    progress = tasks.open_round_progress(engine, as_viewer(engine, "analyst"))
    assert len(progress) > 0  # the demo's current quarter
    at = logged_in("analyst", "views/my_tasks.py")
    assert _links(at, "rating-rounds") == [f"round={round_id}" for round_id in progress["id"].head(MOST)]
    first = progress.iloc[0]
    assert any(m.value.startswith(f"已评 {first['responded']}/{first['assigned']} · ") for m in at.markdown)
