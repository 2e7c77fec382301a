"""Builders of good and bad spreadsheets for the import tests (and the import benchmark).

``xlsx_bytes`` writes a real workbook with openpyxl and then edits its XML where openpyxl cannot go (a formula's
cached value); the hostile files (zip bomb, XML entity attack, old .xls) are built here too, so every test makes
the file it needs in memory and nothing binary is committed.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape

import openpyxl

from data_access.imports.layouts import LAYOUTS

Rows = Sequence[Sequence[object]]
FIRST_SHEET_PART = "xl/worksheets/sheet1.xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def header_rows(kind: str, languages: str = "zh en") -> list[list[str]]:
    """The template's header rows of a layout: ``"zh en"`` (both, as templates have them), ``"zh"`` or ``"en"``."""
    columns = LAYOUTS[kind].columns
    return [[column.header_zh if language == "zh" else column.header_en for column in columns]
            for language in languages.split()]


def xlsx_bytes(rows: Rows, *, header: Rows = (), sheet: str = "Sheet1", above: Rows = (),
               merged: Sequence[str] = (), formulas: Mapping[str, tuple[str, object]] | None = None,
               sheets_before: Mapping[str, Rows] | None = None, hidden: Sequence[str] = ()) -> bytes:
    """A workbook whose sheet ``sheet`` holds ``above`` (title rows), then ``header``, then ``rows``.

    ``merged``: ranges to merge ("A3:B3"). ``formulas``: cell → (formula without "=", cached value); a cached
    value of None leaves the formula uncalculated (as a program that never ran Excel writes it), a str starting
    with "#" is an error result. ``sheets_before``: other sheets (name → rows) placed before the data sheet;
    ``hidden``: names of sheets to hide.
    """
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    for name, other_rows in (sheets_before or {}).items():
        other = book.create_sheet(name)
        for row in other_rows:
            other.append(list(row))
    data = first if not sheets_before else book.create_sheet(sheet)
    data.title = sheet
    if sheets_before:
        book.remove(first)
    for row in [*above, *header, *rows]:
        data.append(list(row))
    for name in hidden:
        book[name].sheet_state = "hidden"
    for cells in merged:
        data.merge_cells(cells)
    for cell, (formula, _) in (formulas or {}).items():
        data[cell] = f"={formula}"
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    if formulas:
        part = f"xl/worksheets/sheet{book.sheetnames.index(sheet) + 1}.xml"
        content = replace_part(content, part, lambda xml: _with_cached_values(xml, formulas))
    return content


def _with_cached_values(xml: bytes, formulas: Mapping[str, tuple[str, object]]) -> bytes:
    for cell, (formula, cached) in formulas.items():
        if cached is None:
            continue
        kind = ' t="e"' if isinstance(cached, str) and cached.startswith("#") else (
            ' t="str"' if isinstance(cached, str) else "")
        pattern = re.compile(rf'<c r="{cell}"[^>]*>.*?</c>'.encode())
        replacement = f'<c r="{cell}"{kind}><f>{escape(formula)}</f><v>{escape(str(cached))}</v></c>'.encode()
        xml, found = pattern.subn(replacement, xml)
        assert found == 1, cell
    return xml


def replace_part(content: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same archive with one member rewritten."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == part else data)
    return buffer.getvalue()


def add_part(content: bytes, part: str, data: bytes, *, compresslevel: int = 1) -> bytes:
    """The same archive with one more member."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr(part, data)
    return buffer.getvalue()


def filled_template(template: bytes, rows: Rows) -> bytes:
    """A downloaded template as a person fills it: values typed under the header rows of its data sheet."""
    from services.importing.templates import FIRST_DATA_ROW

    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(FIRST_DATA_ROW + offset, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Rows, *, header: Rows = (), encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A csv file as Excel writes one: CRLF line ends; ``encoding="utf-8-sig"`` adds the BOM, ``"gbk"`` is what
    Chinese Excel writes, ``"gb18030"`` its superset."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in [*header, *rows]:
        writer.writerow(["" if value is None else value for value in row])
    return text.getvalue().encode(encoding)


def small_observations() -> list[list[object]]:
    """Three good rows of monthly figures (codes from the demo data)."""
    return [["P001", "K01", "2026-01", 12.5], ["P001", "K02", "2026-01", 80], ["P002", "K01", "2026-02", 3]]


def good_xlsx(kind: str = "observations") -> bytes:
    return xlsx_bytes(small_observations() if kind == "observations" else [], header=header_rows(kind))


def zip_bomb_xlsx(unpacked_mb: int = 20) -> bytes:
    """A good workbook with one more part of ``unpacked_mb`` MB of zeros (about 1000:1 compressed); 250 MB and
    more also breaks the limit on the total unpacked size."""
    content = good_xlsx()
    part_mb = min(unpacked_mb, 50)
    for number in range(max(1, unpacked_mb // part_mb)):
        content = add_part(content, f"xl/media/padding{number}.bin", bytes(part_mb * 1024 * 1024))
    return content


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
              for n in range(1, 10))
    + "]>\n"
).encode()


def xml_entity_xlsx() -> bytes:
    """A good workbook whose first sheet declares the "billion laughs" entities and uses one in a cell."""
    def attack(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
        return BILLION_LAUGHS + body.replace(b"<t>P001</t>", b"<t>&lol9;</t>", 1)
    return replace_part(good_xlsx(), FIRST_SHEET_PART, attack)


def xls_bytes() -> bytes:
    """The start of an old binary Excel file (an OLE container), as .xls and password-protected .xlsx are."""
    return OLE_MAGIC + bytes(504)
