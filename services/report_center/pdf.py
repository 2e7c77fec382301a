"""A report as a PDF to print and publish: weasyprint with embedded Noto Sans CJK (and Noto Sans Thai for Thai),
charts drawn offline.

Nothing is fetched while printing: the charts are PNGs made by :mod:`services.report_center.chart_images` and
embedded as data: URLs, and the URL fetcher refuses every other scheme. The PDF's dates come from the data
(``data_as_of``, else the period's end), not from the clock; what still differs between two builds of the same
data is the build time printed on the title page and in the appendix, the audit head, and weasyprint's random
XMP document id.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import weasyprint

from components.colours import GREEN, GREY, RED, WARNING_COLOURS
from components.i18n import translate
from services.report_center.blocks import ReportContent
from services.report_center.chart_images import ChartRenderer, renderer
from services.report_center.pdf_markup import report_html

STYLESHEET = Path(__file__).with_name("report.css")
_PAGE, _PAGES = "\ue000", "\ue001"  # placeholders that no catalog text contains


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def page_footer_content(lang: str) -> str:
    """The footer as a CSS ``content`` value: "第 " counter(page) " 页 / 共 " counter(pages) " 页"."""
    text = translate("report_pdf.page_of", lang, page=_PAGE, pages=_PAGES)
    tokens: list[str] = []
    literal = ""
    for char in text:
        if char in (_PAGE, _PAGES):
            if literal:
                tokens.append(_css_string(literal))
            tokens.append("counter(page)" if char == _PAGE else "counter(pages)")
            literal = ""
        else:
            literal += char
    if literal:
        tokens.append(_css_string(literal))
    return " ".join(tokens)


def stylesheet(lang: str) -> str:
    """report.css plus what depends on the language and the house colours."""
    trends = "".join(f".trend-{trend} {{ border-left-color: {colour}; }} "
                     f".trend-{trend} .tile-change {{ color: {colour}; }}"
                     for trend, colour in (("better", GREEN), ("worse", RED), ("same", GREY)))
    severities = "".join(f".severity-{severity} {{ border-left-color: {WARNING_COLOURS[severity]}; }} "
                         for severity in ("red", "orange", "yellow"))
    return (STYLESHEET.read_text(encoding="utf-8")
            + f"@page {{ @bottom-center {{ content: {page_footer_content(lang)}; }} }}"
            + "@page cover { @bottom-center { content: none; } }" + trends + severities)


def _data_urls_only() -> weasyprint.URLFetcher:
    """A fetcher that loads the report's own data: URLs and refuses everything else (no file, no network)."""
    return weasyprint.URLFetcher(allowed_protocols=("data",))


def figure_images(content: ReportContent, charts: ChartRenderer | None = None) -> dict[str, bytes]:
    """PNG bytes per figure key, drawn by ``charts`` or, if None, by one browser opened for this report."""
    figures = [figure for section in content.sections for figure in section.figures]
    repeated = sorted({figure.key for figure in figures if [f.key for f in figures].count(figure.key) > 1})
    if repeated:  # one key would print one chart in two places
        raise ValueError(f"figure keys repeat in the report: {', '.join(repeated)}")
    if not figures:
        return {}
    if charts is None:
        with renderer() as own:
            return figure_images(content, own)
    return {figure.key: charts.png(figure.figure, figure.width, figure.height) for figure in figures}


def html_to_pdf(document: str) -> bytes:
    """Print an HTML document that loads nothing but data: URLs."""
    printed: bytes = weasyprint.HTML(string=document, url_fetcher=_data_urls_only()).write_pdf(pdf_tags=True)
    return printed


def pdf_bytes(content: ReportContent, *, charts: ChartRenderer | None = None,
              images: Mapping[str, bytes] | None = None) -> bytes:
    """The report as PDF bytes. Pass ``charts`` to reuse an open browser across reports, or ``images``
    (PNG per figure key) if the figures are drawn already."""
    drawn = images if images is not None else figure_images(content, charts)
    lang = content.request.language
    return html_to_pdf(report_html(content, drawn, stylesheet(lang)))
