"""消息 Inbox: the viewer's own notifications, newest first, six at a time (about three screens on a phone)."""
import pandas as pd
import streamlit as st

from components.formatting import date
from components.i18n import stored_text
from components.text import plain
from data_access import alerts as store
from services.feedback import ANSWERED_KIND
from webapp import data
from webapp.i18n import current_language, t
from webapp.paging import one_page
from webapp.report_center_library import report_link
from webapp.session import current_viewer, shared_engine, stop_on_data_error

PER_PAGE = 6  # a phone shows them in about three screens
viewer = current_viewer()
lang = current_language()
st.title(t("page.inbox"))
with stop_on_data_error():
    messages = data.inbox(viewer)
if messages.empty:
    st.info(t("inbox.empty"))
    st.stop()
unread_column, mark_column = st.columns(2, vertical_alignment="center")
unread_only = unread_column.toggle(t("inbox.unread_only"), key="inbox_unread_only")
if mark_column.button(t("inbox.mark_all"), key="inbox_mark_all", disabled=messages["read_at"].notna().all()):
    store.mark_read(shared_engine(), viewer)
    st.rerun()
if unread_only:
    messages = messages[messages["read_at"].isna()]
for message in one_page(messages, PER_PAGE, f"inbox_page_{unread_only}", "inbox.shown").itertuples():
    box = st.container(border=True)
    subject = stored_text(lang, message.subject_zh, message.subject_en)
    box.markdown(f"**{plain(subject)}**" if pd.isna(message.read_at) else plain(subject))
    box.caption(date(pd.Timestamp(message.created_at).date(), lang))
    if not message.withheld:  # about a project now outside the scope: no content, no link (data_access.alerts.inbox)
        box.text(stored_text(lang, message.body_zh, message.body_en))
    if not pd.isna(message.alert_id):
        box.page_link("views/alerts.py", label=t("alerts.open_card"),
                      query_params={"alert": str(int(message.alert_id))})
    report_link(box, message.topic)
    if message.kind == ANSWERED_KIND:
        box.page_link("views/my_feedback.py", label=t("feedback.open_mine"), icon=":material/forum:")
