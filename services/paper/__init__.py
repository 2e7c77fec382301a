"""Paper monthly sheets (纸质填报表): the printable template of a project's month, and reading a photo or scan of
one back into values for the report form to show — never saved here; the user confirms on the form and the
form's own save path stores them.

A sheet is found by its QR code (project, month, template version), and only within the viewer's scope: the QR
code of a project the viewer may not report on is refused like a link to it. A page without the code (blank, or
some other document) is "not recognised" and yields nothing.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import time
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import Engine

from components.formatting import month
from components.i18n import translate
from data_access import Viewer, get_project
from data_access.errors import ValidationError
from data_access.imports.layouts import LAYOUTS
from data_access.reports import ReportSheet, open_report
from services.paper import engine as ocr_engine
from services.paper import reading
from services.paper.layout import NOTE, SheetCode, TooManyFields, max_fields, sheet_layout
from services.paper.template import Field, sheet_pdf

MIN_CONFIDENCE = 0.70  # below it a value is shown with its crop but left for the user to type
MAX_SIDE_PX = 3600  # larger photos are scaled down first (a 12 MP phone photo reads as well, faster)


@dataclass(frozen=True)
class SheetValue:
    """One box read: ``value`` is the number (None for the note or when unreadable), ``accepted`` whether it is
    sure enough to fill the form; ``crop`` is the box as written (PNG)."""

    name: str
    text: str
    value: float | None
    confidence: float
    crop: bytes

    @property
    def accepted(self) -> bool:
        return self.confidence >= MIN_CONFIDENCE and (self.value is not None or self.name == NOTE)


@dataclass(frozen=True)
class SheetReading:
    code: SheetCode
    fields: dict[str, SheetValue]  # every box with something written in it
    seconds: float

    @property
    def values(self) -> dict[str, float]:
        """The figures sure enough to fill the form."""
        return {name: field.value for name, field in self.fields.items()
                if field.accepted and field.value is not None}

    @property
    def note(self) -> str | None:
        field = self.fields.get(NOTE)
        return field.text if field is not None and field.accepted else None


def _refusal(key: str, **values: object) -> ValidationError:
    return ValidationError(translate(key, "en", **values), message_zh=translate(key, "zh", **values))


def _fields(sheet: ReportSheet) -> list[Field]:
    def label(kpi: object, lang: str) -> str:
        name, unit = getattr(kpi, f"name_{lang}"), getattr(kpi, f"unit_{lang}")
        return translate("report.kpi_label", lang, name=name, unit=unit) if unit else str(name)
    return [Field(str(kpi.code), label(kpi, "zh"), label(kpi, "en")) for kpi in sheet.kpis.itertuples()]


def _layout(sheet: ReportSheet) -> tuple[list[Field], str]:
    fields = _fields(sheet)
    try:
        return fields, sheet_layout([field.code for field in fields]).version
    except TooManyFields:
        raise _refusal("paper.too_many", n=len(fields), max=max_fields()) from None


def template_pdf(engine: Engine, viewer: Viewer, *, project_id: int, period: dt.date) -> bytes:
    """The printable sheet of a project's month (scope and role as for the report form itself)."""
    sheet = open_report(engine, viewer, project_id=project_id, period=period)
    project = get_project(engine, viewer, project_id)
    fields, version = _layout(sheet)
    return sheet_pdf(SheetCode(project_id, str(project["code"]), sheet.period, version), str(project["name_zh"]),
                     fields)


def _image(data: bytes) -> Image.Image:
    """The upload as an upright grey image (a PDF: its first page), at most ``MAX_SIDE_PX`` on its long side."""
    try:
        if data[:5] == b"%PDF-":
            image = ocr_engine.first_pdf_page(data)
        else:
            with Image.open(io.BytesIO(data)) as opened:
                image = reading.upright(opened)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            subprocess.CalledProcessError, subprocess.TimeoutExpired):
        raise _refusal("paper.not_recognised") from None
    image = image.convert("L")
    if max(image.size) > MAX_SIDE_PX:
        image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    return image


def read_sheet(engine: Engine, viewer: Viewer, data: bytes, *, project_id: int | None,
               period: dt.date | None) -> SheetReading:
    """Read a photo or scan of the sheet of ``project_id``'s ``period`` (the form the user has open; None and
    None: whichever sheet it is, as on the import page).

    Refused, in both languages and before any value is read: no sheet code in the image (not recognised), a
    sheet of a project outside the viewer's scope (the usual refusal), another project's or month's sheet, a
    sheet printed from an older template.
    """
    started = time.perf_counter()
    image = _image(data)
    found = reading.find_sheet(image)
    if found is None:
        raise _refusal("paper.not_recognised")
    code = found.code
    sheet = open_report(engine, viewer, project_id=code.project_id, period=code.period)  # the scope decides first
    project = get_project(engine, viewer, code.project_id)
    expected = (code.project_id, code.period) if project_id is None and period is None else (project_id, period)
    if (code.project_id, code.period) != expected or code.project_code != project["code"]:
        raise _refusal("paper.other_sheet", code=code.project_code,
                       period=f"{month(code.period, 'zh')} / {month(code.period, 'en')}")
    fields, version = _layout(sheet)
    if code.version != version:
        raise _refusal("paper.outdated")
    layout = sheet_layout([field.code for field in fields])
    page = reading.straightened(image, reading.page_transform(image, found))
    words = []
    try:
        for numbers in (True, False):
            boxes = [box for box in layout.boxes if box.numeric == numbers]
            words += reading.parse_tsv(ocr_engine.recognise_tsv(reading.ink_only(page, boxes), numbers=numbers))
    except ocr_engine.EngineMissing:
        raise _refusal("paper.no_engine") from None
    by_name = {box.name: box for box in layout.boxes}
    found_fields = {name: SheetValue(name, field.text, field.value, field.confidence,
                                     reading.crop_png(page, by_name[name]))
                    for name, field in reading.fields_from_words(words, layout,
                                                                 reading.written_in(page, layout)).items()}
    return SheetReading(code, found_fields, time.perf_counter() - started)


def observations_csv(reading: SheetReading) -> bytes:
    """The figures read surely enough as a 月度数据 import file (CSV, the import's own headers): the import
    page checks and previews it like any uploaded file."""
    columns = LAYOUTS["observations"].columns
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header_zh for column in columns])
    for code, value in reading.values.items():
        writer.writerow([reading.code.project_code, code, f"{reading.code.period:%Y-%m}", repr(value)])
    return buffer.getvalue().encode("utf-8")
