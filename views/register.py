"""项目库 Project register: the viewer's projects (archived ones behind a toggle), a new project from its
category's template, and one project's details, status, milestones and targets."""
import streamlit as st

from components.text import plain
from webapp import data
from webapp.i18n import name_column, t
from webapp.register_forms import edit_project_form, new_project_form, project_list
from webapp.register_parts import milestones_editor, status_actions, targets_editor
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
st.title(t("page.register"))
if flash := st.session_state.pop("register_flash", None):
    st.success(flash)

listing, creating = st.tabs([t("register.tab.list"), t("register.tab.new")])
with creating, stop_on_data_error():
    new_project_form(viewer)
with listing, stop_on_data_error():
    shown = project_list(viewer)
    names = dict(zip(shown["id"].astype(int), shown["code"] + " " + shown[name_column()], strict=True))
    if st.session_state.get("register_selected") not in names:  # filtered out, or nothing chosen yet
        st.session_state.pop("register_selected", None)
    project_id = st.selectbox(t("register.choose"), [None, *names], key="register_selected",
                              format_func=lambda i: t("register.none") if i is None else names[i])
    if project_id is not None:
        project = data.project(viewer, project_id)
        st.subheader(f"{plain(project['code'])} · {plain(project[name_column()])} · {t('status.' + project['status'])}")
        details, status, milestones, targets = st.tabs([t("register.tab.details"), t("register.tab.status"),
                                                        t("register.tab.milestones"), t("register.tab.targets")])
        with details:
            edit_project_form(viewer, project)
        with status:
            status_actions(viewer, project)
        with milestones:
            milestones_editor(viewer, project_id)
        with targets:
            targets_editor(viewer, project)
