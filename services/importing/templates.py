"""The xlsx templates people fill in: one per layout, in Chinese or English.

The data sheet (named after the layout) carries the Chinese header row and the English one, styled and frozen,
with column formats and drop-downs (list validations) for codes, usernames and enumerations. Lists live on a
hidden "lists" sheet, because a list written into the validation itself is limited to 255 characters. The
instructions sheet explains every column and shows an example row, there rather than on the data sheet, so
the example can never be imported by mistake. Texts are in the language asked for; headers are always both.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TypeVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from components.i18n import stored_text
from data_access.imports.layouts import LAYOUTS, Column, ColumnType, Layout

T = ColumnType
Text = TypeVar("Text")
FIRST_DATA_ROW = 3
LAST_ROW = 1_048_576  # Excel's last row: drop-downs and formats cover every row a person may fill
LISTS_SHEET = "lists"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
THIN = Side(style="thin", color="9BA7B4")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)

NUMBER_FORMATS = {
    T.TEXT: "@", T.CODE: "@", T.USER: "@", T.CHOICE: "@",
    T.NUMBER: "General", T.DATE: "yyyy-mm-dd", T.MONTH: "yyyy-mm", T.MONEY: "#,##0.00", T.PERCENT: "0.0",
    T.LATITUDE: "0.000000", T.LONGITUDE: "0.000000",
}
BOUNDS: dict[ColumnType, tuple[str, float, float | None]] = {
    T.PERCENT: ("between", 0, 100), T.MONEY: ("greaterThanOrEqual", 0, None),
    T.LATITUDE: ("between", -90, 90), T.LONGITUDE: ("between", -180, 180),
}
TYPE_TEXTS: dict[ColumnType, tuple[str, str]] = {
    T.TEXT: ("文字", "Text"),
    T.CODE: ("编码", "Code"),
    T.USER: ("用户名（须是系统中的用户）", "Username (of a user in the system)"),
    T.CHOICE: ("选项", "One of the options"),
    T.NUMBER: ("数字", "Number"),
    T.PERCENT: ("百分数 0–100（85 表示 85%）", "Percent 0–100 (85 means 85 %)"),
    T.MONEY: ("金额，单位万元，不小于 0", "Amount in 万元 (10,000 CNY), zero or more"),
    T.DATE: ("日期：2026-03-01、2026/3/1、2026年3月1日 或 Excel 日期",
             "Date: 2026-03-01, 2026/3/1, 2026年3月1日 or an Excel date"),
    T.MONTH: ("月份：2026-03、2026/3、2026年3月，或该月任意一天",
              "Month: 2026-03, 2026/3, 2026年3月, or any day of it"),
    T.LATITUDE: ("纬度（-90 到 90）", "Latitude (-90 to 90)"),
    T.LONGITUDE: ("经度（-180 到 180）", "Longitude (-180 to 180)"),
}
EXAMPLES: dict[str, object] = {
    "code": "P320102-00001", "project_code": "P320102-00001", "name_zh": "滨江文化中心",
    "name_en": "Riverside Culture Centre", "category": "culture_tourism", "region": "320102", "department": "fgw",
    "manager": "zhangsan", "owner": "zhangsan", "budget": 12500.5, "planned_start": "2026-03-01",
    "planned_end": "2027-06-30", "actual_end": "", "status": "active", "lat": 32.041, "lon": 118.784,
    "description": "", "seq": 1, "percent_complete": 40, "indicator_code": "BUDGET_EXEC", "target_value": 95,
    "baseline_value": 80, "weight_override": "", "period": "2026-03", "value": 87.5,
}
SHEET_TITLE = ("说明", "Instructions")
COLUMN_TABLE_HEADER = (("中文列名", "英文列名", "类型", "必填", "示例", "说明"),
                       ("Chinese header", "English header", "Type", "Required", "Example", "Notes"))
YES_NO = (("是", "否"), ("yes", "no"))
EXAMPLE_TITLE = ("示例（仅作说明，不会被导入）", "Example (for illustration only; never imported)")
DROP_DOWN_WARNING = ("不在下拉列表中", "Not in the list",
                     "这个值不在下拉列表中，导入时会被检查；确定要保留吗？",
                     "This value is not in the list; the import will check it. Keep it?")


def _text(pair: tuple[Text, Text], lang: str) -> Text:
    """The English or the Chinese of a (zh, en) pair."""
    return stored_text(lang, *pair)


def _steps(layout: Layout, data_sheet: str, drop_downs: bool, lang: str) -> list[str]:
    key_zh = " + ".join(layout.column(name).header_zh for name in layout.key)
    key_en = " + ".join(layout.column(name).header_en for name in layout.key)
    steps = (
        (f"在“{data_sheet}”工作表中，从第 3 行起每行填写一条记录；第 1、2 行是中文和英文表头，请勿修改或删除。",
         f"Fill in the sheet “{data_sheet}”, one record per row from row 3; rows 1 and 2 are the Chinese and "
         "English headers: do not change or delete them."),
        ("橙色表头的列必须填写，蓝色表头的列可以留空。",
         "Columns with an orange header are required; those with a blue header may be left empty."),
        *([("有下拉箭头的列请从列表中选择（列表来自系统当前数据）。",
             "Where a cell has a drop-down, pick from the list (taken from the system's current data).")]
          if drop_downs else []),
        (f"{key_zh} 相同的记录已在系统中时，导入会更新这条记录；同一文件中不能重复。",
         f"A row whose {key_en} already exists in the system updates that record; a file may not repeat it."),
        ("请勿合并单元格；公式须有计算结果（在 Excel 中保存过）。也可以上传 UTF-8 或 GBK 编码的 CSV 文件。",
         "Do not merge cells; formulas must have a calculated value (saved in Excel). CSV files in UTF-8 or GBK "
         "are accepted too."),
    )
    return [f"{number}. {_text(step, lang)}" for number, step in enumerate(steps, start=1)]


def _notes(column: Column, choices: Sequence[str], lang: str) -> str:
    notes = []
    if column.type == T.CODE and column.name != "code":  # "code" is the record's own; the others refer
        notes.append(_text(("须是系统中已有的编码", "must exist in the system"), lang))
    if column.max_length:
        notes.append(_text((f"最多 {column.max_length} 个字", f"at most {column.max_length} characters"), lang))
    if choices and column.type == T.CHOICE:
        notes.append(_text(("可选：", "one of: "), lang) + ", ".join(choices))
    elif choices:
        notes.append(_text(("可从下拉列表选择", "pick from the drop-down"), lang))
    if column.aliases:
        notes.append(_text(("表头也可写作：", "the header may also read: "), lang) + ", ".join(column.aliases))
    return _text(("；", "; "), lang).join(notes)


def _example(column: Column, choices: Sequence[str]) -> object:
    return choices[0] if choices else EXAMPLES.get(column.name, "")


def _as_text_cell(sheet: Worksheet, row: int, column: int, value: object) -> None:
    """Write a value; text that a spreadsheet would run as a formula (codes and names come from users) stays
    text."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"


