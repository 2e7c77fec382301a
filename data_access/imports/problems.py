"""A problem an import found, pointing at the cell a person must fix."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem: ``row`` is the row number the user sees (Excel's row, or the csv line), ``column`` the
    canonical column name (None: the whole row or file). Messages are complete sentences in both languages."""

    sheet: str
    row: int | None
    column: str | None
    message_zh: str
    message_en: str
    value: str = ""

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh
