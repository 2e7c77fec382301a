"""Reading an uploaded xlsx or csv into the raw table under its headers: the first stage of an import.

The format is told by the content, not the name. Every refusal is a Problem (sheet, row, column, both
languages) and all of them are returned at once; a table of None means the file cannot be read at all, and a
problem about the whole file has the sheet "" (a csv's problems have the sheet "csv").
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import itertools
from dataclasses import dataclass

import pandas as pd

from data_access.imports.layouts import LAYOUTS, Layout
from data_access.imports.problems import Problem
from services.importing.headers import (
    HEADER_SEARCH_ROWS,
    Header,
    column_label,
    find_header,
    header_problems,
    is_blank,
)
from services.importing.limits import MEGABYTE, ImportLimits, import_limits
from services.importing.safety import damaged, file_problem, open_workbook_archive
from services.importing.workbook import UNREADABLE, Extent, Workbook

CSV_SHEET = "csv"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
CSV_DELIMITERS = ",\t;"
SNIFF_CHARACTERS = 8192


@dataclass(frozen=True)
class RawTable:
    """The cells under the header, as read. ``frame``'s columns are the canonical names found (layout order),
    its index the row numbers the user sees; values are str / int / float / bool / datetime / None (csv: str or
    None). ``unknown_columns`` are header texts that name no column, listed to the user, never dropped silently
    (a column with data but no header text is listed by its letter, e.g. ``(F)``)."""

    kind: str
    sheet: str
    frame: pd.DataFrame
    unknown_columns: tuple[str, ...]


def sha256_of(content: bytes) -> str:
    """The file's fingerprint: the same file uploaded again is recognised by it."""
    return hashlib.sha256(content).hexdigest()


def read_upload(filename: str, content: bytes, kind: str, *, limits: ImportLimits | None = None
                ) -> tuple[RawTable | None, list[Problem]]:
    """The raw table of ``kind`` in an uploaded file, and every problem found reading it.

    ``filename`` only words the messages: an xlsx is recognised by its zip content, an old .xls by its
    signature, anything else that decodes as text is read as csv.
    """
    limits = limits or import_limits()
    layout = LAYOUTS[kind]
    if len(content) > limits.max_bytes:
        size = len(content) / MEGABYTE
        return None, [file_problem(
            f"文件大小 {size:,.1f} MB，超过上限 {limits.max_megabytes:g} MB：请拆分成几个文件分批导入",
            f"The file is {size:,.1f} MB, over the limit of {limits.max_megabytes:g} MB: split it into several "
            "files and import them one by one")]
    if not content.strip():
        return None, [file_problem(f"文件“{filename}”是空的", f"The file “{filename}” is empty")]
    if content.startswith(OLE_MAGIC):
        return None, [file_problem(
            "这是旧版 Excel（.xls）文件或设置了密码的工作簿：请在 Excel 中另存为 .xlsx（不设密码）后上传",
            "This is an old Excel file (.xls) or a password-protected workbook: save it as .xlsx (without a "
            "password) in Excel and upload that")]
    if content.startswith(ZIP_MAGIC):
        return _read_xlsx(layout, content, limits)
    return _read_csv(layout, content, limits)


# -- xlsx ----------------------------------------------------------------------------------------------------

def _read_xlsx(layout: Layout, content: bytes, limits: ImportLimits) -> tuple[RawTable | None, list[Problem]]:
    archive, problems = open_workbook_archive(content, limits)
    if archive is None:
        return None, problems
    try:
        return _read_sheets(layout, Workbook(archive), limits)
    except UNREADABLE:
        return None, [damaged()]


def _read_sheets(layout: Layout, workbook: Workbook, limits: ImportLimits) -> tuple[RawTable | None, list[Problem]]:
    """The first visible sheet whose first rows hold the layout's header (an instructions sheet before it is
    skipped; hidden sheets are not what the person sees, so they are never imported)."""
    for sheet in workbook.visible_sheets:
        extent = workbook.extent(sheet)
        if extent.unreferenced or extent.cells > limits.max_cells:  # checked before calamine allocates the area
            return None, [_area_problem(sheet, extent, limits)]
        header = find_header(layout, workbook.head(sheet))
        if header is not None:
            rows_below = workbook.row_count(sheet) - header.data_start
            if rows_below > limits.max_rows:  # refused before the cells become Python objects
                return None, [_too_many_rows(sheet, rows_below, limits)]
            table, problems = _table(layout, sheet, workbook.grid(sheet), header, limits)
            problems += _merged_problems(sheet, workbook, header)
            problems += _odd_cell_problems(sheet, workbook, header)
            return table, problems
    if not any(workbook.row_count(sheet) for sheet in workbook.visible_sheets):
        return None, [file_problem("工作簿是空的：没有一个工作表有内容",
                                   "The workbook is empty: no sheet has anything in it")]
    return None, [_no_header(layout, workbook.visible_sheets)]


