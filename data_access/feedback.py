"""The feedback box (意见箱): users' messages from any page, admins' answers, tags and closing; and each user's
last seen release of the release notes (更新公告).

Anyone who logs in may send feedback and read their own; only a role allowed ``TRIAGE_FEEDBACK`` (admins)
reads everyone's, answers, tags, closes and reopens. Another user's feedback and an unknown id get the same
refusal. Every write is one transaction with its audit entry; an answer puts one message in the sender's inbox
in the same transaction (its topic numbers the answer, so each answer is told exactly once, e-mailed with the
daily digest where mail is set up).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.auth import remember_for_user
from data_access.db import transaction
from data_access.errors import ValidationError
from data_access.models import FEEDBACK_TAGS, Feedback, Notification, User
from data_access.policy import Action, Viewer, allowed, require
from data_access.scope import checked_id, refusal

MAX_MESSAGE = 2000
MAX_ANSWER = 2000
MAX_RELEASE = 40  # the column's size
ANSWERED_KIND = "feedback.answered"
_PAGE = re.compile(r"[a-z0-9-]{1,60}")


@dataclass(frozen=True)
class Screenshot:
    """A screenshot already stored in the upload folder under ``stored_name`` (its type checked by its bytes)."""

    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str


def _text(value: object, limit: int, *, what_en: str, what_zh: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError(f"Please write {what_en}", message_zh=f"请填写{what_zh}")
    if len(text) > limit:
        raise ValidationError(f"{what_en.capitalize()} is too long ({len(text)} characters); at most {limit}",
                              message_zh=f"{what_zh}过长（{len(text)} 字），最多 {limit} 字")
    return text


def checked_message(message: object) -> str:
    """The feedback's text, stripped; empty or over :data:`MAX_MESSAGE` characters is refused in both languages."""
    return _text(message, MAX_MESSAGE, what_en="what you expected and what happened",
                 what_zh="您期望的结果和实际发生的情况")


def checked_page(page: object) -> str:
    """The url path of the page the feedback was sent from (the app fills it; anything else is refused)."""
    text = str(page or "")
    if not _PAGE.fullmatch(text):
        raise ValidationError(f"Unknown page {text[:60]!r}", message_zh=f"未知页面 {text[:60]!r}")
    return text


def submit_feedback(engine: Engine, viewer: Viewer, *, page: str, message: str,
                    screenshot: Screenshot | None = None) -> int:
    """Record the viewer's feedback with its audit entry in one transaction; its id."""
    require(viewer, Action.SEND_FEEDBACK)
    page, message = checked_page(page), checked_message(message)
    shot = {} if screenshot is None else {
        "screenshot_name": screenshot.stored_name, "screenshot_type": screenshot.content_type,
        "screenshot_bytes": screenshot.size_bytes, "screenshot_sha256": screenshot.sha256}
    # No page shows feedback from a cached read keyed on the data version (the feedback reads follow the audit
    # chain head), so sending it leaves every other user's cache alone.
    with transaction(engine, account_activity=True) as session:
        row = Feedback(user_id=viewer.user_id, created_at=dt.datetime.now(dt.UTC), page=page, message=message,
                       status="open", answers=0, **shot)
        session.add(row)
        session.flush()
        audit.append(session, actor=viewer, action="feedback.create", entity="feedback", entity_id=row.id,
                     after={"page": page, "message": message, "screenshot_sha256": shot.get("screenshot_sha256")})
        return row.id


def _listing() -> Select:
    sender, answerer = aliased(User), aliased(User)
    return (select(Feedback.id, Feedback.created_at, Feedback.user_id, sender.username.label("sender_username"),
                   sender.display_name.label("sender_name"), Feedback.page, Feedback.message, Feedback.status,
                   Feedback.tag, Feedback.answer, Feedback.answered_at,
                   answerer.display_name.label("answered_by_name"),
                   Feedback.screenshot_name.is_not(None).label("has_screenshot"))
            .join(sender, sender.id == Feedback.user_id)
            .outerjoin(answerer, answerer.id == Feedback.answered_by)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc()))


