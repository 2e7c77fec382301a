"""Alerts in the database: evaluation, dedup, clearing, reopening, escalation, the lifecycle and its scope."""
import datetime as dt
from functools import partial

import pytest
from sqlalchemy import func, select, update

from data_access import alerts as store
from data_access.db import data_versions
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import Alert, AlertEvent, Notification, Observation
from data_access.policy import SYSTEM
from services.alerts import evaluate
from tests.conftest import EVALUATED_AT, EVALUATION_DAY, as_viewer

NOW = EVALUATED_AT  # when the demo's warnings were evaluated


def _count(engine, model, *where):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model).where(*where)).scalar()


@pytest.fixture
def evaluated(evaluated_engine):
    """The demo with its warnings evaluated as of EVALUATION_DAY at NOW: a private copy of a database evaluated
    once per process (evaluating for each of the module's 58 tests took a third of its time)."""
    return evaluated_engine


def _an_alert(engine, viewer, **filters):
    frame = store.list_alerts(engine, viewer, **filters)
    return frame.iloc[0]


def test_evaluation_is_idempotent_one_live_alert_per_rule_and_project(evaluated):
    before = _count(evaluated, Alert)
    again = evaluate(evaluated, as_of=EVALUATION_DAY, now=NOW + dt.timedelta(hours=1))
    assert (again.opened, again.reopened, again.cleared) == (0, 0, 0) and again.kept == before
    with evaluated.connect() as connection:
        pairs = connection.execute(select(Alert.rule_id, Alert.project_id)).all()
    assert len(pairs) == len(set(pairs)) == before


def test_an_evaluation_that_finds_the_same_moves_no_data_version_and_one_that_changes_a_warning_does(evaluated):
    versions = partial(data_versions, evaluated, None)
    before = versions()
    projects = sorted({int(project) for project in store.list_alerts(evaluated, SYSTEM)["project_id"]})[:3]
    evaluate(evaluated, as_of=EVALUATION_DAY, project_ids=projects, now=NOW + dt.timedelta(minutes=5))  # a push's
    evaluate(evaluated, as_of=EVALUATION_DAY, now=NOW + dt.timedelta(hours=1))  # the hourly run
    assert versions() == before  # every replica's cached pages stay warm
    stamped = {moment.replace(tzinfo=None) for moment in _column(evaluated, Alert.last_evaluated_at,
                                                                  Alert.status != "closed")}
    assert stamped == {(NOW + dt.timedelta(hours=1)).replace(tzinfo=None)}  # the look itself is still recorded

    with evaluated.begin() as connection:  # a live warning whose stored value is no longer what the data says
        live_with_a_value = select(func.min(Alert.id)).where(Alert.status != "closed", Alert.value.is_not(None))
        connection.execute(update(Alert).where(Alert.id == live_with_a_value.scalar_subquery())
                           .values(value=Alert.value + 1))
    evaluate(evaluated, as_of=EVALUATION_DAY, now=NOW + dt.timedelta(hours=2))
    assert versions().base == before.base + 1


def _column(engine, column, *where):
    with engine.connect() as connection:
        return connection.execute(select(column).where(*where)).scalars().all()


def test_opening_notifies_the_project_manager_in_both_languages(evaluated):
    alert = _an_alert(evaluated, as_viewer(evaluated, "admin"))
    from sqlalchemy.orm import Session

    with Session(evaluated) as session:
        note = session.execute(select(Notification).where(Notification.alert_id == int(alert["id"]),
                                                          Notification.kind == "alert.opened")).scalars().first()
    assert note.user_id == alert["manager_id"]
    assert note.subject_zh.startswith("【") and alert["project_zh"] in note.subject_zh
    assert alert["project_en"] in note.subject_en and "warning" in note.subject_en
    assert f"/alerts?alert={alert['id']}" in note.body_zh and f"/alerts?alert={alert['id']}" in note.body_en


def test_an_official_sees_and_handles_only_own_district_alerts(evaluated):
    official = as_viewer(evaluated, "official_longting")
    mine = store.list_alerts(evaluated, official)
    everything = store.list_alerts(evaluated, as_viewer(evaluated, "leader"))
    assert set(mine["id"]) < set(everything["id"])
    assert set(mine["region_zh"]) <= {"龙亭区"}
    foreign = everything[~everything["id"].isin(mine["id"])].iloc[0]
    with pytest.raises(PermissionDenied):
        store.transition(evaluated, official, int(foreign["id"]), int(foreign["version"]), "acknowledge")
    with pytest.raises(PermissionDenied):
        store.alert_history(evaluated, official, int(foreign["id"]))


