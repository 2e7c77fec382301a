"""Kept reports and subscriptions: scope on every list, read and write; the build audited."""
import datetime as dt

import pytest
from sqlalchemy import select

from data_access import report_builds as store
from data_access.errors import NotFound, PermissionDenied, ValidationError
from data_access.models import AuditEntry, ReportSubscription
from data_access.policy import SYSTEM
from tests.conftest import as_viewer

BUILT_AT = dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC)


def _build(region_id, *, title="报告", pdf=b"%PDF-1.7 fake", kind="monthly", category=None):
    return store.NewBuild(kind=kind, period_label="2026-10", period_start=dt.date(2026, 10, 1),
                          period_end=dt.date(2026, 10, 31), region_id=region_id, language="zh", title=title,
                          pdf=pdf, pdf_sha256="a" * 64, xlsx=b"PK fake", xlsx_sha256="b" * 64,
                          content_digest="c" * 64, scheme_id=None, data_version=7, software_version="0.1.0",
                          audit_entry_id=None, audit_entry_hash=None, built_at=BUILT_AT, category=category)


@pytest.fixture
def builds(seeded_engine):
    """A city-wide build, one of 龙亭区 and one of 鼓楼区, built by the analyst."""
    analyst = as_viewer(seeded_engine, "analyst")
    longting = store.find_region(seeded_engine, analyst, "龙亭区")
    gulou = store.find_region(seeded_engine, analyst, "410204")
    ids = {"city": store.save_build(seeded_engine, analyst, _build(None, title="全市月报")),
           "longting": store.save_build(seeded_engine, analyst, _build(longting, title="龙亭区月报", pdf=b"LT")),
           "gulou": store.save_build(seeded_engine, analyst, _build(gulou, title="鼓楼区月报", pdf=b"GL"))}
    return seeded_engine, ids, {"longting": longting, "gulou": gulou}


def test_an_official_lists_and_downloads_only_their_districts_builds(builds):
    engine, ids, _ = builds
    official = as_viewer(engine, "official_longting")
    assert store.list_builds(engine, official)["id"].tolist() == [ids["longting"]]
    assert store.build_file(engine, official, ids["longting"], "pdf") == b"LT"
    missing = max(ids.values()) + 100
    with pytest.raises(NotFound) as not_there:
        store.build_file(engine, official, missing, "pdf")
    for other in ("city", "gulou"):
        with pytest.raises(NotFound) as refused:
            store.build_file(engine, official, ids[other], "xlsx")
        assert (str(refused.value), refused.value.message_zh) == (str(not_there.value), not_there.value.message_zh)
        with pytest.raises(NotFound):
            store.build_details(engine, official, ids[other])
    assert store.build_details(engine, official, ids["longting"])["region_zh"] == "龙亭区"


