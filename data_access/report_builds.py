"""Kept reports (报告中心), subscriptions and their deliveries: every row read and written with scope applied.

A build belongs to a region (None: every region, a city-wide report). Whoever sees everything sees every
build; anyone else (a district official) sees only the builds of their region's subtree — a city-wide build
and another district's are both "no such report", the same words for an id that does not exist. A
subscription is always for its user's own scope; the scheduler (the system actor) finds the ones due and
records each period's build, e-mail attempts and error.

Keeping a build, subscribing and counting attempts change no number a report states, so they leave the data
version alone (``transaction(account_activity=True)``): two builds of the same data state the same digest,
however many were kept in between. They are audited, and the page's reads of them follow the audit chain head.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from sqlalchemy import Engine, and_, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, PermissionDenied, ValidationError
from data_access.models import (
    REPORT_KINDS,
    REPORT_LANGUAGES,
    Category,
    Department,
    Notification,
    Region,
    ReportBuild,
    ReportDelivery,
    ReportSubscription,
    User,
)
from data_access.policy import SYSTEM, Action, Viewer, require
from data_access.scope import as_id, region_subtree_clause

MAX_ATTEMPTS = 3  # like the alert e-mails: a failing build or mail server is tried on three runs
REPORT_NOTIFICATION = "report.delivered"
NO_SUCH_BUILD = ("No such report, or you may not access it", "报告不存在或您无权访问")
NO_SUCH_SUBSCRIPTION = ("No such subscription", "订阅不存在")
_TOPIC = re.compile(r"report/[0-9]+/[0-9A-Z-]+/([0-9]{1,10})")


class ReportRefused(PermissionDenied):
    """A report for a region outside the viewer's scope (an official builds only their own district's)."""


@dataclass(frozen=True)
class NewBuild:
    """A built report's bytes and what makes it checkable, as :func:`save_build` keeps it."""

    kind: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    region_id: int | None
    language: str
    title: str
    pdf: bytes
    pdf_sha256: str
    xlsx: bytes
    xlsx_sha256: str
    content_digest: str
    scheme_id: int | None
    data_version: int
    software_version: str
    audit_entry_id: int | None
    audit_entry_hash: str | None
    built_at: dt.datetime
    category: str | None = None  # a category's code
    department_id: int | None = None


def _no_such_build() -> NotFound:
    return NotFound(NO_SUCH_BUILD[0], message_zh=NO_SUCH_BUILD[1])


def build_scope_clause(viewer: Viewer) -> object:
    """WHERE over ``ReportBuild`` joined (outer) to its ``Region``: the builds the viewer may see."""
    if viewer.sees_everything:
        return true()
    if viewer.region_path is None:
        return false()
    return and_(ReportBuild.region_id.is_not(None), region_subtree_clause(viewer, Region.path))


def check_region(session: Session, viewer: Viewer, region_id: int | None) -> None:
    """Refuse a report over ``region_id`` (None: everything, only for whoever sees everything) that the viewer
    may not build: an unknown region is :class:`NotFound`, one outside the viewer's scope :class:`ReportRefused`.
    """
    if region_id is not None:
        region = session.get(Region, as_id(region_id) or 0)
        if region is None:
            raise NotFound("No such region", message_zh="区域不存在")
        if viewer.sees_everything or (viewer.region_path and region.path.startswith(viewer.region_path)):
            return
    elif viewer.sees_everything:
        return
    raise ReportRefused("You may build reports only for your own district", message_zh="您只能生成本辖区的报告")


def check_scope(engine: Engine, viewer: Viewer, region_id: int | None) -> None:
    """Refuse a report over ``region_id`` that the viewer may not build (see :func:`check_region`)."""
    require(viewer, Action.BUILD_REPORTS)
    with Session(engine) as session:
        check_region(session, viewer, region_id)


def find_region(engine: Engine, viewer: Viewer, name_or_code: str) -> int:
    """The id of the region named (Chinese or English name, or division code) ``name_or_code`` that the viewer
    may report on; :class:`NotFound` for no such region, :class:`ReportRefused` for one outside their scope."""
    text = name_or_code.strip()
    with Session(engine) as session:
        found = session.execute(select(Region.id).where(or_(Region.code == text, Region.name_zh == text,
                                                             Region.name_en == text)).order_by(Region.id)).scalar()
        if found is None:
            raise NotFound(f"No region named {text[:40]!r}", message_zh=f"没有名为“{text[:40]}”的区域")
        check_region(session, viewer, found)
    return found


def save_build(engine: Engine, viewer: Viewer, build: NewBuild, *, subscription_id: int | None = None) -> int:
    """Keep a built report (audited ``report.build``); returns its id.

    ``subscription_id``: the scheduler built it for that subscription — the build is the scheduler's (no
    ``built_by``) and the period's delivery row is written in the same transaction, so it is built only once.
    The audit head the report prints is then anchored too: a published report is an anchor of the log, and
    the audit page's check compares the log with it from then on.
    """
    require(viewer, Action.BUILD_REPORTS)
    if build.kind not in REPORT_KINDS or build.language not in REPORT_LANGUAGES:
        raise ValidationError(f"Unknown report kind {build.kind!r} or language {build.language!r}",
                              message_zh="报告类型或语言无效")
    with transaction(engine, account_activity=True) as session:
        check_region(session, viewer, build.region_id)
        category_id = None
        if build.category is not None:
            category_id = session.execute(select(Category.id).where(Category.code == build.category)).scalar()
            if category_id is None:
                raise ValidationError(f"No category {build.category[:30]!r}", message_zh="项目类别不存在")
        fields = {name: getattr(build, name) for name in NewBuild.__dataclass_fields__ if name != "category"}
        row = ReportBuild(**fields, category_id=category_id,
                          built_by=None if subscription_id is not None else viewer.person_id)
        session.add(row)
        session.flush()
        if subscription_id is not None:
            delivery = _delivery(session, subscription_id, build.period_label)
            if delivery is None:
                session.add(ReportDelivery(subscription_id=subscription_id, period_label=build.period_label,
                                           build_id=row.id, created_at=build.built_at, attempts=0))
            else:  # an earlier attempt failed before the build was kept
                delivery.build_id = row.id
        audit.append(session, actor=SYSTEM if subscription_id is not None else viewer, action="report.build",
                     entity="report_build", entity_id=row.id,
                     after={"kind": build.kind, "period": build.period_label, "region_id": build.region_id,
                            "language": build.language, "pdf_sha256": build.pdf_sha256,
                            "xlsx_sha256": build.xlsx_sha256, "content_digest": build.content_digest,
                            "for_user": viewer.username, "subscription_id": subscription_id})
        build_id = row.id
    if build.audit_entry_id is not None and build.audit_entry_hash is not None:
        audit.anchor_published_head(engine, build.audit_entry_id, build.audit_entry_hash)
    return build_id


_BUILT_BY = aliased(User)


def _build_columns() -> tuple:
    return (ReportBuild.id, ReportBuild.kind, ReportBuild.period_label, ReportBuild.period_start,
            ReportBuild.period_end, ReportBuild.region_id, Region.name_zh.label("region_zh"),
            Region.name_en.label("region_en"), Category.name_zh.label("category_zh"),
            Category.name_en.label("category_en"), Department.name_zh.label("department_zh"),
            Department.name_en.label("department_en"), ReportBuild.language, ReportBuild.title,
            ReportBuild.pdf_sha256, ReportBuild.xlsx_sha256, ReportBuild.content_digest, ReportBuild.scheme_id,
            ReportBuild.data_version, ReportBuild.software_version, ReportBuild.audit_entry_id,
            ReportBuild.audit_entry_hash, _BUILT_BY.display_name.label("built_by"), ReportBuild.built_at)


def _scoped_builds(viewer: Viewer, *columns: object):
    return (select(*columns).select_from(ReportBuild)
            .outerjoin(Region, Region.id == ReportBuild.region_id)
            .outerjoin(Category, Category.id == ReportBuild.category_id)
            .outerjoin(Department, Department.id == ReportBuild.department_id)
            .outerjoin(_BUILT_BY, _BUILT_BY.id == ReportBuild.built_by)
            .where(build_scope_clause(viewer)))


def list_builds(engine: Engine, viewer: Viewer, *, limit: int = 200) -> pd.DataFrame:
    """The kept builds the viewer may see, newest first (never their bytes).

    Columns: id, kind, period_label, period_start, period_end, region_id, region_zh, region_en (None:
    city-wide), category_zh/en, department_zh/en, language, title, pdf_sha256, xlsx_sha256, content_digest,
    scheme_id, data_version, software_version, audit_entry_id, audit_entry_hash, built_by (None: the
    scheduler), built_at.
    """
    require(viewer, Action.BUILD_REPORTS)
    statement = _scoped_builds(viewer, *_build_columns()).order_by(ReportBuild.built_at.desc(),
                                                                   ReportBuild.id.desc()).limit(limit)
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def build_details(engine: Engine, viewer: Viewer, build_id: object) -> dict[str, object]:
    """One build's row as :func:`list_builds` gives it; another region's id is :class:`NotFound` like a
    missing one."""
    require(viewer, Action.BUILD_REPORTS)
    number = as_id(build_id)
    if number is None:
        raise _no_such_build()
    with engine.connect() as connection:
        row = connection.execute(_scoped_builds(viewer, *_build_columns()).where(ReportBuild.id == number)).first()
    if row is None:
        raise _no_such_build()
    return dict(row._mapping)


