"""Validating a read table cell by cell: text becomes typed values, and every bad cell becomes a Problem.

Two steps, both vectorised over whole columns so that 100,000 rows take about a second. Parsing turns text into
numbers and dates with pandas (``to_numeric``; ``to_datetime`` with one format at a time over the cells still
unparsed), so a cell that is not a number or not a date is found here. The checks on parsed values (required,
ranges, lengths, choices, end before start) are one pandera schema per layout, built from its Columns and run
lazily, so every failing cell is reported at once rather than the first. Duplicate keys are found with pandas,
which can skip incomplete keys and name the first row of each key.

Bad cells are None / NaN in the typed frame; a row that is entirely empty is dropped without a problem.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from components.i18n import translate
from data_access.imports.layouts import LAYOUTS, Column, ColumnType, Layout
from data_access.imports.problems import Problem
from services.importing.reading import RawTable

T = ColumnType
NUMERIC_TYPES = frozenset({T.NUMBER, T.PERCENT, T.MONEY, T.LATITUDE, T.LONGITUDE})
NUMBER_CLASSES = (int, float, np.int64, np.float64)  # as spreadsheet readers give numbers; bool is not one

# Numbers that must be whole, with their range (a milestone's place in its project).
WHOLE_NUMBERS: dict[str, tuple[int, int]] = {"seq": (1, 999)}
# Numbers that may not be negative beyond the MONEY columns.
NOT_NEGATIVE = frozenset({"weight_override"})
# Days perfdash accepts at all; anything outside is a typing error (26/3/1, a serial of 2,000,000, or 2026.03
# typed into Excel, which keeps it as the number 2026.03: serial 2026 is in 1905).
FIRST_YEAR, LAST_YEAR = 1950, 2199
EXCEL_EPOCH = "1899-12-30"
LAST_SERIAL = (dt.date(LAST_YEAR, 12, 31) - dt.date(1899, 12, 30)).days
DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y年%m月%d号", "%Y-%m-%d %H:%M:%S",
               "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")
MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％／：", "0123456789.,-+%/:")
FULL_WIDTH_CHARACTERS = "[０-９．，－＋％／：]"
CHINESE_NUMERALS = r"[〇零一二三四五六七八九十]"
SHOWN_LENGTH = 50

# Message templates: {zh}/{en} are the column's headers, {value} the cell as shown. Every message names the
# column and, where there is one, what the cell holds.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("「{zh}」不能为空。", "{en} is required; this cell is empty."),
    "number": ("「{zh}」须为数字，此处为「{value}」。", "{en} must be a number; this cell holds \"{value}\"."),
    "percent": ("「{zh}」须在 0 到 100 之间，此处为 {value}。",
                "{en} must be between 0 and 100; this cell holds {value}."),
    "not_negative": ("「{zh}」不能为负数，此处为 {value}。", "{en} cannot be negative; this cell holds {value}."),
    "latitude": ("「{zh}」须在 -90 到 90 之间，此处为 {value}。",
                 "{en} must be between -90 and 90; this cell holds {value}."),
    "longitude": ("「{zh}」须在 -180 到 180 之间，此处为 {value}。",
                  "{en} must be between -180 and 180; this cell holds {value}."),
    "whole_number": ("「{zh}」须为 {low} 到 {high} 之间的整数，此处为 {value}。",
                     "{en} must be a whole number from {low} to {high}; this cell holds {value}."),
    "max_length": ("「{zh}」最多 {limit} 个字符，此处有 {length} 个。",
                   "{en} may have at most {limit} characters; this cell has {length}."),
    "choice": ("「{zh}」须为以下之一：{choices_zh}，此处为「{value}」。",
               "{en} must be one of: {choices_en}; this cell holds \"{value}\"."),
    "date": ("「{zh}」不是日期，此处为「{value}」；请写成 2026-03-01、2026/3/1 或 2026年3月1日。",
             "{en} is not a date: \"{value}\"; write it as 2026-03-01, 2026/3/1 or 2026年3月1日."),
    "month": ("「{zh}」不是月份，此处为「{value}」；请写成 2026-03、2026/3 或 2026年3月。",
              "{en} is not a month: \"{value}\"; write it as 2026-03, 2026/3 or 2026年3月."),
    "numerals": ("「{zh}」请用阿拉伯数字书写日期，如 2026年3月，此处为「{value}」。",
                 "{en}: please write dates with digits, e.g. 2026-03; this cell holds \"{value}\"."),
    "end_before_start": ("「{zh}」（{value}）早于「{start_zh}」（{start}）。",
                         "{en} ({value}) is before {start_en} ({start})."),
    "duplicate": ("与第 {first} 行的{key_zh}相同。", "Same key ({key_en}) as row {first}."),
}


def validate(table: RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed rows of ``table`` and every problem in its cells, sorted by row and then column.

    The typed frame has one column per layout column (in layout order; a column the file lacks is empty) and
    the table's index, less the rows that are entirely empty.
    """
    layout = LAYOUTS[table.kind]
    raw = pd.DataFrame({c.name: _cleaned(_column_or_empty(table.frame, c.name)) for c in layout.columns},
                       index=table.frame.index)
    raw = raw[raw.notna().any(axis=1)]
    parsed: dict[str, pd.Series] = {}
    failures: list[tuple[Any, str, str]] = []  # (row, column, message code)
    for column in layout.columns:
        values, codes = _parse(raw[column.name], column)
        parsed[column.name] = values
        failures.extend((row, column.name, code) for row, code in codes.dropna().items())
    typed = pd.DataFrame(parsed, index=raw.index)
    unparsed = {(row, name) for row, name, _ in failures}
    present = frozenset(table.frame.columns)
    failures.extend(f for f in _schema_failures(typed, layout, present) if (f[0], f[1]) not in unparsed)
    problems = _cell_problems(table.sheet, layout, raw, typed, failures)
    _blank_failed_cells(typed, layout, failures)
    problems.extend(_duplicate_problems(table.sheet, layout, typed))
    order = {column.name: position for position, column in enumerate(layout.columns)}
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", len(order))))
    return _finished(typed, raw, layout), problems


