"""Milestone timeline (Gantt): the plan as a pale bar, what happened on top of it in the status colour.

Status per milestone, as of ``today``: finished (``actual_end`` given) green, from planned start to actual
end; overdue (not finished, ``planned_end`` < today) red, from planned start to today, so the overrun past
the planned end shows; in progress blue, filled to ``percent_complete`` of the planned span.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import MILESTONE_COLOURS
from components.formatting import date, month
from components.i18n import translate
from components.text import html_text

STATUSES = ("finished", "in_progress", "overdue")
ROW_HEIGHT = 28  # room for 12 px labels on every row
MARGINS = 160  # the date axis above and below, and the legend under the chart
LABEL_PX = 12
CUSTOMDATA_FIELDS = ("milestone_id", "project_id", "project", "milestone", "plan", "actual_end", "complete",
                     "status", "lateness")


def _status(finished: np.ndarray, planned_end: pd.Series, today: pd.Timestamp) -> np.ndarray:
    return np.where(finished, "finished", np.where(planned_end.to_numpy() < today, "overdue", "in_progress"))


def _lateness(row: pd.Series, today: pd.Timestamp, lang: str) -> str:
    """Days after (or before) the planned end: of the actual end when finished, else of today if overdue."""
    if row["status"] == "in_progress":
        return ""
    end = row["actual_end"] if row["status"] == "finished" else today
    days = (end - row["planned_end"]).days
    if days == 0:
        return translate("gantt.on_time", lang)
    return translate("gantt.late" if days > 0 else "gantt.early", lang, days=abs(days))


def month_ticks(start: pd.Timestamp, end: pd.Timestamp, lang: str) -> tuple[list[pd.Timestamp], list[str]]:
    """About eight month ticks from ``start`` to ``end`` (every 1, 2, 3, 6 or 12 months), the same on the top and
    bottom axes.

    >>> month_ticks(pd.Timestamp("2026-01-15"), pd.Timestamp("2026-04-02"), "en")[1]
    ['Feb 2026', 'Mar 2026', 'Apr 2026']
    """
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((months for months in (1, 2, 3, 6, 12) if span / months <= 8), 12 * (span // 96 + 1))
    first = pd.Timestamp(start.year, start.month, 1) + pd.DateOffset(months=1)
    first = pd.Timestamp(first.year, ((first.month - 1) // step) * step + 1, 1) if step <= 12 else first
    if first < start:
        first += pd.DateOffset(months=step)
    ticks = list(pd.date_range(first, end, freq=pd.DateOffset(months=step)))
    return ticks, [month(tick.date(), lang) for tick in ticks]


def _day(value: pd.Timestamp, lang: str) -> str:
    return "—" if pd.isna(value) else date(value.date(), lang)


def milestone_gantt(milestones: pd.DataFrame, today: dt.date, lang: str = "zh",
                    group_column: str | None = None) -> go.Figure:
    """Horizontal timeline, one row per milestone, with a vertical "today" line.

    Columns: ``project``, ``milestone`` (display labels), ``planned_start``, ``planned_end``, ``actual_end``
    (missing while unfinished), ``percent_complete`` (0–100); optional ``id`` (milestone) and ``project_id``
    for drill-down. Rows are labelled by milestone; with several projects each project's name heads its
    milestones on a row of its own, written across the chart (the axis labels stay short enough for a phone). With
    ``group_column`` (e.g. district or department label) rows are grouped under a bold header row. Groups
    and projects keep the caller's order (first appearance); milestones follow their planned start.
    Rows sit at integer positions (first on top) so equal labels never merge; the height grows by
    ``ROW_HEIGHT`` per row (pages show a few projects at a time: ``webapp.paging``). The date axis is drawn at the
    top and at the bottom; the legend sits under the chart, clear of plotly's toolbar.

    ``customdata`` per bar (plan and status traces alike): ``[milestone id, project id, project, milestone,
    plan text, actual end text, percent text, status text, lateness text]``.
    """
    today_ts = pd.Timestamp(today)
    frame = milestones.copy()
    for column in ("project", "milestone", *([group_column] if group_column else [])):  # user text, not markup
        frame[column] = frame[column].map(html_text)
    for column in ("planned_start", "planned_end", "actual_end"):
        frame[column] = pd.to_datetime(frame[column])
    frame["percent_complete"] = frame["percent_complete"].astype(float).clip(0, 100)
    frame["status"] = _status(frame["actual_end"].notna().to_numpy(), frame["planned_end"], today_ts)
    frame["_project_order"] = pd.factorize(frame["project_id"] if "project_id" in frame else frame["project"])[0]
    frame["_group_order"] = pd.factorize(frame[group_column])[0] if group_column else 0
    frame = frame.sort_values(["_group_order", "_project_order", "planned_start"], kind="stable").reset_index(drop=True)

    several = frame["_project_order"].nunique() > 1
    tick_text: list[str] = []
    positions = []
    project_rows: list[tuple[int, str]] = []  # (row, project label) of each project's header row
    previous_group, previous_project = object(), object()
    for _, row in frame.iterrows():
        if group_column and row[group_column] != previous_group:
            previous_group = row[group_column]
            tick_text.append(f"<b>{previous_group}</b>")
        if several and row["_project_order"] != previous_project:
            previous_project = row["_project_order"]
            project_rows.append((len(tick_text), str(row["project"])))
            tick_text.append("")
        positions.append(len(tick_text))
        tick_text.append(str(row["milestone"]))
    frame["y"] = positions

    duration = frame["planned_end"] - frame["planned_start"]
    finish = frame["planned_start"] + duration * (frame["percent_complete"] / 100)
    finish = finish.where(frame["status"] != "overdue", today_ts)
    frame["bar_end"] = frame["actual_end"].where(frame["status"] == "finished", finish)

    status_words = {status: translate(f"gantt.status.{status}", lang) for status in STATUSES}
    customdata = np.column_stack([
        frame["id"] if "id" in frame else np.full(len(frame), None),
        frame["project_id"] if "project_id" in frame else np.full(len(frame), None),
        frame["project"].astype(str), frame["milestone"].astype(str),
        [f"{_day(s, lang)} – {_day(e, lang)}"
         for s, e in zip(frame["planned_start"], frame["planned_end"], strict=True)],
        [_day(e, lang) for e in frame["actual_end"]],
        [f"{p:.1f} %" for p in frame["percent_complete"]],
        frame["status"].map(status_words),
        [_lateness(row, today_ts, lang) for _, row in frame.iterrows()],
    ]) if len(frame) else np.empty((0, len(CUSTOMDATA_FIELDS)), dtype=object)
    hover = ("<b>%{customdata[2]}</b><br>%{customdata[3]}<br>" + translate("gantt.plan", lang)
             + ": %{customdata[4]}<br>" + translate("gantt.actual_end", lang) + ": %{customdata[5]}<br>"
             + translate("gantt.complete", lang) + ": %{customdata[6]}<br>%{customdata[7]} %{customdata[8]}"
             "<extra></extra>")

    figure = go.Figure()
    figure.add_bar(
        name=translate("gantt.planned", lang), orientation="h", y=frame["y"], base=frame["planned_start"],
        # pandas-stubs have no Series[Any] / Timedelta; at run time this is a float Series of milliseconds
        x=(frame["planned_end"] - frame["planned_start"]) / pd.Timedelta(milliseconds=1),  # type: ignore[operator]
        marker=dict(color=MILESTONE_COLOURS["planned"]), width=0.8, customdata=customdata, hovertemplate=hover,
    )
    for status in STATUSES:
        chosen = (frame["status"] == status).to_numpy()
        if not chosen.any():
            continue
        rows = frame[chosen]
        figure.add_bar(
            name=status_words[status], orientation="h", y=rows["y"], base=rows["planned_start"],
            x=(rows["bar_end"] - rows["planned_start"]) / pd.Timedelta(milliseconds=1),  # type: ignore[operator]
            marker=dict(color=MILESTONE_COLOURS[status]), width=0.45, customdata=customdata[chosen],
            text=[f"{p:.0f} %" for p in rows["percent_complete"]], textposition="outside",
            textfont=dict(size=LABEL_PX, color="#24292f"), cliponaxis=False, hovertemplate=hover,
        )
    figure.add_shape(type="line", x0=today_ts, x1=today_ts, y0=0, y1=1, yref="paper",
                     line=dict(color="#24292f", width=1.5, dash="dot"))
    figure.add_annotation(x=today_ts, y=1, yref="paper", yanchor="top", xanchor="left", showarrow=False,
                          text=f"{translate('gantt.today', lang)} {date(today, lang)}", font=dict(size=12),
                          bgcolor="rgba(255, 255, 255, 0.85)")
    if len(frame):  # an invisible point at each end on the bottom axis, so plotly draws it (matched to the top)
        figure.add_scatter(x=[frame["planned_start"].min(), frame[["planned_end", "bar_end"]].max().max()],
                           y=[0, 0], xaxis="x2", mode="markers", marker=dict(opacity=0), hoverinfo="skip",
                           showlegend=False)
    ticks: dict[str, object] = {}
    if len(frame):
        values, texts = month_ticks(frame["planned_start"].min(), frame[["planned_end", "bar_end"]].max().max(), lang)
        ticks = {"tickmode": "array", "tickvals": values, "ticktext": texts}
    for header_row, project in project_rows:  # across the chart: the axis keeps short milestone names (phones)
        figure.add_annotation(x=0, xref="paper", xanchor="left", y=header_row, showarrow=False,
                              text=f"<b>{project}</b>", font=dict(size=LABEL_PX, color="#24292f"))
    figure.update_layout(
        barmode="overlay", height=max(260, ROW_HEIGHT * len(tick_text) + MARGINS),
        margin=dict(l=10, r=50, t=60, b=100),
        legend=dict(orientation="h", yanchor="bottom", y=0, x=0, yref="container"),
        xaxis=dict(type="date", side="top", **ticks),
        xaxis2=dict(type="date", side="bottom", overlaying="x", matches="x", **ticks),
        yaxis=dict(tickmode="array", tickvals=list(range(len(tick_text))), ticktext=tick_text,
                   autorange="reversed"),
    )
    return figure
