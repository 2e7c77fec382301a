"""Site photos and files of a project's reports: their rows, read in the viewer's scope, and the audited insert.

The bytes live in the upload folder under their content hash (``services.photos`` writes and reads them); a row
says whose they are, what the user called the file (data, never a path) and, for a photo, what its EXIF said
and the check-in finding. An attachment is visible to whoever sees its project; an unknown id and another
district's id get the same refusal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import ValidationError
from data_access.models import Attachment, Project, Report, User
from data_access.policy import Action, Viewer, require
from data_access.project_checks import require_scope_before_writing
from data_access.scope import as_id, checked_id, refusal, require_project_in_scope, scoped_projects


class AlreadyAttached(ValidationError):
    """The same bytes are already attached to this report (or to the project, without a report)."""

    def __init__(self, attachment_id: int) -> None:
        super().__init__("This file is already attached", message_zh="此文件已添加过，无需重复上传")
        self.attachment_id = attachment_id


@dataclass(frozen=True)
class NewAttachment:
    """An attachment about to be recorded; its bytes are already stored under ``stored_name``."""

    project_id: int
    report_id: int | None
    kind: str
    filename: str
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str
    taken_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    distance_m: float | None = None
    finding: str | None = None


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload goes: the project's site (lat, lon) and the period its photos are checked against."""

    project_id: int
    report_id: int | None
    period: dt.date
    site: tuple[float, float]


@dataclass(frozen=True)
class StoredAttachment:
    """One attachment's row, as the viewer may read it."""

    id: int
    project_id: int
    kind: str
    filename: str
    stored_name: str
    content_type: str
    sha256: str


def _checked_period(period: object) -> dt.date:
    if not isinstance(period, dt.date) or isinstance(period, dt.datetime) or period.day != 1:
        raise ValidationError("The period must be the first day of a month",
                              message_zh="填报期须为某月的第一天")
    return period


def _report_period(session: Session, project_id: int, report_id: int | None) -> dt.date | None:
    """The period of the project's report ``report_id`` (None without one); another project's report is refused."""
    if report_id is None:
        return None
    number = as_id(report_id)
    row = None if number is None else session.execute(
        select(Report.period).where(Report.id == number, Report.project_id == project_id)).first()
    if row is None:
        raise ValidationError("That report does not belong to this project", message_zh="该月报不属于此项目")
    return row.period


def upload_target(engine: Engine, viewer: Viewer, *, project_id: int, report_id: int | None,
                  period: dt.date) -> UploadTarget:
    """Check that the viewer may add attachments here (role, scope, the report is the project's and of
    ``period``) before anything is stored, and say what the photos are checked against."""
    require(viewer, Action.REPORT_PROGRESS)
    project_id = checked_id(project_id, "project")
    period = _checked_period(period)
    require_scope_before_writing(engine, viewer, project_id)
    with Session(engine) as session:
        report_period = _report_period(session, project_id, report_id)
        if report_period is not None and report_period != period:
            raise ValidationError(f"That report is for {report_period:%Y-%m}, not {period:%Y-%m}",
                                  message_zh=f"该月报的填报期是 {report_period:%Y-%m}，不是 {period:%Y-%m}")
        site = session.execute(select(Project.lat, Project.lon).where(Project.id == project_id)).one()
    return UploadTarget(project_id, report_id, period, (site.lat, site.lon))


def _same_bytes(session: Session, new: NewAttachment) -> int | None:
    """The id of an attachment with the same bytes in the same place (report, or project without a report)."""
    place = (Attachment.report_id == new.report_id if new.report_id is not None
             else Attachment.report_id.is_(None))
    return session.execute(select(Attachment.id).where(Attachment.project_id == new.project_id, place,
                                                       Attachment.sha256 == new.sha256)).scalar()


def record_attachment(engine: Engine, viewer: Viewer, new: NewAttachment) -> int:
    """Insert the row with its audit entry in one transaction (role and scope checked again inside it).

    The same bytes already attached in the same place are refused with :class:`AlreadyAttached`.
    """
    require(viewer, Action.REPORT_PROGRESS)
    with transaction(engine) as session:
        require_project_in_scope(session, viewer, new.project_id, audit_refusal=False)
        # Two uploads of the same bytes at once: the project's row lock makes the second see the first (SQLite's
        # write transactions are serialised already).
        session.execute(select(Project.id).where(Project.id == new.project_id).with_for_update())
        _report_period(session, new.project_id, new.report_id)
        existing = _same_bytes(session, new)
        if existing is not None:
            raise AlreadyAttached(existing)
        row = Attachment(**asdict(new), uploaded_by=viewer.person_id, uploaded_at=dt.datetime.now(dt.UTC))
        session.add(row)
        session.flush()
        audit.append(session, actor=viewer, action="attachment.create", entity="attachment", entity_id=row.id,
                     after={key: value for key, value in asdict(new).items() if key != "stored_name"})
        return row.id


def list_attachments(engine: Engine, viewer: Viewer, *, project_id: int,
                     report_id: int | None = None) -> pd.DataFrame:
    """A project's attachments (of one report when given), newest first; PermissionDenied out of scope.

    Columns: id, report_id, period (the report's, NaT without one), kind, filename, content_type, size_bytes,
    taken_at, lat, lon, distance_m, finding, uploaded_by_name, uploaded_at.
    """
    with Session(engine) as session:
        require_project_in_scope(session, viewer, project_id)
    uploader = aliased(User)
    statement = (
        scoped_projects(viewer, Attachment.id, Attachment.report_id, Report.period, Attachment.kind,
                        Attachment.filename, Attachment.content_type, Attachment.size_bytes, Attachment.taken_at,
                        Attachment.lat, Attachment.lon, Attachment.distance_m, Attachment.finding,
                        uploader.display_name.label("uploaded_by_name"), Attachment.uploaded_at,
                        include_archived=True)
        .join(Attachment, Attachment.project_id == Project.id)
        .outerjoin(Report, Report.id == Attachment.report_id)
        .outerjoin(uploader, uploader.id == Attachment.uploaded_by)
        .where(Project.id == project_id)
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )
    if report_id is not None:
        statement = statement.where(Attachment.report_id == as_id(report_id))
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in ("taken_at", "uploaded_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def stored_attachment(engine: Engine, viewer: Viewer, attachment_id: int) -> StoredAttachment:
    """One attachment's row if its project is in the viewer's scope; otherwise the refusal an unknown id gets
    (the foreign case is audited, like any refused project)."""
    attachment_id = checked_id(attachment_id, "attachment")
    with Session(engine) as session:
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise refusal("attachment")
        require_project_in_scope(session, viewer, row.project_id, kind="attachment")
        return StoredAttachment(row.id, row.project_id, row.kind, row.filename, row.stored_name,
                                row.content_type, row.sha256)
