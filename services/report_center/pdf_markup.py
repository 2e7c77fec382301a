"""A report's blocks as the HTML that :mod:`services.report_center.pdf` prints: every string escaped.

The stylesheet (``report.css``) does the layout; this module only writes structure and words. Section numbers,
figure and table numbers are written into the text (not CSS counters) so that text extraction, screen readers
and a copied paragraph keep them.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import math
from collections.abc import Mapping

import pandas as pd

from components import formatting
from components.i18n import translate
from services.report_center.blocks import Figure, Highlight, ReportContent, Section, Table

WHITE_PAPER_KINDS = ("white_paper_quarter", "white_paper_year")  # data_access.models.REPORT_KINDS
FRONT_KEYS = ("foreword",)  # printed before the numbered sections, unnumbered, on a page of its own
APPENDIX_KEYS = ("methodology", "provenance")  # printed after the numbered sections, unnumbered, from a new page
SHORT_TABLE_ROWS = 15  # a table this short is kept on one page, with its caption
KEEP_TOGETHER_CHARS = 12  # a text cell this short never wraps
WORKBOOK_ONLY_SUFFIX = "_all"  # blocks.Table: such tables are the workbook's, the PDF prints their companion
HTML_LANGUAGES = {"zh": "zh-CN"}  # the document's lang attribute where it is not the language code itself
_ZH_DIGITS = "〇一二三四五六七八九"
TREND_WORDS = {"better": "report_pdf.better", "worse": "report_pdf.worse", "same": "report_pdf.same"}


def esc(text: object) -> str:
    """``text`` as HTML text (quotes included, so it is also safe inside an attribute)."""
    return html.escape(str(text), quote=True)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (section numbers up to 99).

    >>> [chinese_number(n) for n in (1, 9, 10, 11, 20, 35, 99)]
    ['一', '九', '十', '十一', '二十', '三十五', '九十九']
    """
    if not 0 < n < 100:
        raise ValueError(f"section number out of range: {n}")
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")
    return head + (_ZH_DIGITS[units] if units else "")


