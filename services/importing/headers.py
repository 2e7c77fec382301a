"""Finding the header rows of a sheet and which column is which.

A header cell names a column by any of ``Column.headers``, compared after Unicode NFKC (full-width brackets and
letters become ASCII), case folding, and dropping whitespace and ``*`` (templates often mark required columns
with it). Templates carry a Chinese header row and an English one: consecutive header rows all count, and data
starts after the last.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from data_access.imports.layouts import Layout
from data_access.imports.problems import Problem

MAX_LETTERED_COLUMNS = 18_278  # "ZZZ"
HEADER_SEARCH_ROWS = 10
"""Header rows must start within this many rows (titles and notes above them are skipped)."""


def normalised(text: object) -> str:
    """The form header texts are compared in: ``' 总投资（万元） '`` and ``'总投资(万元)'`` are the same."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(folded.split()).strip("*")


def column_label(position: int) -> str:
    """A column's name as a spreadsheet shows it (0 → "A"); past Excel's letters (a very wide csv) its number."""
    return get_column_letter(position + 1) if position < MAX_LETTERED_COLUMNS else f"#{position + 1}"


def _names_by_header(layout: Layout) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in layout.columns:
        for header in column.headers:
            names.setdefault(normalised(header), column.name)
    return names


def is_blank(value: object) -> bool:
    """An empty cell: None, NaN, or text of nothing but spaces."""
    return value is None or value != value or (isinstance(value, str) and not value.strip())  # NaN != NaN


@dataclass(frozen=True)
class Header:
    """Header rows found in a sheet: ``rows`` are 0-based positions in the sheet; ``columns`` maps a sheet
    column position to its canonical name (the first position, when a name appears twice)."""

    rows: tuple[int, ...]
    columns: dict[int, str]
    unknown: tuple[str, ...]
    repeated: dict[str, tuple[int, ...]]  # canonical name → every position carrying it, when more than one
    labelled: frozenset[int]  # positions with any header text, known or not

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1


def _matches(row: Sequence[object], names: dict[str, str]) -> dict[int, str]:
    return {position: names[normalised(value)] for position, value in enumerate(row)
            if not is_blank(value) and normalised(value) in names}


def find_header(layout: Layout, rows: Sequence[Sequence[object]]) -> Header | None:
    """The header among the first rows: the first row where two or more cells name distinct columns, with the
    header rows right below it; None when there is none (another sheet, or not this layout)."""
    names = _names_by_header(layout)
    matched = [_matches(row, names) for row in rows[:HEADER_SEARCH_ROWS]]
    header_rows: list[int] = []
    for position, found in enumerate(matched):
        if len(set(found.values())) >= 2:
            header_rows.append(position)
        elif header_rows:
            break
    if not header_rows:
        return None
    carriers: dict[str, list[int]] = {}
    unknown: list[str] = []
    labelled: set[int] = set()
    width = max(len(rows[position]) for position in header_rows)
    for column in range(width):
        texts = [rows[position][column] for position in header_rows if column < len(rows[position])]
        name = next((matched[position][column] for position in header_rows if column in matched[position]), None)
        if any(not is_blank(text) for text in texts):
            labelled.add(column)
        if name is not None:
            carriers.setdefault(name, []).append(column)
        elif column in labelled:
            unknown.append(" / ".join(str(text).strip() for text in texts if not is_blank(text)))
    return Header(rows=tuple(header_rows),
                  columns={positions[0]: name for name, positions in carriers.items()},
                  unknown=tuple(unknown),
                  repeated={name: tuple(positions) for name, positions in carriers.items() if len(positions) > 1},
                  labelled=frozenset(labelled))


def header_problems(layout: Layout, header: Header, sheet: str, first_row_number: int = 1) -> list[Problem]:
    """Missing required columns (row None, column the canonical name) and columns given twice."""
    problems: list[Problem] = []
    present = set(header.columns.values())
    for column in layout.columns:
        if column.required and column.name not in present:
            problems.append(Problem(
                sheet, None, column.name,
                f"缺少必填列“{column.header_zh}”（{column.header_en}）",
                f"The required column “{column.header_en}” ({column.header_zh}) is missing"))
    header_row = header.rows[0] + first_row_number
    for name, positions in header.repeated.items():
        column = layout.column(name)
        letters = "、".join(column_label(position) for position in positions)
        problems.append(Problem(
            sheet, header_row, name,
            f"“{column.header_zh}”列出现了不止一次（第 {letters} 列）：请只保留一列",
            f"The column “{column.header_en}” appears more than once (columns {letters.replace('、', ', ')}); "
            "keep only one"))
    return problems
