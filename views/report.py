"""进度填报 Monthly report: one project's month in one column a phone fills (``?project=<id>&period=2026-10``).

A reviewer who opens a submitted report gets its values and photos with 采纳 / 退回 instead of the form.
"""
import streamlit as st

from components.formatting import month
from components.text import plain
from services.reports import may_review
from webapp.i18n import current_language, name_column, t
from webapp.paper_intake import paper_panel
from webapp.params import id_param, period_param
from webapp.report_choices import follow_link, period_choices, reportable_projects
from webapp.report_form import opened_sheet, report_form, status_word
from webapp.report_review import review_panel, review_switch, show_review_done
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
lang = current_language()
st.title(t("page.report"))
linked_project, linked_period = id_param("project"), period_param("period")
with stop_on_data_error():
    projects = reportable_projects(viewer, linked_project)
if projects.empty:
    st.info(t("report.no_projects"))
    st.stop()

names = dict(zip(projects["id"], projects["code"] + " " + projects[name_column()], strict=True))
ids = list(names)
if len(ids) == 1:  # a manager with one project is not asked which
    project_id = ids[0]
    st.markdown(f"**{plain(names[project_id])}**")
else:
    follow_link("report_project", ids, linked_project)
    project_id = st.selectbox(t("report.project"), ids, format_func=lambda i: plain(names[i]), key="report_project")
periods = period_choices(linked_period)
follow_link("report_period", periods, linked_period)
period = st.selectbox(t("report.period"), periods, format_func=lambda day: month(day, lang), key="report_period")
st.query_params.update({"project": str(project_id), "period": f"{period:%Y-%m}"})


with stop_on_data_error():
    sheet = opened_sheet(viewer, project_id, period)
show_review_done()
st.caption(t("report.status", status=status_word(sheet.status)))
if sheet.status == "returned" and sheet.review_comment:
    st.warning(t("report.returned_comment", comment=plain(sheet.review_comment)))
if may_review(viewer, sheet):
    review_panel(viewer, sheet)
else:
    paper_panel(viewer, sheet)
    report_form(viewer, sheet)
review_switch(viewer, projects[projects["id"] == project_id].iloc[0], sheet)