def chinese_year_month(day: dt.date) -> str:
    """The date line of a Chinese white paper's cover: 2026-11-30 → 二〇二六年十一月.

    >>> chinese_year_month(dt.date(2026, 11, 30))
    '二〇二六年十一月'
    """
    year = "".join(_ZH_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{chinese_number(day.month)}月"


def section_number(n: int, lang: str) -> str:
    """一、 (Chinese) or 1. (English): the prefix of the ``n``-th section's heading."""
    return f"{chinese_number(n)}、" if lang == "zh" else f"{n}. "


def printed_tables(section: Section) -> list[Table]:
    """The section's tables that the PDF prints (those keyed ``*_all`` are for the workbook only)."""
    return [table for table in section.tables if not table.key.endswith(WORKBOOK_ONLY_SUFFIX)]


def _column_decimals(column: pd.Series) -> int:
    numbers = [abs(float(v)) for v in column if isinstance(v, (int, float)) and not pd.isna(v)]
    return 1 if not numbers or max(numbers) >= 1 else 3


def _cell_text(value: object, decimals: int, lang: str) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return formatting.date(value.date(), lang)
    if isinstance(value, dt.date):
        return formatting.date(value, lang)
    return str(value)


def _cell_class(text: str, is_number: bool) -> str:
    """Numbers right-aligned; short words ("第 5 / 188 名", "184 of 188") kept on one line."""
    if is_number:
        return "num"
    return "text keep" if len(text) <= KEEP_TOGETHER_CHARS else "text"


def table_html(table: Table, number: int, lang: str) -> str:
    """A table with its caption, header row (repeated on every page it spans), numbers right-aligned."""
    frame = table.frame
    numeric = [pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
               for column in frame.columns]
    decimals = [_column_decimals(frame[column]) if is_number else 0
                for column, is_number in zip(frame.columns, numeric, strict=True)]
    head = "".join(f'<th class="{"num" if is_number else "text"}">{esc(column)}</th>'
                   for column, is_number in zip(frame.columns, numeric, strict=True))
    rows = []
    for row in frame.itertuples(index=False):
        texts = [_cell_text(value.item() if hasattr(value, "item") else value, places, lang)
                 for value, places in zip(row, decimals, strict=True)]
        cells = "".join(f'<td class="{_cell_class(text, is_number)}">{esc(text)}</td>'
                        for text, is_number in zip(texts, numeric, strict=True))
        rows.append(f"<tr>{cells}</tr>")
    caption = f'{esc(translate("report_pdf.table", lang, n=number))}　{esc(table.caption)}'
    note = f'<p class="table-note">{esc(table.note)}</p>' if table.note else ""
    length = "short" if len(frame) <= SHORT_TABLE_ROWS else "long"
    return (f'<div class="table-block {length}"><table><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}</div>")


def figure_html(figure: Figure, image: bytes, number: int, lang: str) -> str:
    """A chart as an embedded PNG (a data: URL, the only kind of URL the PDF may load) with caption and alt."""
    source = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    width = min(100, round(figure.width / 8))  # 800 CSS px and wider fill the text width
    caption = f'{esc(translate("report_pdf.figure", lang, n=number))}　{esc(figure.caption)}'
    return (f'<figure class="chart"><img src="{source}" alt="{esc(figure.alt)}" style="width: {width}%">'
            f"<figcaption>{caption}</figcaption></figure>")


def highlight_html(highlight: Highlight, lang: str) -> str:
    """A headline tile: the value large, the change with its arrow and, beside the colour, the word for it."""
    trend = highlight.trend or "none"
    change = ""
    if highlight.change:
        words = f' · <span class="trend-word">{esc(translate(TREND_WORDS[highlight.trend], lang))}</span>' \
            if highlight.trend in TREND_WORDS else ""
        change = f'<div class="tile-change"><span class="change-text">{esc(highlight.change)}</span>{words}</div>'
    tone = f" severity-{highlight.severity}" if highlight.severity else ""
    return (f'<div class="tile trend-{trend}{tone}"><div class="tile-label">{esc(highlight.label)}</div>'
            f'<div class="tile-value">{esc(highlight.value)}</div>{change}</div>')


def section_html(section: Section, anchor: str, heading: str, lang: str, images: Mapping[str, bytes],
                 counters: dict[str, int], css_class: str = "") -> str:
    """One section under ``heading``; ``counters`` carries figure and table numbers across sections."""
    parts = [f'<section class="report-section {css_class}" id="{anchor}"><h2>{esc(heading)}</h2>']
    followed = bool(section.highlights or section.figures or printed_tables(section))
    last = len(section.paragraphs) - 1
    parts += [f'<p class="{"lead-in" if followed and n == last else ""}">{esc(paragraph)}</p>'
              for n, paragraph in enumerate(section.paragraphs)]
    if section.highlights:
        parts.append('<div class="tiles">' + "".join(highlight_html(h, lang) for h in section.highlights) + "</div>")
    for figure in section.figures:
        counters["figure"] += 1
        parts.append(figure_html(figure, images[figure.key], counters["figure"], lang))
    for table in printed_tables(section):
        counters["table"] += 1
        parts.append(table_html(table, counters["table"], lang))
    parts.append("</section>")
    return "".join(parts)


def hash_box(content: ReportContent, lang: str) -> str:
    """The audit chain's head when the report was built, in full, in a monospace box."""
    head = content.provenance.audit_entry_hash or translate("report_pdf.no_audit", lang)
    return (f'<p class="hash-label">{esc(translate("report_pdf.audit_head", lang))}</p>'
            f'<pre class="hash">{esc(head)}</pre>')


def _without_the_hash(section: Section, audit_hash: str | None) -> Section:
    """The content's provenance section without the table row that holds the hash (the box shows it whole)."""
    if audit_hash is None:
        return section
    tables = tuple(Table(t.key, t.caption, t.frame[~t.frame.isin([audit_hash]).any(axis=1)], t.note)
                   for t in section.tables)
    return Section(section.key, section.heading, section.paragraphs, section.highlights, section.figures, tables)


def running_header(content: ReportContent) -> str:
    """The line at the top of every page: title · scope · period."""
    line = " · ".join((content.title, content.scope_name, content.period_label))
    return f'<div class="running-header">{esc(line)}</div>'


def _built_at(content: ReportContent, lang: str) -> str:
    built = content.provenance.built_at
    return f"{formatting.date(built.date(), lang)} {built:%H:%M}"


def title_block(content: ReportContent, lang: str) -> str:
    """Page 1 of a weekly, monthly or quarterly report: title, subtitle and the facts that frame it."""
    facts = [("report_pdf.scope", content.scope_name), ("report_pdf.period", content.period_label),
             ("report_pdf.built_at", _built_at(content, lang))]
    if content.publisher:
        facts.append(("report_pdf.publisher", content.publisher))
    rows = "".join(f"<tr><th>{esc(translate(key, lang))}</th><td>{esc(value)}</td></tr>" for key, value in facts)
    subtitle = f'<p class="subtitle">{esc(content.subtitle)}</p>' if content.subtitle else ""
    return (f'<header class="title-block"><h1>{esc(content.title)}</h1>{subtitle}'
            f'<table class="facts">{rows}</table></header>')


def cover(content: ReportContent, lang: str) -> str:
    """The white paper's cover page: publisher, title, scope and period, and the date of publication."""
    published = content.provenance.built_at.date()
    date_line = chinese_year_month(published) if lang == "zh" else formatting.month(published, lang)
    subtitle = f'<p class="cover-subtitle">{esc(content.subtitle)}</p>' if content.subtitle else ""
    publisher = esc(content.publisher) if content.publisher else ""
    return (f'<section class="cover"><div class="cover-band"></div>'
            f'<h1 class="cover-title">{esc(content.title)}</h1><div class="cover-rule"></div>{subtitle}'
            f'<p class="cover-scope">{esc(content.scope_name)}</p>'
            f'<div class="cover-foot"><p class="cover-publisher">{publisher}</p>'
            f'<p class="cover-date">{esc(date_line)}</p></div><div class="cover-band bottom"></div></section>')


def contents_page(headings: list[tuple[str, str]], lang: str) -> str:
    """The white paper's table of contents: each heading with the page it starts on (``target-counter``)."""
    entries = "".join(f'<li><a href="#{anchor}">{esc(text)}</a></li>' for anchor, text in headings)
    return f'<nav class="contents"><h2>{esc(translate("report_pdf.contents", lang))}</h2><ol>{entries}</ol></nav>'


def provenance_html(content: ReportContent, lang: str) -> str:
    """The appendix that makes the report checkable: scheme, data version and time, software, audit head."""
    provenance = content.provenance
    scheme = provenance.scheme_name + (f" (#{provenance.scheme_id})" if provenance.scheme_id is not None else "")
    facts = [("report_pdf.scheme", scheme), ("report_pdf.data_version", str(provenance.data_version)),
             ("report_pdf.data_as_of", formatting.date(provenance.data_as_of, lang)),
             ("report_pdf.software", provenance.software_version),
             ("report_pdf.built_at", _built_at(content, lang))]
    if provenance.audit_entry_id is not None:
        facts.append(("report_pdf.audit_entry", f"#{provenance.audit_entry_id}"))
    rows = "".join(f"<tr><th>{esc(translate(key, lang))}</th><td>{esc(value)}</td></tr>" for key, value in facts)
    return (f'<section class="report-section appendix first-appendix" id="provenance">'
            f'<h2>{esc(provenance_heading(lang))}</h2>'
            f'<p>{esc(translate("report_pdf.provenance_intro", lang))}</p><table class="facts">{rows}</table>'
            f"{hash_box(content, lang)}</section>")


def provenance_heading(lang: str) -> str:
    """The heading of the provenance appendix the PDF adds when the content has none."""
    return translate("report_pdf.provenance", lang)


def body_html(content: ReportContent, images: Mapping[str, bytes]) -> tuple[str, list[tuple[str, str]]]:
    """The foreword on a page of its own, the numbered sections, then the appendices (methodology, provenance)
    unnumbered from a new page, with the audit head's box in the provenance; and (anchor, heading) of each for
    the contents page."""
    lang = content.request.language
    counters = {"figure": 0, "table": 0}
    parts: list[str] = []
    headings: list[tuple[str, str]] = []
    for position, section in enumerate(s for s in content.sections if s.key in FRONT_KEYS):
        anchor = f"front-{position + 1}"
        parts.append(section_html(section, anchor, section.heading, lang, images, counters, "front-matter"))
        headings.append((anchor, section.heading))
    numbered = [section for section in content.sections if section.key not in (*FRONT_KEYS, *APPENDIX_KEYS)]
    appendices = [section for section in content.sections if section.key in APPENDIX_KEYS]
    for number, section in enumerate(numbered, start=1):
        anchor, heading = f"section-{number}", section_number(number, lang) + section.heading
        parts.append(section_html(section, anchor, heading, lang, images, counters))
        headings.append((anchor, heading))
    for position, section in enumerate(appendices):
        anchor = f"appendix-{position + 1}"
        css_class = "appendix" + (" first-appendix" if position == 0 else "")
        if section.key == "provenance":
            shown = _without_the_hash(section, content.provenance.audit_entry_hash)
            parts.append(section_html(shown, anchor, section.heading, lang, images, counters, css_class)
                         .removesuffix("</section>") + hash_box(content, lang) + "</section>")
        else:
            parts.append(section_html(section, anchor, section.heading, lang, images, counters, css_class))
        headings.append((anchor, section.heading))
    if not any(section.key == "provenance" for section in appendices):
        added = provenance_html(content, lang)
        parts.append(added if not appendices else added.replace(" first-appendix", ""))
        headings.append(("provenance", provenance_heading(lang)))
    return "".join(parts), headings


def report_html(content: ReportContent, images: Mapping[str, bytes], stylesheet: str) -> str:
    """The whole report as one HTML document (``images``: PNG bytes per figure key)."""
    lang = content.request.language
    body, headings = body_html(content, images)
    white_paper = content.request.kind in WHITE_PAPER_KINDS
    front = cover(content, lang) + contents_page(headings, lang) if white_paper else title_block(content, lang)
    created = content.provenance.data_as_of or content.period_end
    meta = (f'<meta name="author" content="{esc(content.publisher)}">'
            f'<meta name="dcterms.created" content="{created.isoformat()}">'
            f'<meta name="dcterms.modified" content="{created.isoformat()}">'
            '<meta name="generator" content="perfdash">')
    return (f'<!DOCTYPE html><html lang="{HTML_LANGUAGES.get(lang, lang)}"><head><meta charset="utf-8">'
            f"<title>{esc(content.title)}</title>{meta}<style>{stylesheet}</style></head>"
            f'<body class="{"white-paper" if white_paper else "periodic"} lang-{lang}">'
            f"{running_header(content)}{front}{body}</body></html>")
