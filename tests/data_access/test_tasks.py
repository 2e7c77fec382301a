"""The to-do reads (data_access.tasks) on both databases: what counts as reported, overdue months, the 整改
and milestones that are mine, and scope: an official never sees, nor reminds, another district's projects."""
import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update

from data_access import alerts, tasks
from data_access.errors import PermissionDenied
from data_access.models import (
    Alert,
    AlertRule,
    Indicator,
    Milestone,
    Notification,
    Observation,
    Project,
    RatingAssignment,
    Rectification,
    Region,
    Report,
    User,
)
from data_access.ratings import DEFAULT_CRITERIA, RoundSpec, list_rounds, open_round, rate
from tests.conftest import as_viewer

OCTOBER, AUGUST = dt.date(2026, 10, 1), dt.date(2026, 8, 1)
NOW = dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC)


def _first_project(engine, username: str) -> int:
    """The manager's first active project that reported October by its values alone (the demo runs to November)."""
    manager = as_viewer(engine, username)
    with engine.connect() as connection:
        return connection.execute(
            select(Project.id).join(Observation, Observation.project_id == Project.id)
            .where(Project.manager_id == manager.user_id, Project.status == "active", Observation.period == OCTOBER,
                   Project.id.not_in(select(Report.project_id)))  # the demo's reports are tested below
            .order_by(Project.id).limit(1)).scalar_one()


def _unreport(engine, project_id: int, *periods: dt.date, keep_plans: bool = False) -> None:
    """Remove the project's values for these months (the plan series too unless ``keep_plans``)."""
    statement = delete(Observation).where(Observation.project_id == project_id, Observation.period.in_(periods))
    if keep_plans:
        plans = select(Indicator.id).where(Indicator.code.in_(["PROG_PLAN", "SPEND_PLAN"]))
        statement = statement.where(Observation.indicator_id.not_in(plans))
    with engine.begin() as connection:
        connection.execute(statement)


def _report(engine, project_id: int, period: dt.date, status: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(Report).where(Report.project_id == project_id, Report.period == period))
        connection.execute(Report.__table__.insert().values(project_id=project_id, period=period, status=status,
                                                            created_at=NOW, corrections=0, version=1))


def _missing_ids(engine, username: str, period: dt.date = OCTOBER) -> set[int]:
    return set(tasks.missing_reports(engine, as_viewer(engine, username), period=period)["project_id"])


def test_a_month_is_reported_by_a_submitted_or_accepted_report_or_by_values_but_not_by_a_draft(seeded_engine):
    project = _first_project(seeded_engine, "pm_kaifeng1")
    assert project not in _missing_ids(seeded_engine, "admin")
    _unreport(seeded_engine, project, OCTOBER, keep_plans=True)
    assert project in _missing_ids(seeded_engine, "admin")  # the plan alone is not a report
    for status, missing in [("draft", True), ("returned", True), ("submitted", False), ("accepted", False)]:
        _report(seeded_engine, project, OCTOBER, status)
        assert (project in _missing_ids(seeded_engine, "admin")) is missing, status
    row = tasks.missing_reports(seeded_engine, as_viewer(seeded_engine, "admin"), period=AUGUST)
    assert project not in set(row["project_id"])  # other months are untouched


def test_a_report_sent_back_is_owed_again_even_where_the_month_has_values(seeded_engine):
    project = _first_project(seeded_engine, "pm_kaifeng1")  # October has its values
    for status, missing in [("returned", True), ("draft", True), ("accepted", False)]:
        _report(seeded_engine, project, OCTOBER, status)
        assert (project in _missing_ids(seeded_engine, "admin")) is missing, status
        due = tasks.reports_due(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"), period=OCTOBER,
                                overdue_months=0)
        assert (project in set(due["project_id"])) is missing, status


def test_a_missing_report_names_the_project_its_region_and_its_manager(seeded_engine):
    project = _first_project(seeded_engine, "pm_kaifeng1")
    _unreport(seeded_engine, project, OCTOBER)
    frame = tasks.missing_reports(seeded_engine, as_viewer(seeded_engine, "admin"), period=OCTOBER)
    row = frame[frame["project_id"] == project].iloc[0]
    with seeded_engine.connect() as connection:
        code, region, manager = connection.execute(
            select(Project.code, Region.name_zh, User.display_name).join(Region, Region.id == Project.region_id)
            .join(User, User.id == Project.manager_id).where(Project.id == project)).one()
    assert (row["code"], row["region_zh"], row["manager_name"], row["period"]) == (code, region, manager, OCTOBER)
    assert list(frame.columns) == ["project_id", "code", "name_zh", "name_en", "region_zh", "region_en",
                                   "manager_id", "manager_name", "period"]