# -- cleaning and parsing -------------------------------------------------------------------------------------


def _column_or_empty(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _is_text(cells: pd.Series) -> pd.Series:
    return cells.map(type).isin([str])


def _cleaned(cells: pd.Series) -> pd.Series:
    """Cells as objects with text trimmed and blank cells (None, NaN, only spaces) as None."""
    cells = cells.astype(object)
    is_text = _is_text(cells)
    if is_text.any():  # trimmed as pyarrow strings: in C, not cell by cell
        cells = cells.where(~is_text, cells[is_text].astype(str).str.strip().astype(object))
    blank = cells.isna() | (is_text & cells.eq(""))
    return cells.where(~blank, None)


def _parse(cells: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Typed values and, per cell, the message code of a cell that could not be parsed (None where fine)."""
    if column.type in NUMERIC_TYPES:
        return _numbers(cells, percent=column.type is T.PERCENT)
    if column.type in (T.DATE, T.MONTH):
        return _days(cells, monthly=column.type is T.MONTH)
    codes = pd.Series(None, index=cells.index, dtype=object)
    text = _text(cells)
    if column.type is T.CHOICE and text.notna().any():
        text = text.str.lower().map(_choice_codes(column)).where(lambda s: s.notna(), text).astype(object)
    return text, codes


def _text(cells: pd.Series) -> pd.Series:
    """Text as typed; a number from a spreadsheet (a code such as 1001) without a trailing ``.0``."""
    result = cells.copy()
    other = cells.notna() & ~_is_text(cells)
    if other.any():
        numbers = pd.to_numeric(cells[other], errors="coerce")
        whole = numbers.notna() & np.isfinite(numbers) & (numbers % 1 == 0)
        result[other] = cells[other].astype(str).astype(object)
        result[whole[whole].index] = numbers[whole].astype("int64").astype(str).astype(object)
    return result


def _choice_codes(column: Column) -> dict[str, str]:
    """Every accepted spelling (lower case) → its code: the code itself and its Chinese and English labels."""
    spellings = {code.lower(): code for code in column.choices}
    for code in column.choices:
        for lang in ("zh", "en"):
            spellings[_choice_label(column, code, lang).lower()] = code
    return spellings


def _choice_label(column: Column, code: str, lang: str) -> str:
    if column.name == "status":  # the project statuses: the labels the pages show
        return translate(f"status.{code}", lang)
    return code


def _normalised_text(cells: pd.Series) -> pd.Series:
    """Text cells with full-width digits and signs made ASCII (NaN for cells that are not text)."""
    text = cells[_is_text(cells)].astype(str)
    if text.str.contains(FULL_WIDTH_CHARACTERS).any():  # rare: spare the per-cell translation otherwise
        text = text.str.translate(FULL_WIDTH)
    return text.reindex(cells.index)


def _number_text(cells: pd.Series) -> pd.Series:
    """Text cells as a number is read from them: ASCII, without thousands separators or spaces."""
    return _normalised_text(cells).str.replace(r"[,\s]", "", regex=True)


def _numbers(cells: pd.Series, *, percent: bool) -> tuple[pd.Series, pd.Series]:
    """Floats from numbers and from text such as " 1,234.5 ", "１２" or (percent) "12%"."""
    text = _number_text(cells)
    if percent:
        text = text.str.removesuffix("%")
    is_number = cells.map(type).isin(NUMBER_CLASSES)
    source = text.astype(object).where(text.notna(), cells.where(is_number, "not a number"))
    numbers = pd.to_numeric(source, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))
    codes = pd.Series(None, index=cells.index, dtype=object).where(~(cells.notna() & numbers.isna()), "number")
    return numbers, codes


def _days(cells: pd.Series, *, monthly: bool) -> tuple[pd.Series, pd.Series]:
    """Days (months: their first day) from date cells, Excel serials, 20260301 / 202603 and written dates."""
    days = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    kinds = cells.map(type)
    is_moment = kinds.isin([dt.datetime, dt.date, pd.Timestamp])
    if is_moment.any():  # a day outside perfdash's years stays unparsed (9999-12-31 would overflow the type)
        years = cells[is_moment].map(lambda moment: moment.year).astype(int)
        plausible = years.between(FIRST_YEAR, LAST_YEAR).reindex(cells.index, fill_value=False).astype(bool)
        if plausible.any():
            days[plausible] = pd.to_datetime(cells[plausible])
    text = _normalised_text(cells)
    number_like = kinds.isin(NUMBER_CLASSES) | text.str.fullmatch(r"\d+").fillna(False).astype(bool)
    if number_like.any():
        days = days.fillna(_days_from_numbers(pd.to_numeric(cells.where(~kinds.isin([str]), text)[number_like]),
                                              monthly=monthly))
    formats = MONTH_FORMATS + DAY_FORMATS if monthly else DAY_FORMATS
    # Every written form starts with the year: one outside perfdash's years is not parsed (1000-01 overflows).
    year = pd.to_numeric(text.str.extract(r"^(\d{4})", expand=False), errors="coerce")
    parseable = text.notna() & ~(year.notna() & ~year.between(FIRST_YEAR, LAST_YEAR))
    for pattern in formats:
        pending = text[days.isna() & parseable]
        if pending.empty:
            break
        days = days.fillna(pd.to_datetime(pending, format=pattern, errors="coerce"))
    days = days.where(days.dt.year.between(FIRST_YEAR, LAST_YEAR))
    failed = cells.notna() & days.isna()
    numerals = text.str.contains(CHINESE_NUMERALS).fillna(False).astype(bool)
    codes = pd.Series(None, index=cells.index, dtype=object)
    codes[failed] = "month" if monthly else "date"
    codes[failed & numerals] = "numerals"
    stamps = days.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]" if monthly else "datetime64[D]")
    dates = pd.Series(stamps.astype("datetime64[D]").astype(object), index=cells.index, dtype=object)
    return dates.where(days.notna(), None), codes


def _days_from_numbers(numbers: pd.Series, *, monthly: bool) -> pd.Series:
    """20260301 → that day, (months) 202603 → that month, otherwise an Excel serial (46082 = 2026-03-01)."""
    days = pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[ns]")
    whole = numbers.notna() & (numbers % 1 == 0)
    eight_digits = whole & numbers.between(FIRST_YEAR * 10_000 + 101, LAST_YEAR * 10_000 + 1231)
    days = days.fillna(pd.to_datetime(numbers[eight_digits].astype("int64").astype(str), format="%Y%m%d",
                                      errors="coerce"))
    if monthly:
        six_digits = whole & numbers.between(FIRST_YEAR * 100 + 1, LAST_YEAR * 100 + 12)
        days = days.fillna(pd.to_datetime(numbers[six_digits].astype("int64").astype(str), format="%Y%m",
                                          errors="coerce"))
    serial = numbers.between(1, LAST_SERIAL + 1, inclusive="left") & days.isna()
    return days.fillna(pd.to_datetime(numbers[serial].floordiv(1), unit="D", origin=EXCEL_EPOCH))


# -- checks on parsed values ----------------------------------------------------------------------------------


def _schema(layout: Layout, present: frozenset[str]) -> pa.DataFrameSchema:
    """One pandera schema for ``layout``, from its Columns; each check's error is its message code.

    A required column the file lacks is reported once by the reader, so here it is not required cell by cell.
    """
    columns = {
        column.name: pa.Column(float if column.type in NUMERIC_TYPES else None, checks=_checks(column),
                               nullable=not (column.required and column.name in present))
        for column in layout.columns
    }
    names = {column.name for column in layout.columns}
    checks = []
    if {"planned_start", "planned_end"} <= names:
        # ignore_na=False: by default pandera skips every row with any empty cell (an empty description).
        checks.append(pa.Check(_end_not_before_start, error="end_before_start", ignore_na=False))
    return pa.DataFrameSchema(columns, checks=checks)


def _checks(column: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if column.type is T.PERCENT:
        checks.append(pa.Check.in_range(0, 100, error="percent"))
    if column.type is T.MONEY or column.name in NOT_NEGATIVE:
        checks.append(pa.Check.ge(0, error="not_negative"))
    if column.type is T.LATITUDE:
        checks.append(pa.Check.in_range(-90, 90, error="latitude"))
    if column.type is T.LONGITUDE:
        checks.append(pa.Check.in_range(-180, 180, error="longitude"))
    if column.name in WHOLE_NUMBERS:
        low, high = WHOLE_NUMBERS[column.name]
        checks.append(pa.Check(_whole_between(low, high), error="whole_number"))
    if column.max_length is not None:
        checks.append(pa.Check.str_length(max_value=column.max_length, error="max_length"))
    if column.type is T.CHOICE:
        checks.append(pa.Check.isin(column.choices, error="choice"))
    return checks


def _whole_between(low: int, high: int) -> Callable[[pd.Series], pd.Series]:
    def check(values: pd.Series) -> pd.Series:
        return (values % 1 == 0) & values.between(low, high)

    return check


def _end_not_before_start(frame: pd.DataFrame) -> pd.Series:
    start, end = pd.to_datetime(frame["planned_start"]), pd.to_datetime(frame["planned_end"])
    return ~(end < start)


def _schema_failures(typed: pd.DataFrame, layout: Layout, present: frozenset[str]) -> list[tuple[Any, str, str]]:
    """(row, column, message code) of every cell failing a check: pandera, lazily, so all of them at once."""
    try:
        _schema(layout, present).validate(typed, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    cases = cases[cases["index"].notna()]
    codes = cases["check"].where(cases["check"] != "not_nullable", "required")
    # A row-wide check lists every column of the row; its problem belongs on the end date.
    columns = cases["column"].where(codes != "end_before_start", "planned_end")
    found = pd.DataFrame({"row": cases["index"], "column": columns, "code": codes}).drop_duplicates()
    return list(found.itertuples(index=False, name=None))


def _duplicate_problems(sheet: str, layout: Layout, typed: pd.DataFrame) -> list[Problem]:
    """Each row whose complete key an earlier row already has: "same key as row N" (N the first such row)."""
    keys = typed[list(layout.key)]
    keys = keys[keys.notna().all(axis=1)]
    first_rows = pd.Series(keys.index, index=keys.index).groupby([keys[k] for k in layout.key]).transform("first")
    repeated = first_rows[first_rows != first_rows.index]
    if repeated.empty:
        return []
    headers = [layout.column(k) for k in layout.key]
    key_zh = "、".join(f"「{c.header_zh}」" for c in headers)
    zh, en = MESSAGES["duplicate"]
    key_en = " / ".join(c.header_en for c in headers)
    shown_keys = keys.loc[repeated.index].astype(object).map(_shown).agg(" / ".join, axis=1)
    return [Problem(sheet, int(row), None, zh.format(first=first, key_zh=key_zh),
                    en.format(first=first, key_en=key_en), value)
            for row, first, value in zip(repeated.index, repeated, shown_keys, strict=True)]


# -- problems and the finished frame --------------------------------------------------------------------------


def _cell_problems(sheet: str, layout: Layout, raw: pd.DataFrame, typed: pd.DataFrame,
                   failures: list[tuple[Any, str, str]]) -> list[Problem]:
    """The Problem of each failing cell, its cells looked up a column at a time (100,000 bad cells: a second)."""
    if not failures:
        return []
    found = pd.DataFrame(failures, columns=["row", "column", "code"])
    problems: list[Problem] = []
    for name, group in found.groupby("column", sort=False):
        column = layout.column(str(name))
        positions = raw.index.get_indexer(pd.Index(group["row"]))
        cells = raw[column.name].to_numpy()[positions]
        if "end_before_start" in set(group["code"]):
            starts = typed["planned_start"].to_numpy()[positions]
            ends = typed[column.name].to_numpy()[positions]
        else:
            starts = ends = np.full(len(positions), None)
        problems.extend(_problem(sheet, layout, column, int(row), str(code), cell, (start, end))
                        for row, code, cell, start, end in zip(group["row"], group["code"], cells, starts, ends,
                                                               strict=True))
    return problems


def _problem(sheet: str, layout: Layout, column: Column, row: int, code: str, cell: object,
             dates: tuple[object, object]) -> Problem:
    """``dates``: the typed planned start and end of the row (used by "end before start" only)."""
    value = _shown(cell)
    details: dict[str, object] = {"zh": column.header_zh, "en": column.header_en, "value": value}
    if code == "max_length":
        details |= {"limit": column.max_length, "length": len(str(cell))}
    elif code == "whole_number":
        details |= dict(zip(("low", "high"), WHOLE_NUMBERS[column.name], strict=True))
    elif code == "choice":
        details |= {f"choices_{lang}": sep.join(_choice_label(column, c, lang) for c in column.choices)
                    for lang, sep in (("zh", "、"), ("en", ", "))}
    elif code == "end_before_start":
        start = layout.column("planned_start")
        details |= {"start_zh": start.header_zh, "start_en": start.header_en, "start": _shown(dates[0]),
                    "value": _shown(dates[1])}
    zh, en = MESSAGES[code]
    return Problem(sheet, row, column.name, zh.format(**details), en.format(**details), value)


def _shown(value: object) -> str:
    """A cell as a person reads it: 120 not 120.0, 2026-03-01 not 2026-03-01 00:00:00, long text cut short."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime) and value.time() == dt.time():
        text = value.date().isoformat()
    else:
        text = str(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _blank_failed_cells(typed: pd.DataFrame, layout: Layout, failures: list[tuple[Any, str, str]]) -> None:
    """A bad cell is NaN (numbers) or None (everything else) in the typed frame."""
    rows_by_column: dict[str, list[Any]] = {}
    for row, name, _ in failures:
        rows_by_column.setdefault(name, []).append(row)
    for name, rows in rows_by_column.items():
        typed.loc[rows, name] = np.nan if layout.column(name).type in NUMERIC_TYPES else None


def _finished(typed: pd.DataFrame, raw: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """Money as an exact Decimal of 万元 (from the text as written, or a spreadsheet number's shortest form);
    None, never NaN, for an empty or bad cell of a column that is not a float."""
    for column in layout.columns:
        values = typed[column.name]
        if column.type is T.MONEY:
            written = _number_text(raw[column.name])
            exact = written.astype(object).where(written.notna(), values.map(repr))
            typed[column.name] = exact.where(values.notna(), None).map(Decimal, na_action="ignore")
        if column.type not in NUMERIC_TYPES or column.type is T.MONEY:
            typed[column.name] = typed[column.name].astype(object).where(typed[column.name].notna(), None)
    return typed
