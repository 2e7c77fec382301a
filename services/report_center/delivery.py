"""Subscribed reports delivered when their period closes: built once per subscription and period with the
subscriber's scope and language, e-mailed with the PDF attached (or put in the in-app inbox without a mail
server), retried on the next run like the alert e-mails. Safe to run hourly: a delivered period is skipped. A mail
server that cannot be reached ends the run without counting an attempt (the reports built so far are kept and
sent by the next run), so an outage never uses up a subscription's attempts.

``PERFDASH_PUBLIC_URL`` (e.g. ``https://perfdash.example.gov.cn``) makes the link in the message absolute.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from components.i18n import stored_text, translate
from data_access import report_builds
from data_access.models import REPORT_KINDS
from data_access.policy import SYSTEM  # the scheduler reads every subscription; each build has its user's scope
from data_access.scope import viewer_for
from scoring.report_periods import last_closed
from services.notify import SmtpSettings, send_email, server_down
from services.report_center.blocks import Language, ReportRequest
from services.report_center.build import build_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverySummary:
    """What one run did: reports built, e-mailed, put in the inbox, and attempts that failed."""

    built: int = 0
    emailed: int = 0
    in_inbox: int = 0
    failed: int = 0


def report_link(build_id: int) -> str:
    """Where a kept report opens: ``/report-center?build=<id>``, under ``PERFDASH_PUBLIC_URL`` when it is set."""
    base = os.environ.get("PERFDASH_PUBLIC_URL", "").strip().rstrip("/")
    return f"{base}/report-center?build={build_id}"


def message(kind: str, scope: tuple[str, str], period: str, title: str, build_id: int,
            lang: str) -> tuple[str, str]:
    """The subject and body of a delivered report in ``lang``: 【绩效月报】龙亭区 2026-10."""
    scope_name = stored_text(lang, *scope)
    kind_name = translate(f"report_center.kind.{kind}", lang)
    subject = translate("report_center.mail_subject", lang, kind=kind_name, scope=scope_name, period=period)
    body = translate("report_center.mail_body", lang, title=title, link=report_link(build_id))
    return subject, body


def deliver(engine: Engine, settings: SmtpSettings | None, *, as_of: dt.date) -> DeliverySummary:
    """Deliver every subscription's last closed period as of ``as_of``; one failure never stops the others."""
    period_of = {kind: last_closed(kind, as_of).label for kind in REPORT_KINDS}
    built = emailed = in_inbox = failed = 0
    for due in report_builds.due_deliveries(engine, SYSTEM, period_of):
        sending = False
        try:
            with Session(engine) as session:
                subscriber = viewer_for(session, due.username)
            if due.build_id is None:
                request = ReportRequest(due.kind, due.period_label, region_id=due.region_id,
                                        language=cast(Language, due.language))  # the table's check holds it
                build_id = build_report(engine, subscriber, request, subscription_id=due.subscription_id).id
                built += 1
            else:
                build_id = due.build_id
            details = report_builds.build_details(engine, subscriber, build_id)
            scope = (str(details["region_zh"] or translate("report_center.scope_all", "zh")),
                     str(details["region_en"] or translate("report_center.scope_all", "en")))
            texts = {lang: message(due.kind, scope, due.period_label, str(details["title"]), build_id, lang)
                     for lang in {"zh", "en", due.language}}
            if settings is None or not due.email:
                report_builds.deliver_to_inbox(engine, SYSTEM, due, build_id,
                                               subject=(texts["zh"][0], texts["en"][0]),
                                               body=(texts["zh"][1], texts["en"][1]))
                in_inbox += 1
                continue
            pdf = report_builds.build_file(engine, subscriber, build_id, "pdf")
            subject, body = texts[due.language]
            filename = f"{due.kind}-{due.period_label}-{build_id}.pdf"
            sending = True
            send_email(settings, due.email, subject, body, attachments=[(filename, pdf, "application/pdf")])
        except Exception as error:  # one subscription's failure is recorded; the others are still delivered
            down = sending and server_down(error)
            log.warning("report for subscription %s (%s) failed (%s): %r", due.subscription_id, due.period_label,
                        "mail server down: the rest wait for the next run" if down else f"attempt {due.attempts + 1}",
                        error)
            report_builds.record_attempt(engine, SYSTEM, due, str(error) or type(error).__name__,
                                         count_attempt=not down)
            failed += 1
            if down:
                break
        else:
            report_builds.record_attempt(engine, SYSTEM, due, None)
            emailed += 1
    return DeliverySummary(built, emailed, in_inbox, failed)