def build_file(engine: Engine, viewer: Viewer, build_id: object, kind: Literal["pdf", "xlsx"]) -> bytes:
    """A kept build's PDF or workbook, scope applied in the statement (another region's id: :class:`NotFound`)."""
    require(viewer, Action.BUILD_REPORTS)
    number = as_id(build_id)
    column = ReportBuild.pdf if kind == "pdf" else ReportBuild.xlsx
    with engine.connect() as connection:
        data = None if number is None else connection.execute(
            _scoped_builds(viewer, column).where(ReportBuild.id == number)).scalar()
    if data is None:
        raise _no_such_build()
    return bytes(data)


# -- subscriptions -----------------------------------------------------------------------------------------

def subscribe(engine: Engine, viewer: Viewer, kind: str, language: str, *, now: dt.datetime | None = None) -> int:
    """Subscribe the viewer to ``kind`` over their own scope in ``language`` (again: reactivates it and takes the
    new language); audited ``report.subscribe``. Returns the subscription's id."""
    require(viewer, Action.BUILD_REPORTS)
    if kind not in REPORT_KINDS or language not in REPORT_LANGUAGES:
        raise ValidationError(f"Unknown report kind {kind!r} or language {language!r}",
                              message_zh="报告类型或语言无效")
    if viewer.person_id is None:
        raise PermissionDenied("The system actor cannot subscribe", message_zh="系统账户不能订阅报告")
    region_match = (ReportSubscription.region_id.is_(None) if viewer.region_id is None
                    else ReportSubscription.region_id == viewer.region_id)
    with transaction(engine, account_activity=True) as session:
        row = session.execute(select(ReportSubscription).where(
            ReportSubscription.user_id == viewer.person_id, ReportSubscription.kind == kind, region_match)
        ).scalar()
        before = None if row is None else {"active": row.active, "language": row.language}
        if row is None:
            row = ReportSubscription(user_id=viewer.person_id, kind=kind, region_id=viewer.region_id,
                                     language=language, active=True,
                                     created_at=now or dt.datetime.now(dt.UTC))
            session.add(row)
        else:
            row.active, row.language = True, language
        session.flush()
        audit.append(session, actor=viewer, action="report.subscribe", entity="report_subscription",
                     entity_id=row.id, before=before,
                     after={"kind": kind, "region_id": viewer.region_id, "language": language, "active": True})
        return row.id


def unsubscribe(engine: Engine, viewer: Viewer, subscription_id: object) -> None:
    """End one of the viewer's own subscriptions (someone else's id: :class:`NotFound`); audited."""
    require(viewer, Action.BUILD_REPORTS)
    number = as_id(subscription_id)
    with transaction(engine, account_activity=True) as session:
        row = None if number is None else session.execute(select(ReportSubscription).where(
            ReportSubscription.id == number, ReportSubscription.user_id == viewer.person_id)).scalar()
        if row is None:
            raise NotFound(*NO_SUCH_SUBSCRIPTION[:1], message_zh=NO_SUCH_SUBSCRIPTION[1])
        if not row.active:
            return
        row.active = False
        audit.append(session, actor=viewer, action="report.unsubscribe", entity="report_subscription",
                     entity_id=row.id, before={"active": True}, after={"active": False})


