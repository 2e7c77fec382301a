"""纸质填报表 on the report page: print the month's sheet, upload a photo or scan of it, and get the form filled
for the user to check — nothing is saved until they press the form's own save, which also attaches the scan.

What was read is held in the session (``SCAN_KEY``) for the sheet it was read into; the form's inputs get keys
of their own while it is held (:func:`scan_suffix`), so they open with the values read instead of keeping what
was typed before.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components.tables import attachment_button
from components.text import plain
from data_access import DataAccessError, Viewer
from data_access.attachments import AlreadyAttached
from data_access.reports import ReportSheet
from services import paper, photos
from services.paper.layout import NOTE, max_fields
from webapp.i18n import current_language, t
from webapp.session import shared_engine, show_data_error

SCAN_KEY = "report_scan"
ACCEPTED = ("jpg", "jpeg", "png", "webp", "pdf")
CROP_WIDTH_PX = 260
log = logging.getLogger("perfdash.paper")


@dataclass(frozen=True)
class Scan:
    """A sheet read for the form of ``project_id``'s ``period`` at ``version``; ``serial`` tells scans apart."""

    project_id: int
    period: dt.date
    version: int
    serial: int
    reading: paper.SheetReading
    filename: str
    data: bytes


def held_scan(sheet: ReportSheet) -> Scan | None:
    scan: Scan | None = st.session_state.get(SCAN_KEY)
    if scan is None or (scan.project_id, scan.period, scan.version) != (sheet.project_id, sheet.period,
                                                                        sheet.version):
        return None
    return scan


def scan_suffix(sheet: ReportSheet) -> str:
    scan = held_scan(sheet)
    return "" if scan is None else f"_s{scan.serial}"


def _template(viewer: Viewer, sheet: ReportSheet) -> Callable[[], bytes]:
    """The sheet's PDF, made only when the download button is pressed."""
    def content() -> bytes:
        try:
            return paper.template_pdf(shared_engine(), viewer, project_id=sheet.project_id, period=sheet.period)
        except DataAccessError:
            log.exception("paper sheet of project %s %s could not be made", sheet.project_id, sheet.period)
            return b""
    return content


def chosen_file(key: str) -> tuple[str, bytes] | None:
    """The photo or scan chosen (its name and bytes), or None."""
    upload = st.file_uploader(t("paper.upload"), type=list(ACCEPTED), key=key,
                              max_upload_size=max(1, round(photos.photo_settings().attachment_max_mb)))
    return None if upload is None else (upload.name, upload.getvalue())


def paper_panel(viewer: Viewer, sheet: ReportSheet) -> None:
    """The folded 纸质表 panel above the form: the template to print, the upload, what the last reading found."""
    scan = held_scan(sheet)
    with st.expander(t("paper.section"), expanded=scan is not None):
        st.caption(t("paper.download_help"))
        if len(sheet.kpis) > max_fields():
            st.info(t("paper.too_many", n=len(sheet.kpis), max=max_fields()))
            return
        attachment_button(f"sheet-{sheet.project_id}-{sheet.period:%Y-%m}.pdf", _template(viewer, sheet),
                          key=f"paper_template_{sheet.project_id}_{sheet.period:%Y%m}", label=t("paper.download"),
                          mime="application/pdf", stretch=True)
        upload = chosen_file(f"paper_upload_{sheet.project_id}_{sheet.period:%Y%m}")
        if upload is not None and st.button(t("paper.read"), type="primary", width="stretch",
                                            key=f"paper_read_{sheet.project_id}_{sheet.period:%Y%m}"):
            _read(viewer, sheet, *upload)
        if scan is not None:
            st.success(t("paper.filled", n=len(scan.reading.values) + (scan.reading.note is not None)))
            st.caption(t("paper.kept") + " " + t("paper.seconds", seconds=f"{scan.reading.seconds:.1f}"))
            if st.button(t("paper.discard"), key=f"paper_discard_{sheet.project_id}_{sheet.period:%Y%m}"):
                st.session_state.pop(SCAN_KEY, None)
                st.rerun()


