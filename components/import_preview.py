"""The import preview: the file's rows with the cells that have a problem highlighted."""
from __future__ import annotations

from collections.abc import Set

import pandas as pd
from pandas.io.formats.style import Styler

from components.colours import RED

BAD_CELL = "background-color: {colour}33; font-weight: 600"  # the red warning colour, 20 % opaque


def highlighted(frame: pd.DataFrame, bad_cells: Set[tuple[object, str]]) -> Styler:
    """``frame`` styled for ``st.dataframe``: each (index label, column) in ``bad_cells`` tinted red."""
    style = BAD_CELL.format(colour=RED)

    def column_styles(column: pd.Series) -> list[str]:
        return [style if (row, column.name) in bad_cells else "" for row in column.index]

    return frame.style.apply(column_styles, axis=0)