def _frame(engine: Engine, statement: Select) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in ("created_at", "answered_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["has_screenshot"] = frame["has_screenshot"].astype(bool)
    return frame


def list_feedback(engine: Engine, viewer: Viewer, *, status: str | None = None, tag: str | None = None,
                  page: str | None = None) -> pd.DataFrame:
    """Everyone's feedback, newest first, for admins; filters by status, tag and page.

    Columns: id, created_at, user_id, sender_username, sender_name, page, message, status, tag, answer,
    answered_at, answered_by_name, has_screenshot.
    """
    require(viewer, Action.TRIAGE_FEEDBACK)
    statement = _listing()
    if status is not None:
        statement = statement.where(Feedback.status == status)
    if tag is not None:
        statement = statement.where(Feedback.tag == tag)
    if page is not None:
        statement = statement.where(Feedback.page == page)
    return _frame(engine, statement)


def my_feedback(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """The viewer's own feedback with its answers, newest first (the columns of :func:`list_feedback`)."""
    require(viewer, Action.SEND_FEEDBACK)
    return _frame(engine, _listing().where(Feedback.user_id == viewer.user_id))


def _readable(session: Session, viewer: Viewer, feedback_id: object) -> Feedback:
    """The feedback if the viewer is its sender or may triage; otherwise the refusal an unknown id gets."""
    number = checked_id(feedback_id, "feedback")
    row = session.get(Feedback, number)
    if row is None or not (row.user_id == viewer.user_id or allowed(viewer, Action.TRIAGE_FEEDBACK)):
        raise refusal("feedback")
    return row


def feedback_screenshot(engine: Engine, viewer: Viewer, feedback_id: int) -> Screenshot | None:
    """The screenshot of a feedback the viewer sent or may triage (None without one)."""
    require(viewer, Action.SEND_FEEDBACK)
    with Session(engine) as session:
        row = _readable(session, viewer, feedback_id)
        if row.screenshot_name is None:
            return None
        return Screenshot(row.screenshot_name, row.screenshot_type or "", row.screenshot_bytes or 0,
                          row.screenshot_sha256 or "")


def _for_triage(session: Session, viewer: Viewer, feedback_id: object) -> Feedback:
    require(viewer, Action.TRIAGE_FEEDBACK)
    number = checked_id(feedback_id, "feedback")
    row = session.execute(select(Feedback).where(Feedback.id == number).with_for_update()).scalar_one_or_none()
    if row is None:
        raise refusal("feedback")
    return row


def answer_feedback(engine: Engine, viewer: Viewer, feedback_id: int, answer: str) -> None:
    """Answer (or answer again) open or answered feedback; the sender's inbox gets the answer in the same
    transaction. Closed feedback must be reopened first."""
    require(viewer, Action.TRIAGE_FEEDBACK)
    answer = _text(answer, MAX_ANSWER, what_en="an answer", what_zh="回复")
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:  # the sender's unread count is a cached read keyed on the data version
        row = _for_triage(session, viewer, feedback_id)
        if row.status == "closed":
            raise ValidationError("This feedback is closed; reopen it to answer",
                                  message_zh="该意见已关闭，请先重新打开再回复")
        before = {"status": row.status, "answer": row.answer}
        row.status, row.answer, row.answers = "answered", answer, row.answers + 1
        row.answered_by, row.answered_at = viewer.person_id, now
        excerpt = " ".join(row.message.split())[:40]
        session.add(Notification(
            user_id=row.user_id, created_at=now, kind=ANSWERED_KIND, topic=f"{ANSWERED_KIND}/{row.id}/{row.answers}",
            email_attempts=0,
            subject_zh=f"您的意见有了回复：{excerpt}"[:200], subject_en=f"Your feedback was answered: {excerpt}"[:300],
            body_zh=f"您的意见：{row.message}\n回复：{answer}",
            body_en=f"Your feedback: {row.message}\nAnswer: {answer}"))
        audit.append(session, actor=viewer, action="feedback.answer", entity="feedback", entity_id=row.id,
                     before=before, after={"status": "answered", "answer": answer})


def tag_feedback(engine: Engine, viewer: Viewer, feedback_id: int, tag: str | None) -> None:
    """Set or clear the feedback's tag (one of :data:`FEEDBACK_TAGS`)."""
    require(viewer, Action.TRIAGE_FEEDBACK)
    if tag is not None and tag not in FEEDBACK_TAGS:
        raise ValidationError(f"Unknown tag {str(tag)[:30]!r}", message_zh=f"未知标签 {str(tag)[:30]!r}")
    with transaction(engine, account_activity=True) as session:
        row = _for_triage(session, viewer, feedback_id)
        if row.tag == tag:
            return
        audit.append(session, actor=viewer, action="feedback.tag", entity="feedback", entity_id=row.id,
                     before={"tag": row.tag}, after={"tag": tag})
        row.tag = tag


def set_closed(engine: Engine, viewer: Viewer, feedback_id: int, *, closed: bool) -> str:
    """Close the feedback, or reopen it (answered again if it has an answer, else open); its new status."""
    require(viewer, Action.TRIAGE_FEEDBACK)
    with transaction(engine, account_activity=True) as session:
        row = _for_triage(session, viewer, feedback_id)
        if (row.status == "closed") == closed:
            raise ValidationError("This feedback is already closed" if closed else "This feedback is not closed",
                                  message_zh="该意见已关闭" if closed else "该意见未关闭")
        status = "closed" if closed else ("answered" if row.answers else "open")
        audit.append(session, actor=viewer, action="feedback.close" if closed else "feedback.reopen",
                     entity="feedback", entity_id=row.id, before={"status": row.status}, after={"status": status})
        row.status = status
        return status


def feedback_pages(engine: Engine, viewer: Viewer) -> list[str]:
    """The pages feedback was sent from (for the admin's filter), alphabetically."""
    require(viewer, Action.TRIAGE_FEEDBACK)
    with engine.connect() as connection:
        return list(connection.execute(select(Feedback.page).distinct().order_by(Feedback.page)).scalars())


def seen_release(engine: Engine, viewer: Viewer) -> str | None:
    """The newest release the viewer has opened the release notes on (None: never)."""
    with Session(engine) as session:
        return session.execute(select(User.seen_release).where(User.id == viewer.user_id)).scalar_one_or_none()


def mark_release_seen(engine: Engine, viewer: Viewer, release: str) -> None:
    """Remember that the viewer has seen the release notes up to ``release`` (audited like the language)."""
    remember_for_user(engine, viewer, "seen_release", str(release)[:MAX_RELEASE], action="user.seen_release")