def test_the_full_lifecycle_with_verification_by_the_supervisor(evaluated):
    manager = as_viewer(evaluated, "pm_kaifeng1")
    alert = _an_alert(evaluated, manager, statuses=["open"])
    alert_id = int(alert["id"])
    version = store.transition(evaluated, manager, alert_id, int(alert["version"]), "acknowledge", now=NOW)
    version = store.transition(evaluated, manager, alert_id, version, "rectify", owner_id=manager.user_id,
                               plan="增加施工班组，周末加班", due_date=dt.date.today() + dt.timedelta(days=10))
    version = store.transition(evaluated, manager, alert_id, version, "resolve", note="进度已追平计划",
                               attachment=b"%PDF-1.4 evidence", attachment_name="evidence.pdf")
    with pytest.raises(PermissionDenied, match="may not"):  # a project manager never verifies
        store.transition(evaluated, manager, alert_id, version, "close")
    region = alert["region_zh"]
    official = {"龙亭区": "official_longting", "顺河回族区": "official_shunhe", "鼓楼区": "official_gulou",
                "禹王台区": "official_yuwangtai", "祥符区": "official_xiangfu", "杞县": "official_qixian",
                "通许县": "official_tongxu", "尉氏县": "official_weishi", "兰考县": "official_lankao"}[region]
    supervisor = as_viewer(evaluated, official)
    version = store.transition(evaluated, supervisor, alert_id, version, "reject", note="佐证不足")
    version = store.transition(evaluated, manager, alert_id, version, "resolve", note="补充了监理日志")
    store.transition(evaluated, supervisor, alert_id, version, "close", note="核验通过")
    history = store.alert_history(evaluated, supervisor, alert_id)
    assert history["to_status"].tolist() == ["open", "acknowledged", "rectifying", "resolved", "rectifying",
                                             "resolved", "closed"]
    with evaluated.connect() as connection:
        kinds = connection.execute(select(Notification.kind).where(Notification.alert_id == alert_id)).scalars()
        assert {"alert.resolved", "alert.rejected", "alert.closed"} <= set(kinds)


def test_the_owner_of_a_rectification_cannot_verify_it_even_as_a_supervisor(evaluated):
    admin = as_viewer(evaluated, "admin")
    alert = _an_alert(evaluated, admin, statuses=["open"])
    version = store.transition(evaluated, admin, int(alert["id"]), int(alert["version"]), "rectify",
                               owner_id=admin.user_id, plan="自行整改", due_date=dt.date.today())
    version = store.transition(evaluated, admin, int(alert["id"]), version, "resolve", note="完成")
    with pytest.raises(PermissionDenied) as caught:
        store.transition(evaluated, admin, int(alert["id"]), version, "close")
    assert caught.value.message_zh == "不能核验自己负责或提交的整改"


@pytest.mark.parametrize(("action", "extra", "message"), [
    ("close", {}, "不能执行此操作"),
    ("resolve", {"note": "x"}, "不能执行此操作"),
    ("rectify", {"owner_id": 1, "plan": " ", "due_date": dt.date(2030, 1, 1)}, "整改措施"),
    ("rectify", {"owner_id": 1, "plan": "计划", "due_date": dt.date(2020, 1, 1)}, "不能早于今天"),
])
def test_forbidden_transitions_and_incomplete_tasks_are_refused(evaluated, action, extra, message):
    admin = as_viewer(evaluated, "admin")
    alert = _an_alert(evaluated, admin, statuses=["open"])
    with pytest.raises(ValidationError) as caught:
        store.transition(evaluated, admin, int(alert["id"]), int(alert["version"]), action, **extra)
    assert message in caught.value.message_zh
    assert _count(evaluated, AlertEvent, AlertEvent.alert_id == int(alert["id"])) == 1  # only the opening


def test_stale_version_is_a_conflict(evaluated):
    admin = as_viewer(evaluated, "admin")
    alert = _an_alert(evaluated, admin, statuses=["open"])
    store.transition(evaluated, admin, int(alert["id"]), int(alert["version"]), "acknowledge")
    with pytest.raises((VersionConflict, ValidationError)):
        store.transition(evaluated, admin, int(alert["id"]), int(alert["version"]), "acknowledge")


