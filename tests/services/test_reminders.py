"""Reporting reminders: N days before the deadline, once per user and topic, in the inbox and by e-mail."""
import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from data_access import tasks
from data_access.errors import ConfigurationError
from data_access.models import (
    Notification,
    Observation,
    Project,
    RatingAssignment,
    RatingRound,
    Region,
    Report,
    User,
)
from data_access.policy import SYSTEM
from data_access.ratings import DEFAULT_CRITERIA, Criterion, RoundSpec, open_round, rate
from services import reminders
from services.reporting_calendar import current_period, report_due_day
from tests.conftest import as_viewer

NOVEMBER = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 12, 2, 8, tzinfo=dt.UTC)


@pytest.fixture
def november_missing(seeded_engine):
    """pm_kaifeng1's first active project without its November values; returns (engine, project id)."""
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with seeded_engine.begin() as connection:
        project = connection.execute(select(Project.id).where(Project.manager_id == manager.user_id,
                                                              Project.status == "active",
                                                              Project.id.not_in(select(Report.project_id)))
                                     .order_by(Project.id).limit(1)).scalar_one()
        connection.execute(delete(Observation).where(Observation.project_id == project,
                                                     Observation.period == NOVEMBER))
    return seeded_engine, project


def _reminders(engine) -> list[tuple[int, str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(Notification.user_id, Notification.kind, Notification.topic)
            .where(Notification.topic.is_not(None)).order_by(Notification.user_id))]


def _managers_missing(engine) -> list[int]:
    missing = tasks.missing_reports(engine, SYSTEM, period=NOVEMBER)
    return sorted(int(m) for m in missing["manager_id"].dropna().unique())


@pytest.mark.parametrize("db_backend", ["sqlite"])
@pytest.mark.parametrize(("as_of", "reminded"), [
    (dt.date(2026, 12, 1), False),  # four days before 5 December: too early
    (dt.date(2026, 12, 2), True),  # three days before
    (dt.date(2026, 12, 5), True),  # the day itself
    (dt.date(2026, 12, 6), False),  # past the deadline: overdue, the page says so in red
])
def test_managers_are_reminded_from_three_days_before_the_deadline(november_missing, as_of, reminded):
    engine, _ = november_missing
    managers = _managers_missing(engine)
    assert as_viewer(engine, "pm_kaifeng1").user_id in managers
    result = reminders.run(engine, as_of=as_of, now=NOW, settings=None)
    assert (result.period, result.due) == (NOVEMBER, dt.date(2026, 12, 5))
    expected = [(manager, "report.due", "report.due/2026-11") for manager in managers] if reminded else []
    assert _reminders(engine) == expected and result.reports_reminded == len(expected)


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_running_twice_tells_nobody_twice(november_missing):
    engine, _ = november_missing
    first = reminders.run(engine, as_of=dt.date(2026, 12, 2), now=NOW, settings=None)
    second = reminders.run(engine, as_of=dt.date(2026, 12, 3), now=NOW, settings=None)
    assert first.reports_reminded == len(_managers_missing(engine)) > 0 and second.reports_reminded == 0
    topics = _reminders(engine)
    assert len(topics) == len(set(topics)) == first.reports_reminded


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_the_reminder_lists_the_manager_s_projects_with_the_due_date(november_missing):
    engine, project = november_missing
    reminders.run(engine, as_of=dt.date(2026, 12, 2), now=NOW, settings=None)
    manager = as_viewer(engine, "pm_kaifeng1")
    with engine.connect() as connection:
        code = connection.execute(select(Project.code).where(Project.id == project)).scalar_one()
        subject, body, body_en = connection.execute(
            select(Notification.subject_zh, Notification.body_zh, Notification.body_en)
            .where(Notification.user_id == manager.user_id, Notification.topic == "report.due/2026-11")).one()
    missing = tasks.missing_reports(engine, manager, period=NOVEMBER)
    assert subject == f"请填报 2026-11 月报（{len(missing)} 个项目）"
    assert body.startswith("以下项目尚未提交 2026-11 月报，截止日期 2026-12-05：") and f"- {code} " in body
    assert "due on 2026-12-05" in body_en


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_reminders_are_mailed_at_once_and_only_once(november_missing, smtp_server):
    engine, _ = november_missing
    settings, inbox = smtp_server
    result = reminders.run(engine, as_of=dt.date(2026, 12, 2), now=NOW, settings=settings)
    with engine.connect() as connection:
        addresses = sorted(connection.execute(select(User.email).where(
            User.id.in_(_managers_missing(engine)))).scalars())
    assert (result.emails_sent, result.emails_failed) == (len(addresses), 0)
    assert sorted(message["To"] for message in inbox.messages) == addresses
    assert all(message["Subject"].startswith("请填报 2026-11 月报") for message in inbox.messages)
    again = reminders.run(engine, as_of=dt.date(2026, 12, 3), now=NOW, settings=settings)
    assert (again.reports_reminded, again.emails_sent) == (0, 0) and len(inbox.messages) == len(addresses)


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_an_official_s_reminder_is_mailed_too(november_missing, smtp_server):
    engine, project = november_missing
    settings, inbox = smtp_server
    with engine.connect() as connection:
        path = connection.execute(select(Region.path).join(Project, Project.region_id == Region.id)
                                  .where(Project.id == project)).scalar_one()
        official = connection.execute(select(User.username).join(Region, Region.id == User.region_id).where(
            User.role == "district_official", Region.path == "/".join(path.split("/")[:3]) + "/")).scalar_one()
    assert reminders.remind_reporters(engine, as_viewer(engine, official), period=NOVEMBER, project_ids=[project],
                                      now=NOW, settings=settings) == 1
    assert [message["To"] for message in inbox.messages] == ["pm_kaifeng1@perfdash.example"]
    assert inbox.messages[0]["Subject"] == "请填报 2026-11 月报（1 个项目）"


