"""消息 Inbox: the viewer's own notifications, newest first."""
import pandas as pd
import streamlit as st

from components.formatting import date
from components.text import plain
from data_access import alerts as store
from webapp import data
from webapp.i18n import current_language, t
from webapp.session import current_viewer, shared_engine, stop_on_data_error

viewer = current_viewer()
lang = current_language()
st.title(t("page.inbox"))
with stop_on_data_error():
    messages = data.inbox(viewer)
if messages.empty:
    st.info(t("inbox.empty"))
    st.stop()
if st.button(t("inbox.mark_all"), key="inbox_mark_all", disabled=messages["read_at"].notna().all()):
    store.mark_read(shared_engine(), viewer)
    st.rerun()
for message in messages.itertuples():
    box = st.container(border=True)
    subject = message.subject_en if lang == "en" else message.subject_zh
    box.markdown(f"**{plain(subject)}**" if pd.isna(message.read_at) else plain(subject))
    box.caption(date(pd.Timestamp(message.created_at).date(), lang))
    if not message.withheld:  # about a project now outside the scope: no content, no link (data_access.alerts.inbox)
        box.text(message.body_en if lang == "en" else message.body_zh)
    if not pd.isna(message.alert_id):
        box.page_link("views/alerts.py", label=t("alerts.open_card"),
                      query_params={"alert": str(int(message.alert_id))})