def test_only_active_projects_that_had_started_have_to_report(seeded_engine):
    project = _first_project(seeded_engine, "pm_kaifeng1")
    _unreport(seeded_engine, project, OCTOBER)
    for status in ("suspended", "completed", "planned"):
        with seeded_engine.begin() as connection:
            connection.execute(update(Project).where(Project.id == project).values(status=status))
        assert project not in _missing_ids(seeded_engine, "admin"), status
    with seeded_engine.begin() as connection:
        connection.execute(update(Project).where(Project.id == project).values(
            status="active", actual_start=dt.date(2026, 11, 1)))
    assert project not in _missing_ids(seeded_engine, "admin")  # started after October
    with seeded_engine.begin() as connection:
        connection.execute(update(Project).where(Project.id == project).values(actual_start=dt.date(2026, 10, 31)))
    assert project in _missing_ids(seeded_engine, "admin")  # one day of October is a month to report


def test_a_manager_s_reports_due_are_this_period_and_the_unreported_months_before_it(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    project = _first_project(seeded_engine, "pm_kaifeng1")
    with seeded_engine.begin() as connection:  # every month of 2026 reported, from a start long before
        connection.execute(update(Project).where(Project.id == project).values(actual_start=dt.date(2025, 6, 2)))
        progress = connection.execute(select(Indicator.id).where(Indicator.code == "PROG_ACTUAL")).scalar_one()
        months = connection.execute(select(Observation.period).where(Observation.project_id == project)
                                    .distinct()).scalars().all()
        connection.execute(Observation.__table__.insert(), [
            {"project_id": project, "indicator_id": progress, "period": dt.date(2026, m, 1), "value": 1.0,
             "source": "manual", "entered_at": NOW} for m in range(1, 12) if dt.date(2026, m, 1) not in months])
    assert tasks.reports_due(seeded_engine, manager, period=OCTOBER, overdue_months=9).query(
        "project_id == @project").empty
    _unreport(seeded_engine, project, OCTOBER, AUGUST, dt.date(2026, 3, 1))
    due = tasks.reports_due(seeded_engine, manager, period=OCTOBER, overdue_months=6)
    assert due.loc[due["project_id"] == project, "period"].tolist() == [AUGUST, OCTOBER]  # March: > 6 months back
    assert due["manager_id"].eq(manager.user_id).all()
    longer = tasks.reports_due(seeded_engine, manager, period=OCTOBER, overdue_months=7)
    assert longer.loc[longer["project_id"] == project, "period"].tolist() == [dt.date(2026, 3, 1), AUGUST, OCTOBER]
    other = as_viewer(seeded_engine, "pm_kaifeng2")
    assert project not in set(tasks.reports_due(seeded_engine, other, period=OCTOBER, overdue_months=6)["project_id"])


def _district_of(engine, project_id: int) -> tuple[str, str]:
    """(official's username, region path) of the district holding the project."""
    with engine.connect() as connection:
        path = connection.execute(select(Region.path).join(Project, Project.region_id == Region.id)
                                  .where(Project.id == project_id)).scalar_one()
        district = "/".join(path.split("/")[:3]) + "/"
        official = connection.execute(
            select(User.username).join(Region, Region.id == User.region_id)
            .where(User.role == "district_official", Region.path == district)).scalar_one()
    return official, district


def test_an_official_never_sees_nor_reminds_another_district_s_missing_reports(seeded_engine):
    mine = _first_project(seeded_engine, "pm_kaifeng1")
    theirs = _first_project(seeded_engine, "pm_nanjing1")
    _unreport(seeded_engine, mine, OCTOBER)
    _unreport(seeded_engine, theirs, OCTOBER)
    official, district = _district_of(seeded_engine, mine)
    seen = tasks.missing_reports(seeded_engine, as_viewer(seeded_engine, official), period=OCTOBER)
    assert mine in set(seen["project_id"]) and theirs not in set(seen["project_id"])
    with seeded_engine.connect() as connection:
        paths = connection.execute(select(Region.path).join(Project, Project.region_id == Region.id)
                                   .where(Project.id.in_(seen["project_id"].tolist()))).scalars().all()
    assert all(path.startswith(district) for path in paths)
    assert theirs in _missing_ids(seeded_engine, _district_of(seeded_engine, theirs)[0])

    official_viewer = as_viewer(seeded_engine, official)
    assert tasks.remind_reporters(seeded_engine, official_viewer, period=OCTOBER, project_ids=[theirs], now=NOW) == 0
    with seeded_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Notification)
                                  .where(Notification.topic.is_not(None))).scalar_one() == 0


