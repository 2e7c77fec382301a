"""What a report says, as plain blocks: the PDF, the workbook and the page's preview all draw these.

Everything in a block is already in the report's language and is *text as data*: a renderer escapes every
string it draws. Numbers stay numbers in tables (the workbook keeps them computable); the words around them
are formatted by the assembler. A report is reproducible: :func:`content_digest` hashes what it states (every
table cell, every paragraph and highlight), never when it was built, so the same data snapshot and period
give the same digest.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

Language = Literal["zh", "en", "vi", "th"]  # data_access.models.REPORT_LANGUAGES
Trend = Literal["better", "worse", "same"]


@dataclass(frozen=True)
class ReportRequest:
    """Which report: kind (``data_access.models.REPORT_KINDS``), period label (``scoring.report_periods``),
    scope (a region; None = everything the viewer sees; optionally one category and one department) and
    language."""

    kind: str
    period: str
    region_id: int | None = None
    language: Language = "zh"
    category: str | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class Highlight:
    """A headline figure: "平均得分 82.4 ▲ 1.3 较上期" — label, value as shown, change as shown, and whether the
    change is for the better (colour and arrow follow it; the words carry it too). ``severity`` marks a count of
    warnings of that colour (red, orange, yellow), drawn in the warning colours every page uses; the label
    names the colour too."""

    label: str
    value: str
    change: str | None = None
    trend: Trend | None = None
    severity: Literal["red", "orange", "yellow"] | None = None


@dataclass(frozen=True)
class Table:
    """A table: ``key`` names its workbook sheet (short, ASCII), ``frame`` has columns in the report's language.

    A table whose ``key`` ends with ``_all`` (e.g. ``ranking_all``, every project ranked) is data for the
    workbook only: the PDF and the page's preview do not print it (they print its short companion, e.g.
    ``ranking`` with the top 15 and bottom 5, whose ``note`` says the full list is in the xlsx).
    """

    key: str
    caption: str
    frame: pd.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart, drawn as a static image in the PDF at ``width`` × ``height`` CSS pixels (and as a figure in the
    page's preview). ``alt`` says in words what it shows (print, screen readers, colour-blind readers)."""

    key: str
    caption: str
    figure: go.Figure
    alt: str
    width: int = 1200
    height: int = 600


@dataclass(frozen=True)
class Section:
    """One numbered section of a report, in order: heading, words, headline figures, charts, tables."""

    key: str
    heading: str
    paragraphs: tuple[str, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Provenance:
    """What makes the report checkable later: the weight scheme, the data's version and time, the software,
    and the audit chain's head when it was built (compare it with the audit log and its anchors)."""

    scheme_id: int | None
    scheme_name: str
    data_version: int
    data_as_of: dt.date | None
    software_version: str
    audit_entry_id: int | None
    audit_entry_hash: str | None
    built_at: dt.datetime


@dataclass(frozen=True)
class ReportContent:
    """A whole report: title page words, sections in order, provenance."""

    request: ReportRequest
    title: str
    subtitle: str
    scope_name: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    sections: tuple[Section, ...]
    provenance: Provenance
    publisher: str = ""  # who publishes it, for the white paper's cover (e.g. 开封市人民政府)
    extra: dict[str, str] = field(default_factory=dict)

    def tables(self) -> list[Table]:
        """Every table of the report in order (the workbook's sheets)."""
        return [table for section in self.sections for table in section.tables]


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float):
        return round(value, 9)  # the last bits of a float sum depend on the order it was added in
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return value if isinstance(value, (int, str, bool)) else str(value)


PROVENANCE_SECTION = "provenance"  # the section printing the provenance: left out of the digest


def content_digest(content: ReportContent) -> str:
    """SHA-256 of what the report states: request, titles, every paragraph, highlight and table cell.

    Build time and the audit head are left out (they differ between two builds of the same data: keeping a
    build is audited), and so is the section keyed :data:`PROVENANCE_SECTION` that prints them; the data
    version and the scheme are in (a report on other data or weights states other things).
    """
    stated = {
        "request": [content.request.kind, content.request.period, content.request.region_id,
                    content.request.language, content.request.category, content.request.department_id],
        "title": [content.title, content.subtitle, content.scope_name, content.period_label],
        "scheme": content.provenance.scheme_id,
        "data_version": content.provenance.data_version,
        "sections": [
            [section.key, section.heading, list(section.paragraphs),
             [[h.label, h.value, h.change, h.trend] for h in section.highlights],
             [[t.key, t.caption, t.note, [str(c) for c in t.frame.columns],
               [[_cell(v) for v in row] for row in t.frame.itertuples(index=False)]] for t in section.tables]]
            for section in content.sections if section.key != PROVENANCE_SECTION],
    }
    return hashlib.sha256(json.dumps(stated, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
