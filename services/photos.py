"""Site photos and files (现场照片与附件): checked, stored as evidence, read back in the viewer's scope.

An upload's type is decided by its bytes (:mod:`services.file_types`), its size against the photo or file limit;
a photo's EXIF time and GPS position are compared with the project's site and the reporting window
(:mod:`scoring.checkin`) and the finding is stored with it — a stripped photo is kept and marked, never
refused. The original bytes are stored unchanged under their hash in the upload folder (:mod:`data_access.uploads`;
the user's file name is data in the row), the file before the row: if the insert fails, an unreferenced file is
harmless, and a row never points at nothing.

Settings: ``PERFDASH_UPLOAD_DIR`` (:mod:`data_access.uploads`), ``PERFDASH_PHOTO_MAX_MB`` (10),
``PERFDASH_ATTACHMENT_MAX_MB`` (20), ``PERFDASH_CHECKIN_DISTANCE_M`` (1000); the photos' window ends on the
report's due date (:mod:`services.reporting_calendar`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data_access import uploads
from data_access.attachments import NewAttachment, record_attachment, stored_attachment, upload_target
from data_access.attachments import list_attachments as stored_attachments
from data_access.errors import ConfigurationError, DataAccessError, ValidationError
from data_access.policy import Viewer
from scoring.checkin import check_in, report_window
from services import reporting_calendar
from services.file_types import sniff, sniff_audio
from services.photo_exif import photo_facts, thumbnail_jpeg

MEGABYTE = 1024 * 1024
MAX_FILENAME = 200  # the column's size
THUMBNAIL_SIZES = range(32, 1025)
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f]+")


class AttachmentFileMissing(DataAccessError):
    """The row is there but its file is gone or no longer the bytes that were uploaded."""


@dataclass(frozen=True)
class PhotoSettings:
    upload_dir: Path
    photo_max_mb: float = 10
    attachment_max_mb: float = 20
    checkin_distance_m: float = 1000
    report_due_day: int = 5


def _number(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be a number from {low:g} to {high:g}, not {raw!r}",
                                 message_zh=f"设置 {name} 须为 {low:g} 到 {high:g} 之间的数，当前为 {raw!r}")
    return value


def photo_settings() -> PhotoSettings:
    """The upload settings from the environment: the limits and the distance are read here, the folder by
    :mod:`data_access.uploads` and the due day by :mod:`services.reporting_calendar`."""
    return PhotoSettings(
        upload_dir=uploads.upload_dir(),
        photo_max_mb=_number("PERFDASH_PHOTO_MAX_MB", 10, 0.1, 200),
        attachment_max_mb=_number("PERFDASH_ATTACHMENT_MAX_MB", 20, 0.1, 200),
        checkin_distance_m=_number("PERFDASH_CHECKIN_DISTANCE_M", 1000, 1, 1_000_000),
        report_due_day=reporting_calendar.report_due_day(),
    )


def clean_filename(name: str, extension: str) -> str:
    """The user's file name as data: no folders, no control characters, at most 200 characters."""
    base = _UNSAFE_IN_NAME.sub("", re.split(r"[\\/]", name or "")[-1]).strip()
    if not base:
        return f"upload.{extension}"
    if len(base) <= MAX_FILENAME:
        return base
    stem, dot, suffix = base.rpartition(".")
    if dot and 0 < len(suffix) <= 10:
        return f"{stem[:MAX_FILENAME - len(suffix) - 1]}.{suffix}"
    return base[:MAX_FILENAME]


def too_big(size: int, limit_mb: float, photo: bool) -> ValidationError:
    what_en, what_zh = ("photo", "照片") if photo else ("file", "文件")
    return ValidationError(f"The {what_en} is too big ({size / MEGABYTE:.1f} MB); at most {limit_mb:g} MB",
                           message_zh=f"{what_zh}过大（{size / MEGABYTE:.1f} MB），最大 {limit_mb:g} MB")


