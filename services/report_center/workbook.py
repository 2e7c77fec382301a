"""A report's data tables as one xlsx workbook: a "report" sheet saying what it is, then one sheet per table.

The cells are written by :func:`components.tables.to_xlsx_sheets`, the one xlsx writer: numbers stay numbers,
text that a spreadsheet would run as a formula (a project named ``=cmd|…``) stays text.
"""
from __future__ import annotations

import pandas as pd

from components.i18n import translate
from components.tables import to_xlsx_sheets
from services.report_center.blocks import ReportContent, content_digest

COVER_SHEET = "report"


def cover(content: ReportContent) -> pd.DataFrame:
    """What the workbook is: title, scope, period and the provenance, one row each."""
    lang, stated = content.request.language, content.provenance
    rows = [
        ("rc.book.title", content.title),
        ("rc.book.scope", content.scope_name),
        ("rc.book.kind", content.request.kind),
        ("rc.book.period", content.period_label),
        ("rc.book.start", content.period_start.isoformat()),
        ("rc.book.end", content.period_end.isoformat()),
        ("rc.prov.scheme", f"{stated.scheme_name} (#{stated.scheme_id})"),
        ("rc.prov.data_version", stated.data_version),
        ("rc.prov.data_as_of", "" if stated.data_as_of is None else stated.data_as_of.isoformat()),
        ("rc.prov.month", content.extra.get("scored_month", "")),
        ("rc.prov.software", stated.software_version),
        ("rc.prov.audit_id", stated.audit_entry_id),
        ("rc.prov.audit_hash", stated.audit_entry_hash or ""),
        ("rc.book.built_at", stated.built_at.isoformat(timespec="seconds")),
        ("rc.book.digest", content_digest(content)),
    ]
    return pd.DataFrame({translate("rc.col.item", lang): [translate(key, lang) for key, _ in rows],
                         translate("rc.col.value", lang): [value for _, value in rows]})


def sheet_names(content: ReportContent) -> list[str]:
    """The sheets in order: the cover, then each table's key (cut to 31 characters, made unique with ~2, ~3…)."""
    names, taken = [COVER_SHEET], {COVER_SHEET}
    for table in content.tables():
        name, n = table.key[:31], 2
        while name in taken:
            suffix = f"~{n}"
            name, n = table.key[:31 - len(suffix)] + suffix, n + 1
        names.append(name)
        taken.add(name)
    return names


def workbook_bytes(content: ReportContent) -> bytes:
    """The xlsx of a report: its cover sheet and every table (``*_all`` tables included: they are for this)."""
    frames = [cover(content), *(table.frame for table in content.tables())]
    return to_xlsx_sheets(dict(zip(sheet_names(content), frames, strict=True)))
