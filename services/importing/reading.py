"""Reading an uploaded spreadsheet into a RawTable: cells as the file holds them, rows numbered as users see them."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RawTable:
    """One sheet of one upload, before validation.

    ``frame`` has the canonical column names found in the header (layout order) and the row numbers the user
    sees as its index; its values are as read (object dtype: str / int / float / bool / datetime / None).
    ``unknown_columns`` are header texts that match no column, listed to the user, never dropped silently.
    """

    kind: str
    sheet: str
    frame: pd.DataFrame
    unknown_columns: tuple[str, ...]
