"""The one way perfdash hands out files: every table as CSV and Excel, exactly as shown, and stored attachments.

Cells are user text (project names, rule names, the username typed into the login form …) that a spreadsheet
would run as a formula if it began with ``=``, ``+``, ``-``, ``@``, tab or carriage return. CSV cells that
do get a leading apostrophe (OWASP's advice); xlsx cells keep their text and are written as string cells.
Numbers stay numbers. Pages call ``download_buttons``/``attachment_button`` and never ``st.download_button``.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import TypeGuard

import pandas as pd
import streamlit as st

from components.i18n import translate
from components.text import plain

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _is_formula_like(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _defused(value: object) -> object:
    return "'" + value if _is_formula_like(value) else value


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with BOM (so Excel shows Chinese correctly), formula-like text prefixed with ``'``;
    CRLF row ends, so that a CR or LF inside a cell is quoted instead of splitting the row."""
    safe = frame.map(_defused).rename(columns=_defused)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """One sheet; formula-like text is stored as a string cell, never as a formula."""
    return to_xlsx_sheets({sheet: frame})


def to_xlsx_sheets(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, in order, named by its key (cut to Excel's 31 characters); formula-like text is
    stored as a string cell, never as a formula; numbers stay numbers."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in frames.items():
            frame.to_excel(writer, sheet_name=sheet[:31], index=False)
            for row in writer.sheets[sheet[:31]].iter_rows():
                for cell in row:
                    if _is_formula_like(cell.value):
                        cell.data_type = "s"
    return buffer.getvalue()


def download_buttons(frame: pd.DataFrame, name: str, key: str, *, lang: str) -> None:
    """CSV and XLSX of ``frame`` side by side, labelled in ``lang``, built only when clicked (a click does not
    rerun the page): building an xlsx on every run of a page cost more CPU than the rest of the run."""
    left, right = st.columns([1, 1])
    left.download_button(translate("projects.download_csv", lang), lambda: to_csv(frame), f"{name}.csv",
                         "text/csv", key=f"{key}_csv", on_click="ignore", width="stretch")
    right.download_button(translate("projects.download_xlsx", lang), lambda: to_xlsx(frame, name),
                          f"{name}.xlsx", XLSX_MIME, key=f"{key}_xlsx", on_click="ignore", width="stretch")


def attachment_button(filename: str, content: bytes | Callable[[], bytes], key: str, *, label: str | None = None,
                      mime: str | None = None, stretch: bool = False) -> None:
    """A stored attachment under its (user-chosen) name; the button shows ``label`` or the name, as plain text.

    ``content`` may be a callable that reads the bytes only when the button is pressed (photos on a page).
    """
    st.download_button(plain(label or filename), content, filename, mime, key=key,
                       on_click="ignore" if callable(content) else "rerun", width="stretch" if stretch else "content")
