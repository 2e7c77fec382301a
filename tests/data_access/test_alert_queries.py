"""Alert reads filtered in SQL: one alert by id (scoped, same refusal either way) and the closed-since filter."""
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import alerts as store
from data_access.errors import NotFound, PermissionDenied, ValidationError
from data_access.models import AuditEntry
from tests.conftest import EVALUATED_AT, as_viewer

NOW = EVALUATED_AT  # when the demo's warnings were evaluated
CLOSED_AT = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def evaluated(evaluated_engine):
    """The demo with its warnings evaluated as of EVALUATION_DAY at NOW (a private copy of a database evaluated
    once per process)."""
    return evaluated_engine


def _close_one(engine) -> int:
    """Close one of Longting's alerts at CLOSED_AT: the official rectifies and submits, the admin verifies."""
    official, admin = as_viewer(engine, "official_longting"), as_viewer(engine, "admin")
    alert = store.list_alerts(engine, official, statuses=["open"]).iloc[0]
    alert_id = int(alert["id"])
    version = store.transition(engine, admin, alert_id, int(alert["version"]), "rectify", owner_id=official.user_id,
                               plan="整改", due_date=dt.date.today() + dt.timedelta(days=7))
    version = store.transition(engine, official, alert_id, version, "resolve", note="已完成")
    store.transition(engine, admin, alert_id, version, "close", now=CLOSED_AT)
    return alert_id


def _denials(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "access.denied")).scalar()


def test_closed_since_keeps_every_live_alert_and_only_the_alerts_closed_since_then(evaluated):
    closed_id = _close_one(evaluated)
    leader = as_viewer(evaluated, "leader")
    everything = store.list_alerts(evaluated, leader)
    live = set(everything.loc[everything["status"] != "closed", "id"])
    assert set(everything.loc[everything["status"] == "closed", "id"]) == {closed_id}

    def ids(**filters):
        return set(store.list_alerts(evaluated, leader, **filters)["id"])

    assert ids(closed_since=CLOSED_AT) == live | {closed_id}
    assert ids(closed_since=CLOSED_AT.astimezone(BEIJING)) == live | {closed_id}  # the same moment
    assert ids(closed_since=CLOSED_AT + dt.timedelta(seconds=1)) == live
    assert ids(closed_since=CLOSED_AT - dt.timedelta(days=30), statuses=["closed"]) == {closed_id}
    assert ids(closed_since=CLOSED_AT + dt.timedelta(seconds=1), statuses=["closed"]) == set()


def test_opened_before_keeps_the_alerts_opened_at_or_before_that_moment(evaluated):
    leader = as_viewer(evaluated, "leader")
    everything = set(store.list_alerts(evaluated, leader)["id"])
    assert len(everything) > 0  # the evaluation opened every alert at NOW
    assert set(store.list_alerts(evaluated, leader, opened_before=NOW)["id"]) == everything
    assert set(store.list_alerts(evaluated, leader, opened_before=NOW.astimezone(BEIJING))["id"]) == everything
    assert store.list_alerts(evaluated, leader, opened_before=NOW - dt.timedelta(seconds=1)).empty


@pytest.mark.parametrize("moment", [dt.datetime(2026, 11, 1), dt.date(2026, 11, 1), "2026-11-01"])
@pytest.mark.parametrize("name", ["closed_since", "opened_before"])
def test_the_time_filters_need_a_moment_with_a_time_zone(evaluated, moment, name):
    with pytest.raises(ValidationError):
        store.list_alerts(evaluated, as_viewer(evaluated, "leader"), **{name: moment})


def test_get_alert_is_the_row_list_alerts_shows_for_it(evaluated):
    official = as_viewer(evaluated, "official_longting")
    listed = store.list_alerts(evaluated, official)
    for position in (0, len(listed) - 1):
        row = listed.iloc[position]
        one = store.get_alert(evaluated, official, int(row["id"]))
        pd.testing.assert_series_equal(one, row, check_names=False)


def test_get_alert_refuses_unknown_and_foreign_alerts_with_the_same_words(evaluated):
    official = as_viewer(evaluated, "official_longting")
    foreign = int(store.list_alerts(evaluated, as_viewer(evaluated, "official_gulou"))["id"].iloc[0])
    denials = _denials(evaluated)
    for alert_id, error in ((foreign, PermissionDenied), (999_999, NotFound), (2**31, NotFound)):
        with pytest.raises(error) as caught:
            store.get_alert(evaluated, official, alert_id)
        assert (caught.value.message_zh, str(caught.value)) == (
            "预警不存在或您无权访问", "No such warning, or you may not access it")
    assert _denials(evaluated) == denials + 1  # only the existing foreign alert is audited
    with pytest.raises(ValidationError):
        store.get_alert(evaluated, official, "7")
