"""Where everything sits on the printed monthly sheet (A4, millimetres): the anchors, the QR code, the boxes.

The printed template and the reader both take their geometry from :func:`sheet_layout`, so a box the reader
looks in is the box the template drew. The layout depends only on the project's fields (their codes, in order):
the template version printed in the QR code is a digest of them, and a sheet printed before the project's
indicators changed is recognised as out of date rather than read into the wrong boxes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_W, PAGE_H = 210.0, 297.0
ANCHOR = 8.0  # side of the four black corner squares
ANCHOR_AT = ((8.0, 8.0), (194.0, 8.0), (8.0, 281.0), (194.0, 281.0))  # their top-left corners
QR_AT, QR_SIDE = (160.0, 24.0), 30.0  # the symbol itself, without its quiet zone
FIELDS_TOP, FIELDS_BOTTOM = 64.0, 236.0
LABEL_X, BOX_X, BOX_RIGHT = 16.0, 112.0, 194.0
NOTE_BOX = (16.0, 246.0, 178.0, 22.0)  # x, y, width, height
MAX_ROW, MIN_ROW = 10.0, 7.0
NOTE = "note"  # the field name of the free-text box
PAYLOAD_PREFIX = "PERFDASH-SHEET"
_PAYLOAD = re.compile(r"PERFDASH-SHEET\|(?P<id>\d{1,12})\|(?P<code>[^|]{1,30})\|(?P<period>\d{4}-\d{2})\|"
                      r"(?P<version>[0-9a-f]{10})")


class TooManyFields(ValueError):
    """More fields than one printed page holds."""


@dataclass(frozen=True)
class Box:
    """A field's box to write in: ``name`` is the KPI code (or ``note``), the rest millimetres."""

    name: str
    x: float
    y: float
    w: float
    h: float

    @property
    def numeric(self) -> bool:
        return self.name != NOTE


@dataclass(frozen=True)
class SheetLayout:
    version: str
    row_height: float
    boxes: tuple[Box, ...]


@dataclass(frozen=True)
class SheetCode:
    """What the QR code says: whose sheet, for which month, printed from which layout."""

    project_id: int
    project_code: str
    period: dt.date
    version: str


def max_fields() -> int:
    return int((FIELDS_BOTTOM - FIELDS_TOP) // MIN_ROW)


def layout_version(codes: Sequence[str]) -> str:
    return hashlib.sha256(("v1:" + ",".join(codes)).encode()).hexdigest()[:10]


def sheet_layout(codes: Sequence[str]) -> SheetLayout:
    """A row per field code, as tall as the page allows (at most ``MAX_ROW``), then the note box."""
    if len(codes) > max_fields():
        raise TooManyFields(f"{len(codes)} fields; one sheet holds {max_fields()}")
    row = min(MAX_ROW, (FIELDS_BOTTOM - FIELDS_TOP) / max(len(codes), 1))
    boxes = [Box(code, BOX_X, FIELDS_TOP + index * row + 1.0, BOX_RIGHT - BOX_X, row - 2.0)
             for index, code in enumerate(codes)]
    boxes.append(Box(NOTE, *NOTE_BOX))
    return SheetLayout(layout_version(codes), row, tuple(boxes))


def payload(code: SheetCode) -> str:
    return f"{PAYLOAD_PREFIX}|{code.project_id}|{code.project_code}|{code.period:%Y-%m}|{code.version}"


def parse_payload(text: str) -> SheetCode | None:
    """The sheet a QR code names, or None for any other QR code."""
    found = _PAYLOAD.fullmatch(text.strip())
    if found is None:
        return None
    year, month = (int(part) for part in found["period"].split("-"))
    if not 1 <= month <= 12:
        return None
    return SheetCode(int(found["id"]), found["code"], dt.date(year, month, 1), found["version"])
