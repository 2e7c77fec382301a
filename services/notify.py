"""E-mail for notifications: immediate messages for what cannot wait, a daily digest for the rest.

Sending happens after the data is committed and never inside a write. A message the server refuses counts an
attempt (given up after :data:`MAX_ATTEMPTS` runs); a server that cannot be reached, times out or drops the
connection ends the run at once, leaving every message pending with no attempt counted, so a run never waits a
timeout per message and an outage of any length loses no mail.
SMTP settings come from the environment: ``PERFDASH_SMTP_HOST``, ``PERFDASH_SMTP_PORT`` (25),
``PERFDASH_SMTP_SECURITY`` (``none`` | ``starttls`` | ``ssl``), ``PERFDASH_SMTP_USER``,
``PERFDASH_SMTP_PASSWORD``, ``PERFDASH_SMTP_FROM``. Without a host, only the in-app inbox is used.
"""
from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

import pandas as pd
from sqlalchemy import Engine

from components.i18n import name_suffix
from data_access.alerts import pending_emails, record_email_result
from data_access.policy import SYSTEM  # the mailer reads everyone's unsent messages
from data_access.tasks import REMINDER_KINDS

log = logging.getLogger(__name__)
IMMEDIATE_KINDS = ("alert.escalated", "alert.reopened", "alert.resolved", *REMINDER_KINDS)  # a deadline cannot wait
MAX_ATTEMPTS = 3
MAX_HEADER_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    security: str = "none"
    user: str | None = None
    password: str | None = None
    sender: str = "perfdash@localhost"
    timeout: float = 10.0

    @classmethod
    def from_environment(cls) -> SmtpSettings | None:
        host = os.environ.get("PERFDASH_SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(host=host, port=int(os.environ.get("PERFDASH_SMTP_PORT", "25")),
                   security=os.environ.get("PERFDASH_SMTP_SECURITY", "none").lower(),
                   user=os.environ.get("PERFDASH_SMTP_USER") or None,
                   password=os.environ.get("PERFDASH_SMTP_PASSWORD") or None,
                   sender=os.environ.get("PERFDASH_SMTP_FROM", "perfdash@localhost"))


def header_value(text: str, limit: int = MAX_HEADER_CHARS) -> str:
    """``text`` fit for one header line: project and rule names are user input, and a CR/LF in a header
    raises (or, in a laxer library, injects headers), so control characters become spaces and the length is bounded."""
    single = " ".join(_CONTROL.sub(" ", str(text)).split())
    return single if len(single) <= limit else single[:limit - 1] + "…"


def send_email(settings: SmtpSettings, to: str, subject: str, body: str, *,
               attachments: Sequence[tuple[str, bytes, str]] = ()) -> None:
    """Send one message; ``attachments`` are (file name, bytes, MIME type such as ``application/pdf``)."""
    message = EmailMessage()
    message["From"], message["To"] = header_value(settings.sender), header_value(to)
    message["Subject"] = header_value(subject)
    message.set_content(body)
    for filename, data, mime_type in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=header_value(filename))
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.send_message(message)


# What a refused message raises; any other OSError (refused or dropped connection, timeout, a failed greeting or
# login) says the server is not usable now.
MESSAGE_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError)


def server_down(error: Exception) -> bool:
    """Whether ``error`` is the mail server's failure rather than this message's."""
    return isinstance(error, OSError) and not isinstance(error, MESSAGE_REFUSALS)


def _localised(row: pd.Series) -> tuple[str, str]:
    english = name_suffix(row["language"]) == "en"
    return (row["subject_en"] if english else row["subject_zh"]), (row["body_en"] if english else row["body_zh"])


def send_immediate(engine: Engine, settings: SmtpSettings | None,
                   kinds: Sequence[str] = IMMEDIATE_KINDS) -> tuple[int, int]:
    """E-mail escalations, reopenings, verification requests and reminders now (or only ``kinds``);
    returns (sent, failed)."""
    if settings is None:
        return 0, 0
    sent = failed = 0
    for _, row in pending_emails(engine, actor=SYSTEM, max_attempts=MAX_ATTEMPTS, kinds=kinds).iterrows():
        subject, body = _localised(row)
        try:
            send_email(settings, row["email"], subject, body)
        except Exception as exc:
            down = server_down(exc)
            log.warning("e-mail %s to %s failed%s: %r", row["id"], row["email"],
                        " (mail server down: the rest wait for the next run)" if down else "", exc)
            record_email_result(engine, SYSTEM, [int(row["id"])], str(exc)[:500], count_attempt=not down)
            failed += 1
            if down:
                break
        else:
            record_email_result(engine, SYSTEM, [int(row["id"])], None)
            sent += 1
    return sent, failed


DIGEST_SUBJECT = {"zh": "perfdash 每日预警摘要（{n} 条）", "en": "perfdash daily digest ({n} messages)"}
DIGEST_INTRO = {"zh": "{name}，您好：以下是过去一天的预警消息。",
                "en": "Hello {name}, here are the past day's warnings."}


def send_digest(engine: Engine, settings: SmtpSettings | None) -> tuple[int, int]:
    """One e-mail per user with everything not e-mailed yet, in the user's language; returns (sent, failed)."""
    if settings is None:
        return 0, 0
    pending = pending_emails(engine, actor=SYSTEM, max_attempts=MAX_ATTEMPTS, exclude_kinds=IMMEDIATE_KINDS)
    sent = failed = 0
    for _, messages in pending.groupby("user_id"):
        first = messages.iloc[0]
        lang = name_suffix(first["language"])
        sections = ["\n".join(_localised(row)) for _, row in messages.iterrows()]
        body = DIGEST_INTRO[lang].format(name=first["display_name"]) + "\n\n" + "\n\n".join(sections)
        ids = messages["id"].astype(int).tolist()
        try:
            send_email(settings, first["email"], DIGEST_SUBJECT[lang].format(n=len(messages)), body)
        except Exception as exc:
            down = server_down(exc)
            log.warning("digest to %s failed%s: %r", first["email"], " (mail server down)" if down else "", exc)
            record_email_result(engine, SYSTEM, ids, str(exc)[:500], count_attempt=not down)
            failed += 1
            if down:
                break
        else:
            record_email_result(engine, SYSTEM, ids, None)
            sent += 1
    return sent, failed
