"""The 报告中心 page's words and tables: kept builds as people read them, and when a subscription delivers next."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from components.i18n import LANGUAGE_NAMES, name_suffix, translate
from components.rating_charts import beijing_time
from scoring.report_periods import containing, length_of


def next_delivery(kind: str, today: dt.date) -> dt.date:
    """The day the scheduler sends the next report of ``kind``: the day after the current period ends.

    >>> next_delivery("monthly", dt.date(2026, 11, 30)), next_delivery("weekly", dt.date(2026, 11, 30))
    (datetime.date(2026, 12, 1), datetime.date(2026, 12, 7))
    """
    return containing(length_of(kind), today).end + dt.timedelta(days=1)


def scope_name(row: pd.Series, lang: str) -> str:
    """A build's scope in words: its region (and category, department), or every region."""
    region = row[f"region_{name_suffix(lang)}"]
    parts = [translate("report_center.scope_all", lang) if pd.isna(region) else str(region)]
    for column in ("category", "department"):
        name = row[f"{column}_{name_suffix(lang)}"]
        if not pd.isna(name):
            parts.append(str(name))
    return " · ".join(parts)


def builds_table(builds: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The kept builds as the page lists them: title, kind, scope, period, language, built by and when (Beijing
    time), the digest of what it states (equal for two builds of the same data) and the PDF's SHA-256, both
    shortened to 12 digits (the full ones are in the opened build)."""
    def word(key: str) -> str:
        return translate(key, lang)

    return pd.DataFrame({
        word("report_center.col_title"): builds["title"].astype(str),
        word("report_center.col_kind"): [translate(f"report_center.kind.{kind}", lang) for kind in builds["kind"]],
        word("report_center.col_scope"): [scope_name(row, lang) for _, row in builds.iterrows()],
        word("report_center.col_period"): builds["period_label"].astype(str),
        word("report_center.col_language"): builds["language"].map(LANGUAGE_NAMES),
        word("report_center.col_built_by"): [translate("report_center.scheduler", lang) if pd.isna(name)
                                             else str(name) for name in builds["built_by"]],
        word("report_center.col_built_at"): [beijing_time(moment) for moment in builds["built_at"]],
        word("report_center.col_digest"): builds["content_digest"].str[:12],
        word("report_center.col_sha"): builds["pdf_sha256"].str[:12],
    })
