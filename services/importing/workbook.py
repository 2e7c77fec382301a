"""Reading the sheets of a checked xlsx: values from python-calamine (cached results of formulas included),
formula cells without a cached result and error results found by streaming the sheet's XML with defusedxml.

calamine gives a formula cell's cached value but says nothing when there is none (a file written by a program
that never calculated it): that cell would silently read as empty, so the sheet XML is scanned for such cells,
and only when it contains formulas or error values at all (a byte search first keeps plain sheets fast).
"""
from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
import pandas as pd
import python_calamine
from defusedxml import DefusedXmlException
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from services.importing.headers import HEADER_SEARCH_ROWS
from services.importing.safety import WorkbookArchive

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_TAG, FORMULA_TAG, VALUE_TAG, ROW_TAG = (f"{MAIN_NS}{name}" for name in ("c", "f", "v", "row"))
RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
FORMULA_TAGS = (b"<f>", b"<f ", b"<f/>")
CACHED_FORMULA = re.compile(rb"(?:</f>|<f\b[^>]*/>)<v>\s*[^<\s]")  # Excel's <f>…</f><v>12</v>
REFERENCE = re.compile(rb'\sr="([A-Z]{0,3})([0-9]{1,7})"')  # <row r="12"> and <c r="B12">
CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b":c ")
UNREADABLE = (python_calamine.CalamineError, SafeET.ParseError, DefusedXmlException, ValueError, KeyError)
"""What reading a broken (but not hostile) workbook raises: the file is damaged."""


@dataclass(frozen=True)
class Extent:
    """How far a sheet reaches, from the row and cell references in its XML (before any parser sees it):
    calamine holds a sheet as one dense block from the first to the last cell, so a lone cell at XFD1048576
    makes it allocate 17 billion cells. ``unreferenced``: some cell has no reference, so its place is unknown."""

    rows: int
    columns: int
    unreferenced: bool

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass(frozen=True)
class OddCell:
    """A cell whose value cannot be used: ``row``/``column`` 0-based; ``error`` the cached error (``#DIV/0!``)
    or "" for a formula without a cached value; ``formula`` its text."""

    row: int
    column: int
    formula: str
    error: str


class Workbook:
    """The sheets of one checked archive, in workbook order."""

    def __init__(self, archive: WorkbookArchive) -> None:
        self._archive = archive
        self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(archive.repacked()))
        self._parts = _sheet_parts(archive)
        self._parsed: tuple[str, python_calamine.CalamineSheet] | None = None

    def _sheet(self, name: str) -> python_calamine.CalamineSheet:
        """calamine parses the whole sheet when asked for it: once, and only the sheet being read is kept (each
        may take up to the cell limit in memory)."""
        if self._parsed is None or self._parsed[0] != name:
            self._parsed = None
            self._parsed = (name, self._book.get_sheet_by_name(name))
        return self._parsed[1]

    @property
    def visible_sheets(self) -> list[str]:
        """Worksheets a person sees, in workbook order (hidden sheets and chart sheets left out)."""
        return [sheet.name for sheet in self._book.sheets_metadata
                if sheet.visible == python_calamine.SheetVisibleEnum.Visible
                and sheet.typ == python_calamine.SheetTypeEnum.WorkSheet]

    def _xml(self, sheet: str) -> bytes:
        part = self._parts.get(sheet)
        return self._archive.parts.get(part, b"") if part else b""

    def extent(self, sheet: str) -> Extent:
        """The area the sheet's references reach; a sheet whose part cannot be found reaches nowhere known."""
        xml = self._xml(sheet)
        references = REFERENCE.findall(xml)
        cells = sum(1 for letters, _ in references if letters)
        return Extent(rows=max((int(row) for _, row in references), default=0),
                      columns=max((column_index_from_string(letters.decode())
                                   for letters in {letters for letters, _ in references} if letters), default=0),
                      unreferenced=not xml or sum(xml.count(tag) for tag in CELL_TAGS) > cells)

    def head(self, sheet: str) -> Sequence[Sequence[object]]:
        """The first rows, where headers are looked for."""
        return self._sheet(sheet).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)

    def row_count(self, sheet: str) -> int:
        """Rows from row 1 to the last with a cell (known before any cell becomes a Python object)."""
        end = self._sheet(sheet).end
        return end[0] + 1 if end else 0

    def grid(self, sheet: str) -> pd.DataFrame:
        """Every cell from A1, one row per sheet row (position = Excel row − 1), object dtype."""
        rows = self._sheet(sheet).to_python(skip_empty_area=False)
        return pd.DataFrame(rows, dtype=object)

    def merged_ranges(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Merged ranges as 0-based ((first row, first column), (last row, last column))."""
        return list(self._sheet(sheet).merged_cell_ranges or [])

    def odd_cells(self, sheet: str) -> list[OddCell]:
        xml = self._xml(sheet)
        return list(_odd_cells(xml)) if _may_hold_odd_cells(xml) else []


def _sheet_parts(archive: WorkbookArchive) -> dict[str, str]:
    """Sheet name → the archive part holding it, from workbook.xml and its relationships (defusedxml)."""
    folder, name = posixpath.split(archive.workbook)
    relationships = archive.parts.get(posixpath.join(folder, "_rels", f"{name}.rels"), b"")
    if not relationships:
        return {}
    root = SafeET.fromstring(relationships, forbid_dtd=True)
    targets = {rel.get("Id"): str(rel.get("Target", "")) for rel in root.iter(f"{PACKAGE_RELATIONSHIP_NS}Relationship")}
    parts: dict[str, str] = {}
    for sheet in SafeET.fromstring(archive.parts[archive.workbook], forbid_dtd=True).iter(f"{MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{RELATIONSHIP_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        parts[str(sheet.get("name"))] = path
    return parts


def _may_hold_odd_cells(sheet_xml: bytes) -> bool:
    """False only when byte counts prove there is no error value and every formula is followed by its cached
    value, as in every file Excel saves (then the XML scan is skipped: it costs about 2 s per 100,000 formulas);
    anything else (a formula tag with a namespace prefix, say) goes to the scan."""
    if b't="e"' in sheet_xml or b":f" in sheet_xml:
        return True
    formulas = sum(sheet_xml.count(tag) for tag in FORMULA_TAGS)
    return formulas > 0 and len(CACHED_FORMULA.findall(sheet_xml)) < formulas


def _odd_cells(sheet_xml: bytes) -> Iterator[OddCell]:
    """Formula cells without a cached value and cells holding an error (every cell has its ``r`` reference:
    sheets with cells that lack one are refused before, see ``Extent``)."""
    for _, element in SafeET.iterparse(io.BytesIO(sheet_xml), events=("end",), forbid_dtd=True):
        if element.tag == CELL_TAG:
            formula = element.find(FORMULA_TAG)
            cached = element.find(VALUE_TAG)
            missing = formula is not None and (cached is None or not (cached.text or "").strip())
            if missing or element.get("t") == "e":
                letters, row = coordinate_from_string(str(element.get("r")))
                yield OddCell(row - 1, column_index_from_string(letters) - 1,
                              f"={formula.text}" if formula is not None and formula.text else "",
                              "" if missing or cached is None else (cached.text or ""))
        elif element.tag == ROW_TAG:
            element.clear()