def test_an_official_reminds_each_manager_once_per_period_however_often_asked(seeded_engine):
    project = _first_project(seeded_engine, "pm_kaifeng1")
    _unreport(seeded_engine, project, OCTOBER)
    official = as_viewer(seeded_engine, _district_of(seeded_engine, project)[0])
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    assert tasks.remind_reporters(seeded_engine, official, period=OCTOBER, project_ids=[project], now=NOW) == 1
    assert tasks.remind_reporters(seeded_engine, official, period=OCTOBER, project_ids=[project], now=NOW) == 0
    with seeded_engine.connect() as connection:
        sent = connection.execute(select(Notification.user_id, Notification.kind, Notification.topic,
                                         Notification.subject_zh, Notification.body_zh)
                                  .where(Notification.topic.is_not(None))).all()
        code = connection.execute(select(Project.code).where(Project.id == project)).scalar_one()
    assert [(user, kind, topic) for user, kind, topic, _, _ in sent] == [
        (manager.user_id, "report.remind", "report.remind/2026-10")]
    assert sent[0].subject_zh == "请填报 2026-10 月报（1 个项目）" and code in sent[0].body_zh
    shown = alerts.inbox(seeded_engine, manager).iloc[0]  # not about a warning: never withheld
    assert (shown["subject_zh"], bool(shown["withheld"])) == ("请填报 2026-10 月报（1 个项目）", False)
    assert code in shown["body_zh"]
    assert tasks.remind_reporters(seeded_engine, official, period=dt.date(2026, 9, 1), project_ids=[project],
                                  now=NOW) == 0  # September was reported: nobody to remind


def test_only_reviewers_may_remind_reporters(seeded_engine):
    project = _first_project(seeded_engine, "pm_kaifeng1")
    for username in ("pm_kaifeng1", "leader", "analyst"):
        with pytest.raises(PermissionDenied) as caught:
            tasks.remind_reporters(seeded_engine, as_viewer(seeded_engine, username), period=OCTOBER,
                                   project_ids=[project], now=NOW)
        assert caught.value.message_zh == "当前角色无权审核月报、催报并设置是否审核"


def _rectification(engine, project_id: int, owner_id: int, due: dt.date, rule: int,
                   status: str = "rectifying") -> int:
    """A warning (the ``rule``-th rule's) in ``status`` with its 整改 task."""
    with engine.begin() as connection:
        rule_id = connection.execute(select(AlertRule.id).order_by(AlertRule.id).offset(rule).limit(1)).scalar_one()
        alert_id = connection.execute(Alert.__table__.insert().values(
            rule_id=rule_id, project_id=project_id, status=status, severity="orange", opened_at=NOW,
            last_evaluated_at=NOW, reopen_count=0, version=1).returning(Alert.id)).scalar_one()
        connection.execute(Rectification.__table__.insert().values(alert_id=alert_id, owner_id=owner_id,
                                                                   plan="整改", due_date=due))
    return alert_id