def test_the_due_day_and_the_reminder_days_are_settings(monkeypatch):
    assert report_due_day() == 5 and current_period(dt.date(2027, 1, 3)) == (dt.date(2026, 12, 1),
                                                                           dt.date(2027, 1, 5))
    monkeypatch.setenv("PERFDASH_REPORT_DUE_DAY", "31")
    assert current_period(dt.date(2027, 3, 1)) == (dt.date(2027, 2, 1), dt.date(2027, 3, 31))
    assert current_period(dt.date(2027, 2, 10)) == (dt.date(2027, 1, 1), dt.date(2027, 2, 28))
    for bad in ("0", "32", "five", "５"):
        monkeypatch.setenv("PERFDASH_REPORT_DUE_DAY", bad)
        with pytest.raises(ConfigurationError) as caught:
            report_due_day()
        assert caught.value.message_zh == "PERFDASH_REPORT_DUE_DAY 须为 1 到 31 之间的整数"


def _open_round(engine, deadline: dt.datetime, criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA) -> int:
    """The analyst's round on one project of 龙亭区 (the manager as self, the official as superior, peers)."""
    spec = RoundSpec(name_zh="十月评分", name_en="October rating", period=dt.date(2026, 10, 1),
                     criteria=list(criteria), project_ids=[7], deadline=deadline, peers_per_project=2)
    return open_round(engine, as_viewer(engine, "analyst"), spec)


def _viewer_of(engine, user_id: int):
    with engine.connect() as connection:
        username = connection.execute(select(User.username).where(User.id == user_id)).scalar_one()
    return as_viewer(engine, username)


def _raters(engine, round_id: int) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(RatingAssignment.rater_id)
                                         .where(RatingAssignment.round_id == round_id)).scalars())


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_raters_who_still_owe_are_reminded_once_within_three_days_of_the_deadline(seeded_engine):
    engine = seeded_engine
    now = dt.datetime.now(dt.UTC)
    soon = _open_round(engine, now + dt.timedelta(days=2, hours=23))
    later = _open_round(engine, now + dt.timedelta(days=3, hours=1), (Criterion("overall", "综合", "Overall", 1.0),))
    raters = _raters(engine, soon)
    first, *others = raters
    rate(engine, _viewer_of(engine, first), round_id=soon, project_id=7,
         scores={criterion.code: 80.0 for criterion in DEFAULT_CRITERIA}, comment=None)
    result = reminders.run(engine, as_of=now.date(), now=now, settings=None)
    reminded = [(user, topic) for user, _, topic in _reminders(engine) if topic == f"rating.due/{soon}"]
    assert reminded == [(rater, f"rating.due/{soon}") for rater in others] and len(others) == len(raters) - 1 > 0
    assert result.raters_reminded >= len(others)  # the demo's own round may be ending too
    assert reminders.run(engine, as_of=now.date(), now=now, settings=None).raters_reminded == 0
    with engine.connect() as connection:
        subject = connection.execute(select(Notification.subject_zh).where(
            Notification.topic == f"rating.due/{soon}")).scalars().first()
    assert subject.startswith("请在 ") and subject.endswith("前完成评分：十月评分（1 个项目）")
    assert later not in {int(topic.split("/")[1]) for _, kind, topic in _reminders(engine) if kind == "rating.due"}


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_a_run_closes_the_rounds_past_their_deadline(seeded_engine):
    engine = seeded_engine
    now = dt.datetime.now(dt.UTC)
    due = _open_round(engine, now + dt.timedelta(days=5))
    with engine.begin() as connection:
        connection.execute(update(RatingRound).where(RatingRound.id == due)
                           .values(deadline=now - dt.timedelta(minutes=5)))
    assert due in reminders.run(engine, as_of=now.date(), now=now, settings=None).rounds_closed
    assert reminders.run(engine, as_of=now.date(), now=now, settings=None).rounds_closed == []  # closed once
    with engine.connect() as connection:
        assert connection.execute(select(RatingRound.status).where(RatingRound.id == due)).scalar_one() == "closed"


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_the_command_line_runs_as_of_a_day_and_says_what_it_did(november_missing, monkeypatch, capsys):
    engine, _ = november_missing
    monkeypatch.setenv("PERFDASH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PERFDASH_DEMO", "1")
    assert reminders.main(["run", "--as-of", "2026-12-02"]) == 0
    managers = len(_managers_missing(engine))
    assert f"; report 2026-11 due 2026-12-05: {managers} manager(s) reminded;" in capsys.readouterr().out
    assert reminders.main(["run", "--as-of", "2026-12-03"]) == 0
    assert "report 2026-11 due 2026-12-05: 0 manager(s) reminded;" in capsys.readouterr().out
