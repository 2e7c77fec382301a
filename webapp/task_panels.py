"""The groups of 我的待办 (My tasks), phone first: one column of cards, each one tap from its form.

A group shows its first ``SHOWN`` items; the rest wait behind one "还有 N 项" expander, so the page stays
short on a phone. Project and milestone names are data: always through ``components.text.plain``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.formatting import date, month, percent
from components.i18n import stored_text
from components.text import plain
from data_access import DataAccessError, Viewer
from data_access.ratings import BEIJING
from services.reminders import remind_reporters
from webapp.i18n import t
from webapp.session import shared_engine, show_data_error

SHOWN = 3  # items a group shows before "还有 N 项": the page stays within about three phone screens
MOST = 50  # items behind the expander; beyond that the list pages (alerts, inbox) are the place


def _name(row: Any, lang: str, zh: str = "name_zh", en: str = "name_en") -> str:
    return plain(getattr(row, stored_text(lang, zh, en)))


def _project(row: Any, lang: str) -> str:
    return f"{plain(row.code)} {_name(row, lang)}"


def deadline(days_left: int, due: dt.date, lang: str) -> str:
    """``逾期 3 天`` in red, ``今天到期`` in orange, or ``还有 5 天``; with the due date."""
    on = t("tasks.due_on", date=date(due, lang))
    if days_left < 0:
        return f":red[**{t('tasks.overdue_days', n=-days_left)}**] · {on}"
    if days_left == 0:
        return f":orange[**{t('tasks.due_today')}**] · {on}"
    return f"{t('tasks.days_left', n=days_left)} · {on}"


def _cards(frame: pd.DataFrame, card: Callable[[DeltaGenerator, Any], None]) -> None:
    """The first SHOWN rows as cards, the rest (up to MOST) behind one expander."""
    for row in frame.head(SHOWN).itertuples():
        card(st.container(border=True), row)
    rest = frame.iloc[SHOWN:MOST]
    if len(frame) > SHOWN:
        with st.expander(t("tasks.more", n=len(frame) - SHOWN)):
            for row in rest.itertuples():
                card(st.container(border=True), row)


def _header(key: str, count: int) -> None:
    st.subheader(f"{t(key)} · {count}", divider="gray")


def report_link(box: DeltaGenerator, project_id: int, period: dt.date, label: str) -> None:
    box.page_link("views/report.py", label=label, icon=":material/edit_calendar:", width="stretch",
                  query_params={"project": str(project_id), "period": f"{period:%Y-%m}"})


def reports_panel(reports: pd.DataFrame, lang: str) -> None:
    """本期待填报: this period's and overdue reports of the viewer's projects."""
    _header("tasks.reports", len(reports))
    if reports.empty:
        st.success(t("tasks.reports_done"))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        box.markdown(f"**{month(row.period, lang)}** · {deadline(-int(row.days_late), row.due, lang)}")
        report_link(box, int(row.project_id), row.period, _project(row, lang))

    _cards(reports, card)


def rectifications_panel(rectifications: pd.DataFrame, lang: str) -> None:
    """整改任务: rectifications the viewer owns, the earliest due first."""
    _header("tasks.rectifications", len(rectifications))
    if rectifications.empty:
        st.success(t("tasks.rectifications_none"))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        box.markdown(f"**{t(f'severity.{row.severity}')} · {_name(row, lang, 'rule_zh', 'rule_en')}** · "
                     f"{deadline(int(row.days_left), row.due_date, lang)}")
        box.page_link("views/alerts.py", label=_project(row, lang), icon=":material/build:", width="stretch",
                      query_params={"alert": str(int(row.alert_id))})

    _cards(rectifications, card)


def milestones_panel(milestones: pd.DataFrame, lang: str, period: dt.date) -> None:
    """近 30 天到期里程碑: each opens the project's report, where percent and dates are entered."""
    _header("tasks.milestones", len(milestones))
    if milestones.empty:
        st.success(t("tasks.milestones_none"))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        box.markdown(f"**{_name(row, lang, 'milestone_zh', 'milestone_en')}** · "
                     f"{t('tasks.done_share', share=percent(row.percent_complete, lang))} · "
                     f"{deadline(int(row.days_left), row.planned_end, lang)}")
        report_link(box, int(row.project_id), period, _project(row, lang))

    _cards(milestones, card)


