"""Subscribed reports through a real SMTP server on loopback (aiosmtpd): the PDF attached, each period once,
failures recorded and retried, each subscriber's own scope; the inbox without a mail server."""
from __future__ import annotations

import datetime as dt
import smtplib
import subprocess

import pytest
from sqlalchemy import select

from data_access import report_builds
from data_access.models import Notification, Region, ReportBuild, ReportDelivery, ReportSubscription, User
from devtools.pg_cluster import _free_port
from services import notify
from services.report_center import delivery
from services.report_center.delivery import DeliverySummary, deliver
from tests.conftest import as_viewer

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"])
AS_OF = dt.date(2026, 11, 3)  # October has closed: the monthly subscriptions deliver 2026-10


@pytest.fixture
def longting_only(seeded_engine):
    """The demo's subscriptions with the leader's (over everything) ended: only 龙亭区's official's is active."""
    with seeded_engine.connect() as connection:
        leaders = connection.execute(select(ReportSubscription.id).join(User, User.id == ReportSubscription.user_id)
                                     .where(User.username == "leader")).scalars().all()
    leader = as_viewer(seeded_engine, "leader")
    for subscription_id in leaders:
        report_builds.unsubscribe(seeded_engine, leader, subscription_id)
    return seeded_engine


def _deliveries(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(select(ReportDelivery).order_by(ReportDelivery.id)).all()


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "attached.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_officials_report_is_mailed_once_with_their_districts_pdf_attached(longting_only, smtp_server,
                                                                               tmp_path):
    settings, inbox = smtp_server
    assert deliver(longting_only, settings, as_of=AS_OF) == DeliverySummary(built=1, emailed=1)
    [message] = inbox.messages
    assert message["To"] == "official_longting@perfdash.example"
    assert message["Subject"] == "【绩效月报】龙亭区 2026-10"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert "龙亭区" in _pdf_text(attachment.get_content(), tmp_path)
    with longting_only.connect() as connection:
        build = connection.execute(select(ReportBuild.region_id, ReportBuild.built_by, ReportBuild.period_label,
                                          ReportBuild.id)).one()
        longting = connection.execute(select(Region.id).where(Region.name_zh == "龙亭区")).scalar_one()
    assert (build.region_id, build.built_by, build.period_label) == (longting, None, "2026-10")
    assert f"/report-center?build={build.id}" in message.get_body().get_content()
    [row] = _deliveries(longting_only)
    assert (row.build_id, row.attempts, row.error) == (build.id, 1, None) and row.emailed_at is not None
    assert deliver(longting_only, settings, as_of=AS_OF) == DeliverySummary()  # a second run sends nothing
    assert len(inbox.messages) == 1


def test_a_mail_server_down_on_many_runs_uses_no_attempt_and_the_next_run_sends_the_same_build(longting_only,
                                                                                              smtp_server):
    down = notify.SmtpSettings(host="127.0.0.1", port=_free_port(), timeout=2)
    assert deliver(longting_only, down, as_of=AS_OF) == DeliverySummary(built=1, failed=1)
    for _ in range(report_builds.MAX_ATTEMPTS + 1):  # more outage runs than a subscription has attempts
        assert deliver(longting_only, down, as_of=AS_OF) == DeliverySummary(failed=1)  # the build is kept
    [row] = _deliveries(longting_only)
    assert row.attempts == 0 and "Connection refused" in row.error and row.emailed_at is None
    assert row.build_id is not None
    settings, inbox = smtp_server
    assert deliver(longting_only, settings, as_of=AS_OF) == DeliverySummary(emailed=1)  # not built again
    [again] = _deliveries(longting_only)
    assert (again.build_id, again.attempts, again.error) == (row.build_id, 1, None)
    assert len(inbox.messages) == 1