def my_subscriptions(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """The viewer's own active subscriptions. Columns: id, kind, region_id, language, created_at."""
    require(viewer, Action.BUILD_REPORTS)
    statement = (select(ReportSubscription.id, ReportSubscription.kind, ReportSubscription.region_id,
                        ReportSubscription.language, ReportSubscription.created_at)
                 .where(ReportSubscription.user_id == viewer.person_id, ReportSubscription.active.is_(True))
                 .order_by(ReportSubscription.id))
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


# -- deliveries (the scheduler) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DueDelivery:
    """A subscription whose period is not delivered yet: build it (``build_id`` None) or send it again."""

    subscription_id: int
    user_id: int
    username: str
    email: str | None
    kind: str
    region_id: int | None
    language: str
    period_label: str
    build_id: int | None
    attempts: int


def _topic_prefix(subscription_id: int, period_label: str) -> str:
    return f"report/{subscription_id}/{period_label}/"


def inbox_topic(subscription_id: int, period_label: str, build_id: int) -> str:
    """The inbox message's topic, ``report/<subscription>/<period>/<build>``: one message per subscription and
    period, however often delivery runs; the inbox links it to the build."""
    return f"{_topic_prefix(subscription_id, period_label)}{build_id}"


def build_of_topic(topic: object) -> int | None:
    """The build a report message's topic names (None for any other topic).

    >>> build_of_topic("report/2/2026-10/17"), build_of_topic("report-due/2026-11/17")
    (17, None)
    """
    match = _TOPIC.fullmatch(topic) if isinstance(topic, str) else None
    return as_id(int(match[1])) if match else None


def _delivery(session: Session, subscription_id: int, period_label: str) -> ReportDelivery | None:
    return session.execute(select(ReportDelivery).where(ReportDelivery.subscription_id == subscription_id,
                                                        ReportDelivery.period_label == period_label)).scalar()


def due_deliveries(engine: Engine, actor: Viewer, period_of: Mapping[str, str]) -> list[DueDelivery]:
    """Active subscriptions of active users whose period (``period_of[kind]``: the last closed one) has been
    neither e-mailed nor put in the inbox, with attempts left (system only)."""
    require(actor, Action.SEND_NOTIFICATIONS)
    rows: list[DueDelivery] = []
    with engine.connect() as connection:
        for kind, period in sorted(period_of.items()):
            statement = (
                select(ReportSubscription.id, ReportSubscription.user_id, User.username, User.email,
                       ReportSubscription.kind, ReportSubscription.region_id, ReportSubscription.language,
                       ReportDelivery.build_id, ReportDelivery.attempts, ReportDelivery.emailed_at)
                .join(User, User.id == ReportSubscription.user_id)
                .outerjoin(ReportDelivery, and_(ReportDelivery.subscription_id == ReportSubscription.id,
                                                ReportDelivery.period_label == period))
                .where(ReportSubscription.kind == kind, ReportSubscription.active.is_(True),
                       User.is_active.is_(True))
                .order_by(ReportSubscription.id))
            in_inbox = {topic.rsplit("/", 1)[0] + "/" for topic in connection.execute(
                select(Notification.topic).where(Notification.kind == REPORT_NOTIFICATION,
                                                 Notification.topic.like(f"report/%/{period}/%"))).scalars()}
            for row in connection.execute(statement):
                attempts = row.attempts or 0
                delivered = row.emailed_at is not None or _topic_prefix(row.id, period) in in_inbox
                if delivered or attempts >= MAX_ATTEMPTS:
                    continue
                rows.append(DueDelivery(row.id, row.user_id, row.username, row.email, row.kind, row.region_id,
                                        row.language, period, row.build_id, attempts))
    return rows


def record_attempt(engine: Engine, actor: Viewer, due: DueDelivery, error: str | None, *,
                   count_attempt: bool = True, now: dt.datetime | None = None) -> None:
    """Count an attempt to deliver the subscription's period: ``error`` None means it was e-mailed (no more
    attempts), otherwise a failed build or e-mail that the next run retries until :data:`MAX_ATTEMPTS`; a mail
    server that was down records its error without counting (``count_attempt=False``: not this report's fault)
    (system only)."""
    require(actor, Action.SEND_NOTIFICATIONS)
    moment = now or dt.datetime.now(dt.UTC)
    with transaction(engine, account_activity=True) as session:
        row = _delivery(session, due.subscription_id, due.period_label)
        if row is None:
            row = ReportDelivery(subscription_id=due.subscription_id, period_label=due.period_label,
                                 created_at=moment, attempts=0)
            session.add(row)
        row.attempts = (row.attempts or 0) + int(count_attempt)
        row.error = None if error is None else error[:500]
        if error is None:
            row.emailed_at = moment


def deliver_to_inbox(engine: Engine, actor: Viewer, due: DueDelivery, build_id: int, *,
                     subject: tuple[str, str], body: tuple[str, str], now: dt.datetime | None = None) -> None:
    """Put the report's message (subject and body as (Chinese, English)) in the subscriber's inbox, once per
    subscription and period (system only)."""
    require(actor, Action.SEND_NOTIFICATIONS)
    with transaction(engine) as session:
        session.add(Notification(user_id=due.user_id, created_at=now or dt.datetime.now(dt.UTC),
                                 kind=REPORT_NOTIFICATION,
                                 topic=inbox_topic(due.subscription_id, due.period_label, build_id),
                                 subject_zh=subject[0][:200], subject_en=subject[1][:300], body_zh=body[0],
                                 body_en=body[1], email_attempts=0))