def _read(viewer: Viewer, sheet: ReportSheet, filename: str, data: bytes) -> None:
    try:
        with st.spinner(t("paper.reading")):
            reading = paper.read_sheet(shared_engine(), viewer, data, project_id=sheet.project_id,
                                       period=sheet.period)
    except DataAccessError as error:
        st.session_state.pop(SCAN_KEY, None)
        show_data_error(error)
        return
    held: Scan | None = st.session_state.get(SCAN_KEY)
    st.session_state[SCAN_KEY] = Scan(sheet.project_id, sheet.period, sheet.version,
                                      (held.serial + 1) if held else 1, reading, filename, data)
    st.rerun()


def prefill(sheet: ReportSheet, shown: dict[str, float]) -> str | None:
    """Put what the scan read into ``shown`` (values sure enough; those not sure left empty); the note read."""
    scan = held_scan(sheet)
    if scan is None:
        return None
    for code, field in scan.reading.fields.items():
        shown.pop(code, None)
        if field.accepted and field.value is not None:
            shown[code] = field.value
    return scan.reading.note


def read_from_paper(sheet: ReportSheet, code: str) -> None:
    """Under a field the scan read: the crop it came from and how sure the reading was; highlighted when it
    was not sure enough to fill the field."""
    scan = held_scan(sheet)
    field = scan.reading.fields.get(code) if scan is not None else None
    if field is None:
        return
    sure = f"{field.confidence:.0%}"
    if field.accepted:
        st.caption(t("paper.confidence", confidence=sure))
    elif field.text:
        st.warning(t("paper.low", confidence=sure, text=plain(field.text)))
    else:
        st.warning(t("paper.unread"))
    st.image(field.crop, width=CROP_WIDTH_PX)


def read_codes(sheet: ReportSheet) -> set[str]:
    """The fields the scan found written (sure or not): their folds open, every one is to be checked."""
    scan = held_scan(sheet)
    return set() if scan is None else set(scan.reading.fields)


def attach_scan(viewer: Viewer, sheet: ReportSheet, report_id: int) -> list[str]:
    """Keep the scan the form was filled from as the report's attachment (also when the save went through a
    conflict, which changed the sheet's version); the problem to show, if any."""
    scan: Scan | None = st.session_state.get(SCAN_KEY)
    if scan is None or (scan.project_id, scan.period) != (sheet.project_id, sheet.period):
        return []
    st.session_state.pop(SCAN_KEY, None)
    try:
        photos.add_attachment(shared_engine(), viewer, project_id=sheet.project_id, report_id=report_id,
                              period=sheet.period, filename=scan.filename, data=scan.data)
    except AlreadyAttached:
        return []
    except DataAccessError as error:
        return [t("photos.problem", name=plain(scan.filename),
                  message=plain(error.message_zh if current_language() == "zh" else str(error)))]
    return []


def import_panel(viewer: Viewer) -> tuple[str, bytes] | None:
    """On the import page (月度数据): a photo or scan of a paper sheet, read into an import file to check like
    an upload (its name and bytes, once, when read); the values not read surely are named, not imported."""
    with st.expander(t("paper.import_section")):
        st.caption(t("paper.import_help"))
        upload = chosen_file("paper_import_upload")
        if upload is None or not st.button(t("paper.read"), type="primary", key="paper_import_read"):
            return None
        try:
            with st.spinner(t("paper.reading")):
                reading = paper.read_sheet(shared_engine(), viewer, upload[1], project_id=None, period=None)
        except DataAccessError as error:
            show_data_error(error)
            return None
        unsure = sorted(code for code, field in reading.fields.items() if not field.accepted and code != NOTE)
        if unsure:
            st.warning(t("paper.import_unsure", codes=plain("、".join(unsure))))
        if not reading.values:
            st.error(t("paper.import_nothing"))
            return None
        return f"{upload[0]}.csv", paper.observations_csv(reading)
