"""用户管理 Users (admins): create users, change role, scope and status, reset passwords."""
import pandas as pd
import streamlit as st

from data_access import DataAccessError
from data_access.models import ROLES
from data_access.users import create_user, reset_password, update_user
from webapp import data
from webapp.i18n import name_column, t
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

viewer = current_viewer()
st.title(t("page.users"))
if "users_flash" in st.session_state:
    st.success(st.session_state.pop("users_flash"))
with stop_on_data_error():
    users = data.users(viewer)
    regions = data.regions(viewer)
region_names = dict(zip(regions["id"], regions[name_column()], strict=True))


def region_label(region_id):
    return t("users.region_none") if region_id is None else region_names.get(region_id, str(region_id))


shown = users.assign(role=users["role"].map(lambda r: t(f"role.{r}")))[
    ["id", "username", "display_name", "role", "region_zh", "is_active", "failed_logins", "locked_until"]]
st.dataframe(shown.rename(columns={"username": t("users.username"), "display_name": t("users.display_name"),
                                   "role": t("users.role"), "region_zh": t("users.region"),
                                   "is_active": t("users.active"), "failed_logins": t("users.failed"),
                                   "locked_until": t("users.locked")}), hide_index=True, width="stretch")

create_tab, edit_tab = st.tabs([t("users.create"), t("users.edit")])
with create_tab, st.form("user_create", clear_on_submit=True):
    username = st.text_input(t("users.username"), key="new_username")
    display_name = st.text_input(t("users.display_name"), key="new_display_name")
    role = st.selectbox(t("users.role"), ROLES, format_func=lambda r: t(f"role.{r}"), key="new_role")
    region_id = st.selectbox(t("users.region"), [None, *region_names], format_func=region_label, key="new_region")
    password = st.text_input(t("users.password"), type="password", key="new_password")
    if st.form_submit_button(t("users.save")):
        try:
            create_user(shared_engine(), viewer, username=username, display_name=display_name, role=role,
                        region_id=region_id, password=password)
            st.session_state["users_flash"] = t("users.created", username=username.strip().lower())
            st.rerun()
        except DataAccessError as error:
            show_data_error(error)

with edit_tab:
    labels = dict(zip(users["id"], users["username"] + " · " + users["display_name"], strict=True))
    user_id = st.selectbox(t("users.choose"), list(labels), format_func=labels.get, key="edit_user")
    user = users.set_index("id").loc[user_id]
    with st.form("user_edit"):
        display_name = st.text_input(t("users.display_name"), value=user["display_name"])
        role = st.selectbox(t("users.role"), ROLES, index=ROLES.index(user["role"]),
                            format_func=lambda r: t(f"role.{r}"))
        options = [None, *region_names]
        current_region = None if pd.isna(user["region_id"]) else int(user["region_id"])
        region_id = st.selectbox(t("users.region"), options, format_func=region_label,
                                 index=options.index(current_region) if current_region in options else 0)
        active = st.checkbox(t("users.active"), value=bool(user["is_active"]))
        if st.form_submit_button(t("users.save")):
            current = {"display_name": user["display_name"], "role": user["role"], "region_id": current_region,
                       "is_active": bool(user["is_active"])}
            wanted = {"display_name": display_name, "role": role, "region_id": region_id, "is_active": active}
            changes = {field: value for field, value in wanted.items() if value != current[field]}
            try:
                if changes:
                    update_user(shared_engine(), viewer, int(user_id), int(user["version"]), changes)
                st.session_state["users_flash"] = t("users.saved")
                st.rerun()
            except DataAccessError as error:
                show_data_error(error)
    with st.form("user_password", clear_on_submit=True):
        new_password = st.text_input(t("users.new_password"), type="password")
        if st.form_submit_button(t("users.reset_password")):
            try:
                reset_password(shared_engine(), viewer, int(user_id), new_password)
                st.success(t("users.password_reset"))
            except DataAccessError as error:
                show_data_error(error)