def add_attachment(engine: Engine, viewer: Viewer, *, project_id: int, report_id: int | None, period: dt.date,
                   filename: str, data: bytes, settings: PhotoSettings | None = None, voice: bool = False) -> int:
    """Check, store and record one upload; its attachment id. ``voice``: a voice note, which must be audio
    (WAV, WebM, Ogg, MP3) and is held to the file limit.

    Refused with a :class:`ValidationError` in both languages: an empty file, a type we do not take, a photo
    or file over its limit, the same bytes already attached (``AlreadyAttached``). Role and scope first: a
    viewer who may not report on the project gets the project's refusal before anything is read or written.
    """
    settings = settings or photo_settings()
    target = upload_target(engine, viewer, project_id=project_id, report_id=report_id, period=period)
    if not data:
        raise ValidationError("The file is empty", message_zh="文件为空")
    largest = max(settings.photo_max_mb, settings.attachment_max_mb)
    if len(data) > largest * MEGABYTE:
        raise too_big(len(data), largest, photo=False)
    file_type = sniff_audio(data) if voice else sniff(data)
    is_photo = file_type.kind == "photo"
    limit = settings.photo_max_mb if is_photo else settings.attachment_max_mb
    if len(data) > limit * MEGABYTE:
        raise too_big(len(data), limit, photo=is_photo)
    digest = hashlib.sha256(data).hexdigest()
    facts = photo_facts(data) if is_photo else None
    verdict = (check_in(facts, site=target.site, window=report_window(target.period, settings.report_due_day),
                        max_distance_m=settings.checkin_distance_m) if facts is not None else None)
    stored_name = uploads.store(settings.upload_dir, digest, file_type.extension, data)
    return record_attachment(engine, viewer, NewAttachment(
        project_id=target.project_id, report_id=target.report_id, kind=file_type.kind,
        filename=clean_filename(filename, file_type.extension), stored_name=stored_name,
        content_type=file_type.content_type, size_bytes=len(data), sha256=digest,
        taken_at=facts.taken_at.astimezone(dt.UTC) if facts is not None and facts.taken_at else None,
        lat=facts.lat if facts else None, lon=facts.lon if facts else None,
        distance_m=verdict.distance_m if verdict else None, finding=verdict.finding if verdict else None))


def list_attachments(engine: Engine, viewer: Viewer, *, project_id: int,
                     report_id: int | None = None) -> pd.DataFrame:
    """A project's attachments (of one report when given), newest first; see
    :func:`data_access.attachments.list_attachments` for the columns."""
    return stored_attachments(engine, viewer, project_id=project_id, report_id=report_id)


def attachment_content(engine: Engine, viewer: Viewer, attachment_id: int, *,
                       settings: PhotoSettings | None = None) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of an attachment in the viewer's scope; an unknown id and one outside
    the scope get the same refusal. Bytes that no longer match their hash are never served."""
    settings = settings or photo_settings()
    row = stored_attachment(engine, viewer, attachment_id)
    data = uploads.read(settings.upload_dir, row.stored_name)
    if data is None or hashlib.sha256(data).hexdigest() != row.sha256:
        raise AttachmentFileMissing("The stored file is missing or damaged; please tell the administrator",
                                    message_zh="附件文件缺失或已损坏，请联系管理员")
    return row.filename, row.content_type, data


def thumbnail(engine: Engine, viewer: Viewer, attachment_id: int, size: int = 320, *,
              settings: PhotoSettings | None = None) -> bytes:
    """A JPEG of the photo at most ``size`` pixels on its longer side, upright."""
    if size not in THUMBNAIL_SIZES:
        raise ValidationError(f"A thumbnail is 32 to 1024 pixels, not {size!r}",
                              message_zh="缩略图尺寸须为 32–1024 像素")
    _, content_type, data = attachment_content(engine, viewer, attachment_id, settings=settings)
    if not content_type.startswith("image/"):
        raise ValidationError("Only photos have thumbnails", message_zh="只有照片才有缩略图")
    return thumbnail_jpeg(data, size)
