"""我的待办 My tasks: what the viewer owes today, one column of cards, each one tap from its form."""
import streamlit as st

from components.formatting import date, month
from services import reporting_calendar
from webapp import data, task_panels
from webapp.i18n import current_language, t
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
lang = current_language()
st.title(t("page.my_tasks"))
with stop_on_data_error():
    tasks = data.my_tasks(viewer, reporting_calendar.today())
if tasks.reports is not None or tasks.district_missing is not None:  # the reporting calendar is theirs
    st.caption(t("tasks.period_due", period=month(tasks.period, lang), due=date(tasks.due, lang)))
if tasks.reports is not None:
    task_panels.reports_panel(tasks.reports, lang)
if tasks.to_review is not None:
    task_panels.review_panel(tasks.to_review, lang)
if tasks.district_missing is not None:
    task_panels.district_panel(viewer, tasks.district_missing, tasks.period, lang)
if tasks.rounds is not None:
    task_panels.rounds_panel(tasks.rounds, lang, tasks.today)
if tasks.ratings is not None:
    task_panels.ratings_panel(tasks.ratings, lang)
if tasks.rectifications is not None:
    task_panels.rectifications_panel(tasks.rectifications, lang)
if tasks.milestones is not None:
    task_panels.milestones_panel(tasks.milestones, lang, tasks.period)
task_panels.messages_panel(tasks.unread, tasks.messages, lang)