def _header_rows(sheet: Worksheet, layout: Layout, first_row: int) -> None:
    for position, column in enumerate(layout.columns, start=1):
        for offset, text in enumerate((column.header_zh, column.header_en)):
            cell = sheet.cell(row=first_row + offset, column=position, value=text)
            cell.font, cell.border, cell.alignment = BOLD, BOX, CENTRE
            cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL


def _data_sheet(book: Workbook, layout: Layout, title: str, lists: dict[str, str], lang: str) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    _header_rows(sheet, layout, 1)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.row_dimensions[1].height = sheet.row_dimensions[2].height = 30
    title_zh, title_en, message_zh, message_en = DROP_DOWN_WARNING
    for position, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(position)
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_ROW}"
        widest = max(2 * len(column.header_zh), len(column.header_en))
        sheet.column_dimensions[letter].width = min(max(widest + 4, 12), 40)
        sheet.column_dimensions[letter].number_format = NUMBER_FORMATS[column.type]
        if column.name in lists:
            validation = DataValidation(type="list", formula1=lists[column.name], allow_blank=True,
                                        errorStyle="warning", showErrorMessage=True,
                                        errorTitle=_text((title_zh, title_en), lang),
                                        error=_text((message_zh, message_en), lang))
        elif column.type in BOUNDS:
            operator, low, high = BOUNDS[column.type]
            validation = DataValidation(type="decimal", operator=operator, formula1=str(low),
                                        formula2=None if high is None else str(high), allow_blank=True,
                                        errorStyle="warning", showErrorMessage=True,
                                        error=_text(TYPE_TEXTS[column.type], lang))
        else:
            continue
        validation.add(cells)
        sheet.add_data_validation(validation)


