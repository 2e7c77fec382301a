"""The feedback box (意见箱): sending feedback with an optional screenshot, and reading a screenshot back.

A screenshot is checked like a report's site photo — its type decided by its bytes (:mod:`services.file_types`;
only JPEG, PNG and WebP images), at most ``PERFDASH_PHOTO_MAX_MB`` — and stored in the upload folder under its
content hash (:mod:`data_access.uploads`). A refused file stores nothing: the checks of the text and the file run
before the file is written, and the row after it (an unreferenced file under its hash name is harmless).
"""
from __future__ import annotations

import hashlib

from sqlalchemy import Engine

from data_access import uploads
from data_access.errors import ValidationError
from data_access.feedback import (
    ANSWERED_KIND,
    MAX_ANSWER,
    Screenshot,
    answer_feedback,
    checked_message,
    checked_page,
    feedback_screenshot,
    set_closed,
    submit_feedback,
    tag_feedback,
)
from data_access.models import FEEDBACK_STATUSES, FEEDBACK_TAGS
from data_access.policy import Action, Viewer, require
from services.file_types import sniff
from services.photos import MEGABYTE, AttachmentFileMissing, PhotoSettings, photo_settings, too_big


def not_an_image() -> ValidationError:
    return ValidationError("A screenshot must be an image: JPEG, PNG or WebP",
                           message_zh="截图须为图片：JPEG、PNG 或 WebP")


def send_feedback(engine: Engine, viewer: Viewer, *, page: str, message: str, screenshot: bytes | None = None,
                  settings: PhotoSettings | None = None) -> int:
    """Check and record the viewer's feedback from ``page`` (a url path) with its screenshot; its id.

    Refused with a :class:`ValidationError` in both languages, before anything is stored: an empty or too
    long text, an empty screenshot, one over the photo limit, or one that is not a JPEG, PNG or WebP image.
    """
    require(viewer, Action.SEND_FEEDBACK)
    page, message = checked_page(page), checked_message(message)
    stored = None
    if screenshot is not None:
        settings = settings or photo_settings()
        if not screenshot:
            raise ValidationError("The screenshot is empty", message_zh="截图文件为空")
        if len(screenshot) > settings.photo_max_mb * MEGABYTE:
            raise too_big(len(screenshot), settings.photo_max_mb, photo=True)
        try:
            file_type = sniff(screenshot)
        except ValidationError:
            raise not_an_image() from None
        if file_type.kind != "photo":  # a PDF or an Office file is a report's attachment, not a screenshot
            raise not_an_image()
        digest = hashlib.sha256(screenshot).hexdigest()
        stored = Screenshot(uploads.store(settings.upload_dir, digest, file_type.extension, screenshot),
                            file_type.content_type, len(screenshot), digest)
    return submit_feedback(engine, viewer, page=page, message=message, screenshot=stored)


def screenshot_content(engine: Engine, viewer: Viewer, feedback_id: int, *,
                       settings: PhotoSettings | None = None) -> tuple[str, bytes] | None:
    """(content type, bytes) of the screenshot of feedback the viewer sent or may triage; None without one.
    Bytes that no longer match their hash are never served."""
    row = feedback_screenshot(engine, viewer, feedback_id)
    if row is None:
        return None
    data = uploads.read((settings or photo_settings()).upload_dir, row.stored_name)
    if data is None or hashlib.sha256(data).hexdigest() != row.sha256:
        raise AttachmentFileMissing("The stored screenshot is missing or damaged; please tell the administrator",
                                    message_zh="截图文件缺失或已损坏，请联系管理员")
    return row.content_type, data


# The admins' commands are the data layer's own (one transaction each, audited): pages take them from here.
__all__ = ["ANSWERED_KIND", "FEEDBACK_STATUSES", "FEEDBACK_TAGS", "MAX_ANSWER", "answer_feedback", "not_an_image",
           "screenshot_content", "send_feedback", "set_closed", "tag_feedback"]
