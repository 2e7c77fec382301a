"""The alert centre's and the rectification board's derived columns (pure: frames in, frames out).

Days open are counted in China time (the users' calendar): an alert opened at 20:00 UTC on the 29th was opened on
the 30th in Beijing. The history reads as sentences in the user's language: status names, "system" for the
evaluator, and its English notes translated.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from components.i18n import translate
from scoring.checkin import CHINA_TIME

SEVERITY_RANK = {"red": 0, "orange": 1, "yellow": 2}
ESCALATED = re.compile(r"escalated after ([0-9.]+) days unacknowledged")
SYSTEM_NOTES = {"condition persists after closing": "alerts.note.persists",
                "condition cleared in the data": "alerts.note.cleared"}


def china_today() -> dt.date:
    """Today's date on the users' calendar (China time), whatever the server's time zone."""
    return dt.datetime.now(CHINA_TIME).date()


def days_open(opened_at: pd.Series, today: dt.date) -> pd.Series:
    """Whole calendar days from the day each alert opened (China time) to ``today``; 0 on the day it opened.

    >>> days_open(pd.Series([pd.Timestamp("2026-11-20 01:00", tz="UTC")]), dt.date(2026, 11, 30)).tolist()
    [10]
    """
    stamps = pd.to_datetime(opened_at, utc=True)
    opened_on = stamps.dt.tz_convert(CHINA_TIME).dt.tz_localize(None).dt.normalize()
    return (pd.Timestamp(today) - opened_on).dt.days.astype("Int64")


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _note(note: object, lang: str) -> str:
    if _missing(note):
        return ""
    text = str(note)
    if text in SYSTEM_NOTES:
        return translate(SYSTEM_NOTES[text], lang)
    escalated = ESCALATED.fullmatch(text)
    if escalated:
        return translate("alerts.note.escalated", lang, days=f"{float(escalated[1]):g}")
    return text


def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """An alert's events newest first, with catalog headers: time (China time, to the minute), who, from, to, note.

    ``history`` has the columns of ``data_access.alerts.alert_history`` (occurred_at, actor, from_status,
    to_status, note); an event without an actor is the system's, one without a previous status the opening.
    """
    def status(value: object) -> str:
        return "—" if _missing(value) else translate(f"alert_status.{value}", lang)

    events = history.iloc[::-1]
    stamps = pd.to_datetime(events["occurred_at"], utc=True).dt.tz_convert(CHINA_TIME)
    return pd.DataFrame({
        translate("alerts.history.time", lang): stamps.dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        translate("alerts.history.actor", lang): [translate("alerts.history.system", lang)
                                                  if _missing(actor) else str(actor)
                                                  for actor in events["actor"]],
        translate("alerts.history.from", lang): [status(value) for value in events["from_status"]],
        translate("alerts.history.to", lang): [status(value) for value in events["to_status"]],
        translate("alerts.history.note", lang): [_note(note, lang) for note in events["note"]],
    })


def board_order(alerts: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The rectification board's cards, most urgent first, with an ``overdue`` column.

    Overdue tasks first (a due date before ``today`` and not yet submitted), then by severity (red, orange,
    yellow), then by due date (none last), then newest alert first.
    """
    due = pd.to_datetime(alerts["due_date"])
    overdue = (alerts["status"].isin(["open", "acknowledged", "rectifying"]) & due.notna()
               & (due < pd.Timestamp(today))).to_numpy(dtype=bool)
    frame = alerts.assign(overdue=overdue, _late=np.where(overdue, 0, 1),
                          _severity=alerts["severity"].map(SEVERITY_RANK).fillna(len(SEVERITY_RANK)),
                          _due=due, _id=-alerts["id"].astype(int))
    return (frame.sort_values(["_late", "_severity", "_due", "_id"], na_position="last", kind="stable")
            .drop(columns=["_late", "_severity", "_due", "_id"]).reset_index(drop=True))
