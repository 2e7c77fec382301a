"""What a checked file looks like to a person: its problems as a table or as lines, and its rows for the preview.

Columns are named by the header the user's template has (项目编码 / Project code), not the code's names; cell
values are shown as text exactly as they were in the file, so that a bad cell can be found and fixed.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from components.i18n import name_suffix, stored_text, translate
from data_access.imports import LAYOUTS, ColumnType, ImportBatchResult, Problem
from services.importing.pipeline import CheckedFile

CHANGE_KEYS = {"new": "import.change_new", "changed": "import.change_changed",
               "unchanged": "import.change_unchanged", None: "import.change_problem"}
KINDS = tuple(LAYOUTS)
PREVIEW_ROWS = 500  # Styler draws every cell: the rows with problems first, then the rest up to this many


def header(kind: str, column: str | None, lang: str) -> str:
    """The template's header of ``column`` in ``lang`` (a name no layout knows is shown as it is)."""
    if column is None:
        return ""
    found = next((c for c in LAYOUTS[kind].columns if c.name == column), None)
    if found is None:
        return column
    return stored_text(lang, found.header_zh, found.header_en)


def kind_title(kind: str, lang: str) -> str:
    layout = LAYOUTS[kind]
    return stored_text(lang, layout.title_zh, layout.title_en)


def problem_table(problems: Sequence[Problem], kind: str, lang: str) -> pd.DataFrame:
    """One row per problem: sheet, row, column header, message and the cell's value, labelled in ``lang``."""
    labels = [translate(key, lang) for key in ("import.col_sheet", "import.col_row", "import.col_column",
                                               "import.col_message", "import.col_value")]
    rows = [(p.sheet, p.row, header(kind, p.column, lang), p.message(name_suffix(lang)), p.value) for p in problems]
    frame = pd.DataFrame(rows, columns=labels)
    frame[labels[1]] = frame[labels[1]].astype("Int64")
    return frame


def problem_line(problem: Problem, kind: str, lang: str) -> str:
    """One problem as a line of the command line's report."""
    where = translate("import.where_row", lang, sheet=problem.sheet, row=problem.row) if problem.row is not None \
        else problem.sheet
    column = header(kind, problem.column, lang)
    message = problem.message(name_suffix(lang))
    line = f"{where} · {column}: {message}" if column else f"{where}: {message}"
    return f"{line} [{problem.value}]" if problem.value else line


def _cell_text(value: object, *, month: bool = False) -> str:
    """A cell as text: numbers without a trailing .0, a month as 2026-03."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if month and isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.datetime):  # a date the file held as a date and time
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def _before_text(kind: str, before: object, lang: str) -> str:
    """The stored values a changed row replaces, e.g. 数值 38.779."""
    if not isinstance(before, Mapping):
        return ""
    return "; ".join(f"{header(kind, column, lang)} {_cell_text(value)}" for column, value in before.items())


def preview(checked: CheckedFile, lang: str) -> tuple[pd.DataFrame, set[tuple[int, str]]]:
    """The rows for the preview as text (a bad cell as the file had it) with a change column, and the
    (row, column label) of every bad cell. Rows with problems come first; at most ``PREVIEW_ROWS`` rows."""
    if checked.table is None or checked.typed is None:
        return pd.DataFrame(), set()
    columns = [c.name for c in LAYOUTS[checked.kind].columns if c.name in checked.typed.columns]
    bad = {(p.row, p.column) for p in checked.problems if p.row is not None and p.column is not None}
    bad_rows = {row for row, _ in bad} | {p.row for p in checked.problems if p.row is not None}
    order = [*sorted(r for r in bad_rows if r in checked.typed.index),
             *(r for r in checked.typed.index if r not in bad_rows)][:PREVIEW_ROWS]
    raw = checked.table.frame
    shown = pd.DataFrame(index=pd.Index(order, name=translate("import.col_row", lang)))
    for column in columns:
        is_month = LAYOUTS[checked.kind].column(column).type == ColumnType.MONTH
        shown[header(checked.kind, column, lang)] = [
            _cell_text(raw.at[row, column]) if (row, column) in bad and column in raw.columns
            else _cell_text(checked.typed.at[row, column], month=is_month) for row in order]
    changes = checked.plan.rows["change"] if checked.plan is not None else pd.Series(dtype=object)
    change_keys = [CHANGE_KEYS.get(None if row in bad_rows else changes.get(row), CHANGE_KEYS[None]) for row in order]
    shown[translate("import.col_change", lang)] = [translate(key, lang) for key in change_keys]
    befores = checked.plan.rows["before"] if checked.plan is not None and "before" in checked.plan.rows \
        else pd.Series(dtype=object)
    shown[translate("import.col_before", lang)] = [
        _before_text(checked.kind, befores.get(row), lang) if row not in bad_rows else "" for row in order]
    cells = {(row, header(checked.kind, column, lang)) for row, column in bad if row in shown.index}
    return shown, cells


def counts(checked: CheckedFile) -> dict[str, int]:
    """New / changed / unchanged rows as planned, rows with a problem left out (zeros when nothing could be
    planned)."""
    if checked.plan is None:
        return dict.fromkeys(("new", "changed", "unchanged"), 0)
    bad_rows = {problem.row for problem in checked.problems if problem.row is not None}
    changes = checked.plan.rows["change"]
    planned = changes[~changes.index.isin(bad_rows)].value_counts()
    return {change: int(planned.get(change, 0)) for change in ("new", "changed", "unchanged")}


def batch_counts(result: ImportBatchResult) -> dict[str, int]:
    """New / changed / unchanged rows a committed batch wrote."""
    return {change: int(result.counts.get(change, 0)) for change in ("new", "changed", "unchanged")}


def when(batch: Mapping[str, object], lang: str) -> str:
    """When a batch was imported, to the minute."""
    stamp = batch.get("uploaded_at")
    if not isinstance(stamp, dt.datetime):
        return ""
    return stamp.strftime(stored_text(lang, "%Y年%m月%d日 %H:%M", "%Y-%m-%d %H:%M"))


HISTORY_COLUMNS = {"id": "import.batch_id", "uploaded_at": "import.batch_when", "kind": "import.batch_kind",
                   "filename": "import.batch_file", "uploaded_by": "import.batch_by",
                   "status": "import.batch_status", "new_rows": "import.count_new",
                   "changed_rows": "import.count_changed", "unchanged_rows": "import.count_unchanged"}
STATUS_KEYS = {"applied": "import.status_applied", "rolled_back": "import.status_rolled_back",
               "rejected": "import.status_rejected"}


def history_table(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The batches as shown: kind and status in words, columns labelled in ``lang``."""
    shown = batches[[column for column in HISTORY_COLUMNS if column in batches.columns]].copy()
    shown["kind"] = shown["kind"].map(lambda kind: kind_title(kind, lang))
    shown["status"] = shown["status"].map(lambda status: translate(STATUS_KEYS[status], lang))
    return shown.rename(columns={column: translate(key, lang) for column, key in HISTORY_COLUMNS.items()})