def test_my_rectifications_are_those_i_own_still_being_worked_on_the_earliest_due_first(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    official = as_viewer(seeded_engine, _district_of(seeded_engine, _first_project(seeded_engine, "pm_kaifeng1"))[0])
    project = _first_project(seeded_engine, "pm_kaifeng1")
    later = _rectification(seeded_engine, project, manager.user_id, dt.date(2026, 12, 20), rule=0)
    sooner = _rectification(seeded_engine, project, manager.user_id, dt.date(2026, 12, 1), rule=1)
    _rectification(seeded_engine, project, manager.user_id, dt.date(2026, 11, 1), rule=2, status="resolved")
    official_task = _rectification(seeded_engine, project, official.user_id, dt.date(2026, 12, 5), rule=3)
    mine = tasks.my_rectifications(seeded_engine, manager)
    assert mine["alert_id"].tolist() == [sooner, later]
    assert mine["due_date"].tolist() == [dt.date(2026, 12, 1), dt.date(2026, 12, 20)]
    assert tasks.my_rectifications(seeded_engine, official)["alert_id"].tolist() == [official_task]
    assert tasks.my_rectifications(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng2")).empty


def test_milestones_due_are_unfinished_mine_or_my_projects_within_the_window(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    project = _first_project(seeded_engine, "pm_kaifeng1")
    official = as_viewer(seeded_engine, _district_of(seeded_engine, project)[0])
    today = dt.date(2026, 11, 3)
    with seeded_engine.begin() as connection:
        connection.execute(update(Milestone).values(planned_end=dt.date(2030, 1, 1), actual_end=None))
        ids = connection.execute(select(Milestone.id).where(Milestone.project_id == project)
                                 .order_by(Milestone.seq)).scalars().all()
        ends = {ids[0]: today, ids[1]: today + dt.timedelta(days=30), ids[2]: today + dt.timedelta(days=31),
                ids[3]: today - dt.timedelta(days=1)}
        for milestone_id, end in ends.items():
            connection.execute(update(Milestone).where(Milestone.id == milestone_id).values(planned_end=end))
        # the official owns one of my project's milestones: still mine to watch as its manager
        connection.execute(update(Milestone).where(Milestone.id == ids[1]).values(owner_id=official.user_id))
        foreign, done = connection.execute(
            select(Milestone.id).join(Project, Project.id == Milestone.project_id)
            .where(Project.manager_id != manager.user_id).order_by(Milestone.id).limit(2)).scalars().all()
        # owned by me on another manager's project (outside my scope), and one of mine already finished
        connection.execute(update(Milestone).where(Milestone.id == foreign).values(
            owner_id=manager.user_id, planned_end=today + dt.timedelta(days=2)))
        connection.execute(update(Milestone).where(Milestone.id == ids[2]).values(
            planned_end=today + dt.timedelta(days=3), actual_end=today))
    due = tasks.milestones_due(seeded_engine, manager, today=today, days=30)
    assert due["milestone_id"].tolist() == [ids[0], ids[1]]
    assert due["planned_end"].tolist() == [today, today + dt.timedelta(days=30)]
    assert tasks.milestones_due(seeded_engine, official, today=today, days=30)["milestone_id"].tolist() == [ids[1]]


def test_everyone_s_owed_ratings_are_read_by_the_scheduler_only(seeded_engine):
    now = dt.datetime.now(dt.UTC)
    for username in ("admin", "analyst", "pm_kaifeng1"):
        with pytest.raises(PermissionDenied):
            tasks.ratings_owed(seeded_engine, as_viewer(seeded_engine, username), now=now,
                               within=dt.timedelta(days=3))


def test_open_round_progress_counts_the_assigned_ratings_that_came_in_like_the_round_list(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    spec = RoundSpec(name_zh="十月评分", name_en="October rating", period=OCTOBER, criteria=list(DEFAULT_CRITERIA),
                     project_ids=[7], deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=4), peers_per_project=2)
    round_id = open_round(seeded_engine, analyst, spec)
    with seeded_engine.connect() as connection:
        raters = connection.execute(select(User.username).join(RatingAssignment, RatingAssignment.rater_id == User.id)
                                    .where(RatingAssignment.round_id == round_id).order_by(User.id)).scalars().all()
    for username in raters[:2]:
        rate(seeded_engine, as_viewer(seeded_engine, username), round_id=round_id, project_id=7,
             scores={criterion.code: 70.0 for criterion in DEFAULT_CRITERIA}, comment=None)
    progress = tasks.open_round_progress(seeded_engine, analyst).set_index("id")
    assert progress.loc[round_id, ["assigned", "responded"]].tolist() == [len(raters), 2]
    listed = list_rounds(seeded_engine, analyst).set_index("id")
    for open_id in progress.index:
        assert progress.loc[open_id, ["assigned", "responded"]].tolist() == \
            listed.loc[open_id, ["assigned", "responded"]].tolist()
    assert progress.index.tolist() == sorted(progress.index, key=lambda i: (progress.loc[i, "deadline"], i))
    with pytest.raises(PermissionDenied):
        tasks.open_round_progress(seeded_engine, as_viewer(seeded_engine, "official_longting"))
