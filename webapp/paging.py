"""One page of a long list (the rectification board, the Gantt, the inbox), so no page grows past a few screens."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from webapp.i18n import t


def one_page(frame: pd.DataFrame, size: int, key: str, shown_key: str) -> pd.DataFrame:
    """The rows of the chosen page (a page number input appears when there is more than one page), under a caption
    ``shown_key`` saying which rows of how many these are (``{first}``, ``{last}``, ``{n}``)."""
    pages = max(1, math.ceil(len(frame) / size))
    number = 1
    if pages > 1:
        pager, _ = st.columns([1, 3])
        number = int(pager.number_input(f"{t('common.page')} (1–{pages})", min_value=1, max_value=pages, value=1,
                                        step=1, key=key))
    first = (min(number, pages) - 1) * size
    chosen = frame.iloc[first:first + size]
    if len(frame):
        st.caption(t(shown_key, first=first + 1, last=first + len(chosen), n=len(frame)))
    return chosen
