"""A built report on the page: its blocks as Streamlit elements (every string escaped: report text is data) and
the buttons that download its PDF and workbook."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.tables import XLSX_MIME, attachment_button
from components.text import plain
from services.report_center.blocks import ReportContent, Section
from webapp.i18n import t

HIGHLIGHTS_PER_ROW = 4


def file_name(kind: str, period: str, build_id: int, extension: str) -> str:
    """``monthly-2026-10-17.pdf``: ASCII, so every browser and mail client keeps it."""
    return f"{kind}-{period}-{build_id}.{extension}"


def file_buttons(kind: str, period: str, build_id: int, pdf: bytes | Callable[[], bytes],
                 xlsx: bytes | Callable[[], bytes], key: str) -> None:
    """PDF and xlsx side by side (callables read the bytes only when pressed)."""
    left, right, _ = st.columns([1, 1, 2])
    with left:
        attachment_button(file_name(kind, period, build_id, "pdf"), pdf, f"{key}_pdf",
                          label=t("report_center.download_pdf"), mime="application/pdf", stretch=True)
    with right:
        attachment_button(file_name(kind, period, build_id, "xlsx"), xlsx, f"{key}_xlsx",
                          label=t("report_center.download_xlsx"), mime=XLSX_MIME, stretch=True)


# The change text carries its own ▲/▼ and words; the colour says better (green) or worse (red), as in the PDF.
DELTA_COLOURS = {"better": "normal", "worse": "inverse"}


def _section(section: Section, key: str) -> None:
    st.subheader(plain(section.heading), anchor=False)
    for paragraph in section.paragraphs:
        st.markdown(plain(paragraph))
    for start in range(0, len(section.highlights), HIGHLIGHTS_PER_ROW):
        row = section.highlights[start:start + HIGHLIGHTS_PER_ROW]
        for column, highlight in zip(st.columns(HIGHLIGHTS_PER_ROW), row, strict=False):
            label = plain(highlight.label)
            column.metric(f":{highlight.severity}[●] {label}" if highlight.severity else label, highlight.value,
                          highlight.change, delta_color=DELTA_COLOURS.get(highlight.trend or "", "off"),
                          delta_arrow="off", border=True)
    for figure in section.figures:
        st.caption(plain(figure.caption))
        st.plotly_chart(figure.figure, key=f"{key}_{figure.key}", alt=figure.alt)
    for table in section.tables:
        if table.key.endswith("_all"):  # workbook-only (blocks.Table): the short companion is shown
            continue
        st.caption(plain(table.caption))
        st.dataframe(table.frame, hide_index=True, width="stretch")
        if table.note:
            st.caption(plain(table.note))


def show_content(content: ReportContent, key: str) -> None:
    """The report's title and sections, in order, as the PDF has them."""
    st.markdown(f"### {plain(content.title)}")
    if content.subtitle:
        st.caption(plain(content.subtitle))
    for section in content.sections:
        _section(section, f"{key}_{section.key}")