def _area_problem(sheet: str, extent: Extent, limits: ImportLimits) -> Problem:
    if extent.unreferenced:
        return Problem(sheet, None, None,
                       f"工作表“{sheet}”有单元格没有注明位置，无法安全读取：请在 Excel 中打开并重新保存",
                       f"Some cells of the sheet “{sheet}” do not say where they are, so it cannot be read safely: "
                       "open it in Excel and save it again")
    area = f"A1:{column_label(extent.columns - 1)}{extent.rows}"
    return Problem(sheet, None, None,
                   f"工作表“{sheet}”用到的区域 {area} 有 {extent.cells:,} 个单元格，超过上限 {limits.max_cells:,}："
                   "请删除表格右侧和下方多余的内容（包括格式）",
                   f"The sheet “{sheet}” reaches {area}, {extent.cells:,} cells, over the limit of "
                   f"{limits.max_cells:,}: delete whatever lies right of or below the table, formatting included",
                   area)


def _merged_problems(sheet: str, workbook: Workbook, header: Header) -> list[Problem]:
    """Merged ranges that cover a header or data cell of an imported column: only the range's first cell has a
    value, the others would silently read as empty."""
    imported = set(header.columns) | {position for positions in header.repeated.values() for position in positions}
    problems = []
    for (first_row, first_column), (last_row, last_column) in workbook.merged_ranges(sheet):
        if last_row < header.rows[0] or imported.isdisjoint(range(first_column, last_column + 1)):
            continue  # a title above the header, or notes beside the table
        cells = f"{_cell(first_row, first_column)}:{_cell(last_row, last_column)}"
        columns = range(first_column, last_column + 1)
        problems.append(Problem(
            sheet, first_row + 1, next((header.columns[c] for c in columns if c in header.columns), None),
            f"单元格 {cells} 是合并单元格：数据区不能合并单元格，请取消合并，每个单元格填写自己的值",
            f"The cells {cells} are merged: unmerge them and give every cell its own value", cells))
    return problems


def _cell(row: int, column: int) -> str:
    return f"{column_label(column)}{row + 1}"


def _odd_cell_problems(sheet: str, workbook: Workbook, header: Header) -> list[Problem]:
    problems = []
    for cell in workbook.odd_cells(sheet):
        name = header.columns.get(cell.column)
        if cell.row < header.data_start or name is None:
            continue  # not imported
        if cell.error:
            problems.append(Problem(sheet, cell.row + 1, name,
                                    f"公式的结果是错误值 {cell.error}：请更正公式或填写数值",
                                    f"The formula's result is the error {cell.error}: correct it or type the value",
                                    cell.formula or cell.error))
        else:
            problems.append(Problem(sheet, cell.row + 1, name,
                                    "公式没有计算结果：请在 Excel 中打开并保存文件",
                                    "A formula without a calculated value: open and save the file in Excel",
                                    cell.formula))
    return problems


def _no_header(layout: Layout, sheets: list[str]) -> Problem:
    expected_zh = "、".join(column.header_zh for column in layout.columns if column.required)
    expected_en = ", ".join(column.header_en for column in layout.columns if column.required)
    names = "、".join(f"“{sheet}”" for sheet in sheets)
    return file_problem(
        f"没有找到“{layout.title_zh}”的表头：工作表 {names} 的前 {HEADER_SEARCH_ROWS} 行里没有 {expected_zh} 等列名"
        "（请使用下载的模板）",
        f"No “{layout.title_en}” header found: the first {HEADER_SEARCH_ROWS} rows of sheet(s) "
        f"{names.replace('、', ', ')} do not name the columns {expected_en} (use the downloaded template)")


# -- csv -----------------------------------------------------------------------------------------------------