def district_panel(viewer: Viewer, missing: pd.DataFrame, period: dt.date, lang: str) -> None:
    """本辖区未报: the district's projects without ``period``'s report, and the 提醒填报 button."""
    _header("tasks.district_missing", len(missing))
    if missing.empty:
        st.success(t("tasks.district_done", period=month(period, lang)))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        manager = (t("tasks.manager", name=plain(row.manager_name)) if isinstance(row.manager_name, str)
                   else t("tasks.no_manager"))
        box.caption(manager)
        report_link(box, int(row.project_id), period, _project(row, lang))

    _cards(missing, card)
    labels = {int(row.project_id): f"{row.code} {stored_text(lang, row.name_zh, row.name_en)}"
              for row in missing.itertuples()}
    chosen = st.multiselect(t("tasks.remind_pick"), list(labels), format_func=labels.__getitem__,
                            key="tasks_remind_pick", placeholder=t("tasks.remind_all", n=len(labels)))
    if st.button(t("tasks.remind"), key="tasks_remind", type="primary", width="stretch",
                 icon=":material/notifications:"):
        try:
            reminded = remind_reporters(shared_engine(), viewer, period=period, project_ids=chosen or list(labels))
        except DataAccessError as error:
            show_data_error(error)
        else:
            if reminded:
                st.success(t("tasks.reminded", n=reminded))
            else:
                st.info(t("tasks.already_reminded"))


def review_panel(to_review: pd.DataFrame, lang: str) -> None:
    """待审核月报: submitted reports waiting for the viewer's acceptance, the longest waiting first."""
    _header("tasks.to_review", len(to_review))
    if to_review.empty:
        st.success(t("tasks.to_review_none"))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        submitted = "" if pd.isna(row.submitted_at) else f" · {date(pd.Timestamp(row.submitted_at).date(), lang)}"
        who = "" if not isinstance(row.submitted_by_name, str) else \
            f" · {t('tasks.submitted_by', name=plain(row.submitted_by_name))}"
        box.markdown(f"**{month(row.period, lang)}**{submitted}{who}")
        report_link(box, int(row.project_id), row.period, _project(row, lang))

    _cards(to_review, card)


def ratings_panel(ratings: pd.DataFrame, lang: str) -> None:
    """待评分: the projects the viewer still has to rate, the nearest deadline first."""
    _header("tasks.ratings", len(ratings))
    if ratings.empty:
        st.success(t("tasks.ratings_none"))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        deadline_day = row.deadline.astimezone(BEIJING).date()
        box.markdown(f"**{_name(row, lang, 'round_name_zh', 'round_name_en')}** · "
                     f"{deadline(int(row.days_left), deadline_day, lang)}")
        box.page_link("views/rate.py", label=_project(row, lang), icon=":material/star_rate:", width="stretch",
                      query_params={"round": str(int(row.round_id)), "project": str(int(row.project_id))})

    _cards(ratings, card)


def rounds_panel(rounds: pd.DataFrame, lang: str, today: dt.date) -> None:
    """进行中的评分: the open rounds the viewer runs, with how many ratings came in; each opens its round."""
    _header("tasks.rounds", len(rounds))
    if rounds.empty:
        st.success(t("tasks.rounds_none"))
        return

    def card(box: DeltaGenerator, row: Any) -> None:
        deadline_day = row.deadline.astimezone(BEIJING).date()
        box.markdown(f"{t('tasks.responded', responded=row.responded, assigned=row.assigned)} · "
                     f"{deadline((deadline_day - today).days, deadline_day, lang)}")
        box.page_link("views/rating_rounds.py", label=_name(row, lang), icon=":material/reviews:", width="stretch",
                      query_params={"round": str(int(row.id))})

    _cards(rounds, card)


def messages_panel(unread: int, messages: pd.DataFrame, lang: str) -> None:
    """未读消息: how many, the newest subjects, and the inbox one tap away."""
    _header("tasks.messages", unread)
    if not unread:
        st.success(t("tasks.messages_none"))
    for message in messages.itertuples():
        st.markdown(f"- {plain(stored_text(lang, message.subject_zh, message.subject_en))}")
    st.page_link("views/inbox.py", label=t("tasks.open_inbox"), icon=":material/inbox:", width="stretch")
