"""Site photos on pages: taking or choosing them on a phone, storing them, and the gallery a reviewer reads.

``photo_inputs`` is the phone-friendly picker (the file chooser, which on a phone offers the camera, and an
optional in-browser snapshot); ``store_photos`` stores each file through :mod:`services.photos` and returns the
problems to show, in the user's language; ``photo_gallery`` shows thumbnails with the check-in finding as a word
and a colour, the EXIF time and the distance from the site (report review and the scorecard), and plays voice notes
back.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from components.photo_cards import finding_badge, photo_details
from components.tables import attachment_button
from components.text import plain
from data_access import DataAccessError, Viewer
from services import photos
from webapp.data import Database, cached_read
from webapp.i18n import current_language, t
from webapp.session import shared_engine

ACCEPTED = ("jpg", "jpeg", "png", "webp", "pdf", "xlsx", "docx")  # the chooser's filter; the bytes decide
THUMBNAIL_PX = 320
LATEST_SHOWN = 12  # photos without a report: the newest this many
log = logging.getLogger("perfdash.photos")


@cached_read
def attachments(viewer: Viewer, project_id: int, report_id: int | None, *, db: Database) -> pd.DataFrame:
    return photos.list_attachments(db.engine, viewer, project_id=project_id, report_id=report_id)


@cached_read
def thumbnail(viewer: Viewer, attachment_id: int, *, db: Database) -> bytes:
    return photos.thumbnail(db.engine, viewer, attachment_id, THUMBNAIL_PX)


@cached_read
def recording(viewer: Viewer, attachment_id: int, *, db: Database) -> bytes:
    """A voice note's bytes, to play back."""
    return photos.attachment_content(db.engine, viewer, attachment_id)[2]


def photo_inputs(key: str) -> list[UploadedFile]:
    """The files the user chose (several at once) and a snapshot if they took one."""
    settings = photos.photo_settings()
    chosen = st.file_uploader(
        t("photos.upload", photo_mb=f"{settings.photo_max_mb:g}", file_mb=f"{settings.attachment_max_mb:g}"),
        type=list(ACCEPTED), accept_multiple_files=True, key=f"{key}_files", help=t("photos.upload_help"),
        max_upload_size=max(1, round(max(settings.photo_max_mb, settings.attachment_max_mb))))
    files = list(chosen or [])
    if st.toggle(t("photos.use_camera"), key=f"{key}_camera_on"):
        st.caption(t("photos.camera_hint"))
        snapshot = st.camera_input(t("photos.camera"), key=f"{key}_camera")
        if snapshot is not None:
            files.append(snapshot)
    return files


def store_photos(viewer: Viewer, *, project_id: int, report_id: int | None, period: dt.date,
                 files: Sequence[UploadedFile], voice: bool = False) -> list[str]:
    """Store each file (one transaction each: a refused file does not stop the others); the problems, each
    naming its file, in the user's language and Markdown-safe (file names are the user's text). ``voice``: the
    files are voice notes (audio only)."""
    lang = current_language()
    problems = []
    for upload in files:
        try:
            photos.add_attachment(shared_engine(), viewer, project_id=project_id, report_id=report_id,
                                  period=period, filename=upload.name, data=upload.getvalue(), voice=voice)
        except DataAccessError as error:
            message = error.message_zh if lang == "zh" else str(error)
            problems.append(t("photos.problem", name=plain(upload.name), message=plain(message)))
    return problems


def _deferred_content(viewer: Viewer, attachment_id: int) -> Callable[[], bytes]:
    """The original bytes, read only when the download button is pressed."""
    def content() -> bytes:
        try:
            return photos.attachment_content(shared_engine(), viewer, attachment_id)[2]
        except DataAccessError:
            log.exception("attachment %s could not be read for download", attachment_id)
            return b""
    return content


def _shown(listing: pd.DataFrame, report_id: int | None) -> tuple[pd.DataFrame, dt.date | None]:
    """A report's attachments; without a report, the latest reported period's (or the newest few)."""
    if report_id is not None or listing.empty:
        period = listing["period"].dropna().max() if len(listing) else None
        return listing, None if pd.isna(period) else period
    reported = listing.dropna(subset=["period"])
    if reported.empty:
        return listing.head(LATEST_SHOWN), None
    latest = reported["period"].max()
    return reported[reported["period"] == latest], latest


def _card(viewer: Viewer, attachment: pd.Series, key: str) -> None:
    lang = current_language()
    with st.container(border=True, width=THUMBNAIL_PX + 30):
        if attachment["kind"] == "photo":
            try:
                st.image(thumbnail(viewer, int(attachment["id"])), width=THUMBNAIL_PX)
            except DataAccessError as error:
                st.warning(error.message_zh if lang == "zh" else str(error))
            words, colour = finding_badge(attachment["finding"], attachment["distance_m"], lang)
            st.badge(words, color=colour)  # type: ignore[arg-type]
        elif attachment["kind"] == "audio":
            st.badge(t("voice.badge"), icon=":material/mic:", color="blue")
            try:
                st.audio(recording(viewer, int(attachment["id"])), format=attachment["content_type"])
            except DataAccessError as error:
                st.warning(error.message_zh if lang == "zh" else str(error))
        st.caption("  \n".join(photo_details(attachment.to_dict(), lang)))
        attachment_button(attachment["filename"], _deferred_content(viewer, int(attachment["id"])),
                          f"{key}_download_{int(attachment['id'])}", label=t("photos.download"),
                          mime=attachment["content_type"], stretch=True)


def photo_gallery(viewer: Viewer, *, project_id: int, report_id: int | None = None, key: str) -> None:
    """A report's photos and files (without ``report_id``: those of the latest report that has any) as cards
    that wrap: one a row on a phone, several on a desktop."""
    listing = attachments(viewer, project_id, report_id)
    shown, period = _shown(listing, report_id)
    if period is not None:
        st.caption(t("photos.section_period", period=f"{period:%Y-%m}"))
    if shown.empty:
        st.caption(t("photos.none"))
        return
    photos_first = shown.sort_values("kind", key=lambda kind: kind != "photo", kind="stable")
    with st.container(horizontal=True, gap="small"):
        for _, attachment in photos_first.iterrows():
            _card(viewer, attachment, key)
