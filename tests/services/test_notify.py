"""E-mail through a real SMTP server on loopback (aiosmtpd), in each recipient's language."""
import datetime as dt
import smtplib

import pytest
from sqlalchemy import select, update

from data_access import alerts as store
from data_access.auth import set_language
from data_access.models import AlertRule, Notification, Project
from data_access.policy import SYSTEM
from devtools.pg_cluster import _free_port
from services import notify
from services.alerts import evaluate
from tests.conftest import EVALUATION_DAY, as_viewer


@pytest.fixture
def escalated(seeded_engine):
    evaluate(seeded_engine, as_of=EVALUATION_DAY, now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    store.escalate_unacknowledged(seeded_engine, actor=SYSTEM, after_days=3,
                                  now=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    return seeded_engine


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_escalations_are_mailed_at_once_in_each_users_language(escalated, smtp_server):
    settings, inbox = smtp_server
    with escalated.connect() as connection:
        recipients = connection.execute(select(Notification.user_id).where(
            Notification.kind == "alert.escalated")).scalars().all()
    english_user = as_viewer(escalated, "official_gulou")
    set_language(escalated, english_user, "en")
    sent, failed = notify.send_immediate(escalated, settings)
    assert failed == 0 and sent == len(recipients) == len(inbox.messages) > 0
    by_address = {m["To"]: m for m in inbox.messages}
    chinese = next(m for address, m in by_address.items() if not address.startswith("official_gulou"))
    assert chinese["Subject"].startswith("【红色预警】")
    assert "红色预警超过期限未确认" in chinese.get_content()
    if "official_gulou@perfdash.example" in by_address:
        english = by_address["official_gulou@perfdash.example"]
        assert english["Subject"].startswith("[Red warning]")
        assert "escalated to you" in english.get_content()
    assert notify.send_immediate(escalated, settings) == (0, 0)  # nothing is sent twice


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_an_unreachable_mail_server_ends_the_run_at_once_and_costs_no_message_an_attempt(escalated, smtp_server):
    down = notify.SmtpSettings(host="127.0.0.1", port=_free_port(), timeout=2)
    pending = len(store.pending_emails(escalated, actor=SYSTEM, max_attempts=notify.MAX_ATTEMPTS,
                                       kinds=notify.IMMEDIATE_KINDS))
    assert pending > 1
    for _ in range(notify.MAX_ATTEMPTS + 2):  # an outage longer than the attempts a refused message gets
        assert notify.send_immediate(escalated, down) == (0, 1)  # the first message tells the server is down
        assert notify.send_digest(escalated, down) == (0, 1)
    with escalated.connect() as connection:
        rows = connection.execute(select(Notification.email_error, Notification.email_attempts).where(
            Notification.kind == "alert.escalated")).all()
    assert {attempts for _, attempts in rows} == {0} and any(error for error, _ in rows)
    settings, inbox = smtp_server  # the server is back: nothing was lost
    assert notify.send_immediate(escalated, settings) == (pending, 0)
    assert len(inbox.messages) == pending


def test_a_refused_message_is_its_own_failure_and_anything_else_on_the_socket_is_the_servers():
    assert not notify.server_down(smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")}))
    assert not notify.server_down(smtplib.SMTPDataError(552, b"too big"))
    assert not notify.server_down(ValueError("a message that cannot be built"))
    for error in (ConnectionRefusedError(), TimeoutError(), smtplib.SMTPServerDisconnected("gone"),
                  smtplib.SMTPConnectError(421, b"busy"), smtplib.SMTPAuthenticationError(535, b"bad login")):
        assert notify.server_down(error), error


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_the_daily_digest_gathers_the_rest_once_per_user(escalated, smtp_server):
    settings, inbox = smtp_server
    with escalated.begin() as connection:
        connection.execute(update(Notification).where(Notification.kind.in_(notify.IMMEDIATE_KINDS))
                           .values(emailed_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC)))
        per_user = connection.execute(select(Notification.user_id).where(
            Notification.kind == "alert.opened").distinct()).scalars().all()
    sent, failed = notify.send_digest(escalated, settings)
    assert (sent, failed) == (len(per_user), 0) and len(inbox.messages) == len(per_user)
    assert all(m["Subject"].startswith("perfdash 每日预警摘要") for m in inbox.messages)
    assert notify.send_digest(escalated, settings) == (0, 0)


INJECTED = "\r\nBcc: spy@elsewhere.invalid\n\x07"


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_cr_lf_in_project_and_rule_names_is_stripped_from_the_subject_and_every_message_is_sent(
        seeded_engine, smtp_server):
    settings, inbox = smtp_server
    with seeded_engine.begin() as connection:
        connection.execute(update(Project).values(name_zh=Project.name_zh + INJECTED,
                                                  name_en=Project.name_en + INJECTED))
        connection.execute(update(AlertRule).values(name_zh=AlertRule.name_zh + INJECTED + "x" * 2000))
    evaluate(seeded_engine, as_of=EVALUATION_DAY, now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    store.escalate_unacknowledged(seeded_engine, actor=SYSTEM, after_days=3,
                                  now=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    pending = len(store.pending_emails(seeded_engine, actor=SYSTEM, max_attempts=notify.MAX_ATTEMPTS,
                                       kinds=notify.IMMEDIATE_KINDS))
    assert pending > 1
    assert notify.send_immediate(seeded_engine, settings) == (pending, 0)
    assert len(inbox.messages) == pending
    for message in inbox.messages:
        subject = message["Subject"]
        assert "\r" not in subject and "\n" not in subject and "\x07" not in subject
        assert "Bcc: spy@elsewhere.invalid" in subject  # kept as harmless text on one line
        assert len(subject) <= notify.MAX_HEADER_CHARS
        assert message["Bcc"] is None and "spy@elsewhere.invalid" not in message["X-RcptTo"]


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_one_message_that_cannot_be_built_is_recorded_as_failed_and_the_rest_are_still_sent(
        escalated, smtp_server, monkeypatch):
    settings, inbox = smtp_server
    pending = store.pending_emails(escalated, actor=SYSTEM, max_attempts=notify.MAX_ATTEMPTS,
                                   kinds=notify.IMMEDIATE_KINDS)
    assert len(pending) > 1
    bad_id = int(pending["id"].iloc[0])
    real_send = notify.send_email

    def send_failing_the_first(settings, to, subject, body):
        if to == pending["email"].iloc[0] and subject == notify._localised(pending.iloc[0])[0]:
            raise ValueError("something nobody foresaw")
        real_send(settings, to, subject, body)

    monkeypatch.setattr(notify, "send_email", send_failing_the_first)
    assert notify.send_immediate(escalated, settings) == (len(pending) - 1, 1)
    assert len(inbox.messages) == len(pending) - 1
    with escalated.connect() as connection:
        error, attempts, emailed = connection.execute(select(
            Notification.email_error, Notification.email_attempts, Notification.emailed_at)
            .where(Notification.id == bad_id)).one()
    assert (attempts, emailed) == (1, None) and "something nobody foresaw" in error
    monkeypatch.setattr(notify, "send_email", real_send)
    assert notify.send_immediate(escalated, settings) == (1, 0)  # retried on the next run