def _decoded(content: bytes) -> str | None:
    """Text of a csv: UTF-16 when it has that BOM, else UTF-8 (with or without BOM), else GB18030 (a superset of
    the GBK Chinese Excel writes); None when none fits or it holds NUL characters (a binary file)."""
    encodings = ("utf-16",) if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else (
        "utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


def _delimiter(layout: Layout, text: str) -> str:
    """Comma, unless the header is found only when the first lines are split at tabs or semicolons (a sniffer
    guessing from character counts is easily fooled by commas inside text)."""
    head = text[:SNIFF_CHARACTERS].splitlines()[:HEADER_SEARCH_ROWS]
    for delimiter in CSV_DELIMITERS:
        with contextlib.suppress(csv.Error):
            if find_header(layout, list(csv.reader(head, delimiter=delimiter))) is not None:
                return delimiter
    return ","


def _blank_line(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _csv_too_large(rows: int, width: int, limits: ImportLimits) -> Problem:
    return Problem(CSV_SHEET, rows, None,
                   f"CSV 文件超过 {limits.max_cells:,} 个单元格（读到第 {rows:,} 行时已有 {width:,} 列）："
                   "请删除多余的列",
                   f"The csv file exceeds {limits.max_cells:,} cells ({width:,} columns by line {rows:,}): delete "
                   "the extra columns")


def _read_csv(layout: Layout, content: bytes, limits: ImportLimits) -> tuple[RawTable | None, list[Problem]]:
    """Every cell as text, with the stdlib's csv reader rather than pandas': rows may differ in length (a title
    line above the header, a row with one cell too many), which pandas' fast parser refuses or misreads, and
    nothing like "NA" is turned into a missing value."""
    text = _decoded(content)
    if text is None:
        return None, [file_problem(
            "无法识别的文件：请上传 .xlsx 文件，或 UTF-8 / GBK 编码的 .csv 文件",
            "This file is not a spreadsheet we can read: upload an .xlsx file, or a .csv file in UTF-8 or GBK")]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(layout, text))
    try:
        rows = list(itertools.islice(reader, HEADER_SEARCH_ROWS))
        width = max(map(len, rows), default=0)
        if len(rows) * width > limits.max_cells:
            return None, [_csv_too_large(len(rows), width, limits)]
        header = find_header(layout, rows)
        if header is None:
            return None, [_no_header(layout, [CSV_SHEET])]
        data_rows = sum(not _blank_line(row) for row in rows[header.data_start:])
        for row in reader:  # past the limit rows are only counted, so a huge file costs no memory
            data_rows += not _blank_line(row)
            if data_rows <= limits.max_rows:
                rows.append(row)
                width = max(width, len(row))
                if len(rows) * width > limits.max_cells:  # every row is padded to the widest
                    return None, [_csv_too_large(len(rows), width, limits)]
    except csv.Error:
        return None, [file_problem("CSV 文件格式有误，无法读取：请在 Excel 中另存为 CSV（UTF-8）后上传",
                                   "The csv file is malformed: save it again as CSV (UTF-8) in Excel and upload that")]
    if data_rows > limits.max_rows:
        return None, [_too_many_rows(CSV_SHEET, data_rows, limits)]
    if any(len(row) != width for row in rows):
        rows = [row + [""] * (width - len(row)) for row in rows]
    grid = pd.DataFrame(rows, dtype=object)
    return _table(layout, CSV_SHEET, grid, header, limits)


# -- both ----------------------------------------------------------------------------------------------------

def _too_many_rows(sheet: str, rows: int, limits: ImportLimits) -> Problem:
    return Problem(sheet, None, None,
                   f"工作表“{sheet}”的表头下有 {rows:,} 行，超过上限 {limits.max_rows:,} 行：请拆分后分批导入",
                   f"The sheet “{sheet}” has {rows:,} rows below its header, over the limit of {limits.max_rows:,}: "
                   "split it and import the parts one by one")


def _table(layout: Layout, sheet: str, grid: pd.DataFrame, header: Header, limits: ImportLimits
           ) -> tuple[RawTable | None, list[Problem]]:
    """The rows below the header, blank rows left out, under the canonical names; empty cells None."""
    data = grid.iloc[header.data_start:]
    blank = data.map(is_blank)
    data = data[~blank.all(axis=1)].mask(blank, None)
    data.index = data.index + 1  # the row number the user sees
    problems = header_problems(layout, header, sheet)
    if len(data) > limits.max_rows:
        return None, [_too_many_rows(sheet, len(data), limits)]
    if data.empty:
        problems.append(Problem(sheet, None, None, f"工作表“{sheet}”的表头下面没有数据",
                                f"The sheet “{sheet}” has no data below its header"))
    unnamed = tuple(f"({column_label(int(position))})" for position in data.columns
                    if int(position) not in header.labelled and data[position].notna().any())
    order = [column.name for column in layout.columns]
    known = sorted(header.columns, key=lambda position: order.index(header.columns[position]))
    frame = data[known].rename(columns=header.columns).astype(object)
    frame.columns.name = None
    return RawTable(layout.kind, sheet, frame, header.unknown + unnamed), problems