def _lists_sheet(book: Workbook, layout: Layout, choices: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The hidden sheet of drop-down values, one column per list; column name → its range formula."""
    ranges: dict[str, str] = {}
    sheet: Worksheet | None = None
    for column in layout.columns:
        values = list(choices.get(column.name, ()))
        if not values:
            continue
        if sheet is None:
            sheet = book.create_sheet(LISTS_SHEET)
            sheet.sheet_state = "hidden"
        position = len(ranges) + 1
        for row, value in enumerate(values, start=1):
            _as_text_cell(sheet, row, position, value)
        letter = get_column_letter(position)
        ranges[column.name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
    return ranges


def _instructions_sheet(book: Workbook, layout: Layout, data_sheet: str,
                        choices: Mapping[str, Sequence[str]], lang: str) -> None:
    sheet = book.create_sheet(_text(SHEET_TITLE, lang))
    sheet.cell(row=1, column=1, value=f"{_text((layout.title_zh, layout.title_en), lang)} — "
                                      f"{_text(('导入模板填写说明', 'import template: how to fill it in'), lang)}"
               ).font = TITLE_FONT
    row = 3
    for step in _steps(layout, data_sheet, bool(choices), lang):
        sheet.cell(row=row, column=1, value=step)
        row += 1
    row += 1
    for position, text in enumerate(_text(COLUMN_TABLE_HEADER, lang), start=1):
        cell = sheet.cell(row=row, column=position, value=text)
        cell.font, cell.border, cell.fill = BOLD, BOX, OPTIONAL_FILL
    yes, no = _text(YES_NO, lang)
    for column in layout.columns:
        row += 1
        values = choices.get(column.name, ())
        cells = (column.header_zh, column.header_en, _text(TYPE_TEXTS[column.type], lang),
                 yes if column.required else no, _example(column, values), _notes(column, values, lang))
        for position, value in enumerate(cells, start=1):
            _as_text_cell(sheet, row, position, value)
            sheet.cell(row=row, column=position).border = BOX
            sheet.cell(row=row, column=position).alignment = WRAP
    row += 2
    sheet.cell(row=row, column=1, value=_text(EXAMPLE_TITLE, lang)).font = BOLD
    _header_rows(sheet, layout, row + 1)
    for position, column in enumerate(layout.columns, start=1):
        _as_text_cell(sheet, row + 3, position, _example(column, choices.get(column.name, ())))
    for letter, width in zip("ABCDEF", (18, 24, 34, 8, 18, 48), strict=True):
        sheet.column_dimensions[letter].width = width


def template_workbook(kind: str, *, lang: str, choices: Mapping[str, Sequence[str]]) -> bytes:
    """The xlsx template of ``kind`` with texts in ``lang`` ("zh"/"en"); ``choices`` maps a column name to the
    values of its drop-down (codes, usernames); enumerations default to the layout's own choices."""
    layout = LAYOUTS[kind]
    every_choice = {column.name: column.choices for column in layout.columns if column.choices} | {
        name: tuple(values) for name, values in choices.items() if values}
    data_sheet = _text((layout.title_zh, layout.title_en), lang)
    book = Workbook()
    lists = _lists_sheet(book, layout, every_choice)
    _data_sheet(book, layout, data_sheet, lists, lang)
    _instructions_sheet(book, layout, data_sheet, every_choice, lang)
    if LISTS_SHEET in book.sheetnames:
        book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
