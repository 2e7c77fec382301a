"""Table download helpers: every table can be downloaded exactly as shown, as CSV and as Excel."""
from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from components.i18n import t


def to_xlsx(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()


def download_buttons(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV (UTF-8 with BOM, so Excel shows Chinese correctly) and XLSX of ``frame`` side by side."""
    left, right = st.columns([1, 1])
    left.download_button(t("projects.download_csv"), frame.to_csv(index=False).encode("utf-8-sig"), f"{name}.csv",
                         "text/csv", key=f"{key}_csv", width="stretch")
    right.download_button(t("projects.download_xlsx"), to_xlsx(frame, name), f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                          width="stretch")