def test_whoever_sees_everything_lists_every_build_newest_first_with_who_built_it(builds):
    engine, ids, _ = builds
    listed = store.list_builds(engine, as_viewer(engine, "leader"))
    assert listed["id"].tolist() == [ids["gulou"], ids["longting"], ids["city"]]
    assert listed["built_by"].unique().tolist() == ["李娜（绩效分析）"]
    assert listed.loc[listed["id"] == ids["city"], "region_zh"].isna().all()
    assert store.build_file(engine, as_viewer(engine, "auditor"), ids["city"], "pdf") == b"%PDF-1.7 fake"


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_a_build_is_audited_with_its_hashes(builds):
    engine, ids, regions = builds
    with engine.connect() as connection:
        entry = connection.execute(select(AuditEntry).where(AuditEntry.action == "report.build",
                                                            AuditEntry.entity_id == str(ids["longting"]))).one()
    assert entry.actor_name == "analyst" and entry.entity == "report_build"
    assert '"pdf_sha256":"' + "a" * 64 in entry.after and f'"region_id":{regions["longting"]}' in entry.after


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_an_official_may_keep_only_their_own_districts_reports(builds):
    engine, _, regions = builds
    official = as_viewer(engine, "official_longting")
    for region_id in (None, regions["gulou"]):
        with pytest.raises(store.ReportRefused) as refused:
            store.save_build(engine, official, _build(region_id))
        assert refused.value.message_zh == "您只能生成本辖区的报告"
    assert store.save_build(engine, official, _build(regions["longting"]))
    with pytest.raises(store.ReportRefused):
        store.find_region(engine, official, "鼓楼区")
    with pytest.raises(NotFound) as unknown:
        store.find_region(engine, official, "火星区")
    assert unknown.value.message_zh == "没有名为“火星区”的区域"


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_a_project_manager_may_not_see_the_report_centre(builds):
    engine, ids, _ = builds
    manager = as_viewer(engine, "pm_kaifeng1")
    with pytest.raises(PermissionDenied):
        store.list_builds(engine, manager)
    with pytest.raises(PermissionDenied):
        store.build_file(engine, manager, ids["longting"], "pdf")


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_an_unknown_category_is_refused_and_nothing_kept(builds):
    engine, ids, _ = builds
    analyst = as_viewer(engine, "analyst")
    with pytest.raises(ValidationError):
        store.save_build(engine, analyst, _build(None, category="no-such-category"))
    assert len(store.list_builds(engine, analyst)) == len(ids)


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_subscriptions_are_for_the_viewers_own_scope_and_only_their_own_can_be_ended(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    leader = as_viewer(seeded_engine, "leader")
    demo_monthly = store.my_subscriptions(seeded_engine, official)["id"].tolist()  # the demo's: 龙亭区 monthly
    assert store.subscribe(seeded_engine, official, "monthly", "zh") == demo_monthly[0]  # again: the same one
    mine = store.subscribe(seeded_engine, official, "weekly", "en")
    assert store.subscribe(seeded_engine, official, "weekly", "zh") == mine  # again: the same one, new language
    theirs = store.subscribe(seeded_engine, leader, "quarterly", "zh")
    with seeded_engine.connect() as connection:
        row = connection.execute(select(ReportSubscription).where(ReportSubscription.id == mine)).one()
    assert (row.region_id, row.language, row.active) == (official.region_id, "zh", True)
    assert store.my_subscriptions(seeded_engine, official)["id"].tolist() == [*demo_monthly, mine]
    with pytest.raises(NotFound):
        store.unsubscribe(seeded_engine, official, theirs)
    store.unsubscribe(seeded_engine, official, mine)
    assert store.my_subscriptions(seeded_engine, official)["id"].tolist() == demo_monthly
    assert theirs in store.my_subscriptions(seeded_engine, leader)["id"].tolist()
    with pytest.raises(ValidationError):
        store.subscribe(seeded_engine, leader, "daily", "zh")
    with seeded_engine.connect() as connection:
        actions = connection.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "report_subscription").order_by(AuditEntry.id)).scalars().all()
    assert actions == ["report.subscribe"] * 4 + ["report.unsubscribe"]


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_due_deliveries_skip_what_was_delivered_and_what_used_up_its_attempts(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    due = store.due_deliveries(seeded_engine, SYSTEM, {"monthly": "2026-10", "weekly": "2026-W44"})
    assert [(d.username, d.region_id, d.build_id, d.attempts) for d in due] == [  # the demo's two subscriptions
        ("leader", None, None, 0), ("official_longting", official.region_id, None, 0)]
    theirs = due[1]
    for attempt in range(1, store.MAX_ATTEMPTS):
        store.record_attempt(seeded_engine, SYSTEM, theirs, "server down")
        assert store.due_deliveries(seeded_engine, SYSTEM, {"monthly": "2026-10"})[1].attempts == attempt
    store.record_attempt(seeded_engine, SYSTEM, theirs, "server down")
    assert [d.username for d in store.due_deliveries(seeded_engine, SYSTEM, {"monthly": "2026-10"})] == ["leader"]
    store.record_attempt(seeded_engine, SYSTEM, due[0], None)  # e-mailed
    assert store.due_deliveries(seeded_engine, SYSTEM, {"monthly": "2026-10"}) == []
    next_month = store.due_deliveries(seeded_engine, SYSTEM, {"monthly": "2026-11"})
    store.deliver_to_inbox(seeded_engine, SYSTEM, next_month[1], 17, subject=("主题", "Subject"),
                           body=("正文", "Body"))
    assert [d.username for d in store.due_deliveries(seeded_engine, SYSTEM, {"monthly": "2026-11"})] == ["leader"]
    with pytest.raises(PermissionDenied):
        store.due_deliveries(seeded_engine, official, {"monthly": "2026-10"})