def test_bulk_acknowledge_is_all_or_nothing(evaluated):
    admin = as_viewer(evaluated, "admin")
    open_alerts = store.list_alerts(evaluated, admin, statuses=["open"]).head(3)
    pairs = dict(zip(open_alerts["id"].astype(int), open_alerts["version"].astype(int), strict=True))
    stale = dict(pairs)
    stale[next(iter(stale))] += 7
    with pytest.raises(VersionConflict):
        store.acknowledge_many(evaluated, admin, stale)
    assert _count(evaluated, Alert, Alert.id.in_(list(pairs)), Alert.status == "acknowledged") == 0
    assert store.acknowledge_many(evaluated, admin, pairs) == 3
    assert _count(evaluated, Alert, Alert.id.in_(list(pairs)), Alert.status == "acknowledged") == 3


def test_a_cleared_condition_resolves_the_alert_and_new_data_reopens_a_closed_one(evaluated):
    admin = as_viewer(evaluated, "admin")
    lag = store.list_alerts(evaluated, admin, statuses=["open"], rule_ids=[2]).iloc[0]  # progress lag
    project_id = int(lag["project_id"])
    with evaluated.begin() as connection:  # the project catches up: actual progress reaches the plan
        connection.execute(update(Observation).where(
            Observation.project_id == project_id, Observation.indicator_id == select_indicator("PROG_ACTUAL"),
            Observation.period == dt.date(2026, 11, 1)).values(value=100.0))
    changes = evaluate(evaluated, as_of=EVALUATION_DAY, now=NOW + dt.timedelta(days=1), )
    assert changes.cleared >= 1
    resolved = store.list_alerts(evaluated, admin, project_id=project_id, rule_ids=[2]).iloc[0]
    assert resolved["status"] == "resolved"
    store.transition(evaluated, admin, int(resolved["id"]), int(resolved["version"]), "close", note="数据已恢复",
                     now=NOW + dt.timedelta(days=2))
    # December's and January's reports show the project behind again: the closed alert reopens (no duplicate).
    with evaluated.begin() as connection:
        for period in (dt.date(2026, 12, 1), dt.date(2027, 1, 1)):
            for code, value in (("PROG_PLAN", 95.0), ("PROG_ACTUAL", 60.0)):
                connection.execute(Observation.__table__.insert().values(
                    project_id=project_id, indicator_id=select_indicator(code), period=period,
                    value=value, source="manual", entered_at=NOW))
    changes = evaluate(evaluated, as_of=dt.date(2027, 1, 20), project_ids=[project_id],
                       now=NOW + dt.timedelta(days=60))
    reopened = store.list_alerts(evaluated, admin, project_id=project_id, rule_ids=[2])
    assert changes.reopened == 1 and len(reopened) == 1
    assert reopened.iloc[0]["status"] == "open" and reopened.iloc[0]["reopen_count"] == 1


def select_indicator(code):
    from data_access.models import Indicator

    return select(Indicator.id).where(Indicator.code == code).scalar_subquery()


def test_red_alerts_escalate_once_after_the_deadline(evaluated):
    red = _count(evaluated, Alert, Alert.severity == "red", Alert.status == "open")
    assert red > 0
    escalate = partial(store.escalate_unacknowledged, evaluated, actor=SYSTEM, after_days=3)
    assert escalate(now=NOW + dt.timedelta(days=2, hours=23)) == 0
    assert escalate(now=NOW + dt.timedelta(days=3)) == red
    assert escalate(now=NOW + dt.timedelta(days=9)) == 0
    assert _count(evaluated, Notification, Notification.kind == "alert.escalated") >= red


def test_inbox_counts_and_marks_only_the_viewers_messages(evaluated):
    manager = as_viewer(evaluated, "pm_kaifeng1")
    other = as_viewer(evaluated, "pm_kaifeng2")
    unread, others = store.unread_count(evaluated, manager), store.unread_count(evaluated, other)
    assert unread > 0
    store.mark_read(evaluated, manager)
    assert store.unread_count(evaluated, manager) == 0 and store.unread_count(evaluated, other) == others
    assert len(store.inbox(evaluated, manager)) == unread