def test_a_mail_server_down_ends_the_run_at_the_first_report_and_the_others_wait(seeded_engine, smtp_server):
    down = notify.SmtpSettings(host="127.0.0.1", port=_free_port(), timeout=2)
    assert deliver(seeded_engine, down, as_of=AS_OF) == DeliverySummary(built=1, failed=1)  # one tried, not two
    settings, inbox = smtp_server
    assert deliver(seeded_engine, settings, as_of=AS_OF) == DeliverySummary(built=1, emailed=2)
    assert sorted(m["To"] for m in inbox.messages) == ["leader@perfdash.example",
                                                       "official_longting@perfdash.example"]
    assert [row.attempts for row in _deliveries(seeded_engine)] == [1, 1]


def test_a_report_the_server_refuses_stops_after_three_attempts(longting_only, smtp_server, monkeypatch):
    def refused(*_args, **_kwargs):
        raise smtplib.SMTPDataError(552, b"message size exceeds fixed maximum message size")

    monkeypatch.setattr(delivery, "send_email", refused)
    settings, _inbox = smtp_server
    for _ in range(report_builds.MAX_ATTEMPTS):
        assert deliver(longting_only, settings, as_of=AS_OF).failed == 1
    assert deliver(longting_only, settings, as_of=AS_OF) == DeliverySummary()
    [row] = _deliveries(longting_only)
    assert row.attempts == report_builds.MAX_ATTEMPTS and "552" in row.error


def test_one_subscription_failing_does_not_stop_the_others(seeded_engine, smtp_server, monkeypatch):
    settings, inbox = smtp_server
    real_build = delivery.build_report

    def failing_for_everything(engine, viewer, request, **kwargs):
        if request.region_id is None:  # the leader's report over every region
            raise RuntimeError("kaleido crashed")
        return real_build(engine, viewer, request, **kwargs)

    monkeypatch.setattr(delivery, "build_report", failing_for_everything)
    assert deliver(seeded_engine, settings, as_of=AS_OF) == DeliverySummary(built=1, emailed=1, failed=1)
    assert [m["To"] for m in inbox.messages] == ["official_longting@perfdash.example"]
    failed = [row for row in _deliveries(seeded_engine) if row.build_id is None]
    assert len(failed) == 1 and failed[0].error == "kaleido crashed" and failed[0].attempts == 1


def test_without_a_mail_server_the_report_goes_to_the_inbox_with_its_link_once(longting_only):
    assert deliver(longting_only, None, as_of=AS_OF) == DeliverySummary(built=1, in_inbox=1)
    assert deliver(longting_only, None, as_of=AS_OF) == DeliverySummary()
    official = as_viewer(longting_only, "official_longting")
    with longting_only.connect() as connection:
        [message] = connection.execute(select(Notification).where(Notification.kind == "report.delivered")).all()
        build_id = connection.execute(select(ReportBuild.id)).scalar_one()
    assert message.user_id == official.user_id and message.subject_zh == "【绩效月报】龙亭区 2026-10"
    assert message.subject_en == "[Monthly performance report] Longting District 2026-10"
    assert f"/report-center?build={build_id}" in message.body_zh
    assert report_builds.build_of_topic(message.topic) == build_id


def test_a_subscription_in_english_gets_the_english_report_and_subject(longting_only, smtp_server, tmp_path):
    official = as_viewer(longting_only, "official_longting")
    report_builds.subscribe(longting_only, official, "monthly", "en")  # the demo's subscription, now in English
    settings, inbox = smtp_server
    assert deliver(longting_only, settings, as_of=AS_OF) == DeliverySummary(built=1, emailed=1)
    [message] = inbox.messages
    assert message["Subject"] == "[Monthly performance report] Longting District 2026-10"
    assert "The report you subscribed to is ready" in message.get_body().get_content()
    [attachment] = list(message.iter_attachments())
    assert "Longting District" in _pdf_text(attachment.get_content(), tmp_path)
    with longting_only.connect() as connection:
        assert connection.execute(select(ReportBuild.language)).scalar_one() == "en"