def test_an_unknown_and_a_foreign_alert_get_the_same_words_naming_no_id(evaluated):
    official = as_viewer(evaluated, "official_longting")
    foreign = store.list_alerts(evaluated, as_viewer(evaluated, "official_gulou")).iloc[0]
    for alert_id in (int(foreign["id"]), 999_999):
        for call in (partial(store.alert_history, evaluated, official, alert_id),
                     partial(store.transition, evaluated, official, alert_id, int(foreign["version"]), "acknowledge")):
            with pytest.raises((NotFound, PermissionDenied)) as caught:
                call()
            assert (caught.value.message_zh, str(caught.value)) == (
                "预警不存在或您无权访问", "No such warning, or you may not access it")


def _longting(evaluated):
    official = as_viewer(evaluated, "official_longting")
    return official, _an_alert(evaluated, official, statuses=["open"])


@pytest.mark.parametrize("owner", ["official_gulou", "pm_xiangtan1", "leader", 999_999, 2**31, "7"])
def test_a_rectification_owner_must_be_an_active_handler_who_can_see_the_project(evaluated, owner):
    official, alert = _longting(evaluated)
    owner_id = as_viewer(evaluated, owner).user_id if isinstance(owner, str) and owner[0].isalpha() else owner
    with pytest.raises(ValidationError) as caught:  # an unknown id was an IntegrityError on PostgreSQL
        store.transition(evaluated, official, int(alert["id"]), int(alert["version"]), "rectify", owner_id=owner_id,
                         plan="整改", due_date=dt.date.today() + dt.timedelta(days=7))
    assert caught.value.message_zh == "责任人须为能查看该项目的在职管理员、区县专员或项目经理"
    assert _count(evaluated, AlertEvent, AlertEvent.alert_id == int(alert["id"])) == 1


def test_the_projects_manager_and_the_official_may_own_a_rectification(evaluated):
    for username, owner in (("official_longting", "manager"), ("official_gulou", "official")):
        official = as_viewer(evaluated, username)
        alert = _an_alert(evaluated, official, statuses=["open"])
        owner_id = int(alert["manager_id"]) if owner == "manager" else official.user_id
        store.transition(evaluated, official, int(alert["id"]), int(alert["version"]), "rectify", owner_id=owner_id,
                         plan="整改", due_date=dt.date.today())


@pytest.mark.parametrize(("details", "message"), [
    ({"due_date": "2030-01-01"}, "完成期限须为日期"),
    ({"plan": 42}, "整改措施须为文字"),
    ({"plan": "很" * 5001}, "整改措施不能超过 5000 个字符"),
])
def test_wrong_types_and_sizes_in_a_transition_are_validation_errors(evaluated, details, message):
    official, alert = _longting(evaluated)
    arguments = {"owner_id": official.user_id, "plan": "整改", "due_date": dt.date.today()} | details
    with pytest.raises(ValidationError) as caught:  # the string date was a raw TypeError
        store.transition(evaluated, official, int(alert["id"]), int(alert["version"]), "rectify", **arguments)
    assert caught.value.message_zh == message


@pytest.mark.parametrize("verdict", ["close", "reject"])
def test_whoever_submitted_the_evidence_may_not_verify_it(evaluated, verdict):
    official, alert = _longting(evaluated)
    alert_id = int(alert["id"])
    version = store.transition(evaluated, official, alert_id, int(alert["version"]), "rectify",
                               owner_id=int(alert["manager_id"]), plan="整改", due_date=dt.date.today())
    version = store.transition(evaluated, official, alert_id, version, "resolve", note="官员代为提交佐证")
    with pytest.raises(PermissionDenied) as caught:
        store.transition(evaluated, official, alert_id, version, verdict)
    assert caught.value.message_zh == "不能核验自己负责或提交的整改"
    store.transition(evaluated, as_viewer(evaluated, "admin"), alert_id, version, verdict)  # someone else may


@pytest.mark.parametrize("filter_name", ["region_id", "project_id"])
def test_listing_alerts_by_an_id_no_integer_column_can_hold_is_a_refusal_not_a_database_error(evaluated,
                                                                                              filter_name):
    with pytest.raises(NotFound):  # a psycopg DataError on PostgreSQL
        store.list_alerts(evaluated, as_viewer(evaluated, "leader"), **{filter_name: 2**31})
