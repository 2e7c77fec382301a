"""我的意见 My feedback: what the viewer has sent from the sidebar's 意见反馈 button, with the admins' answers."""
import pandas as pd
import streamlit as st

from components.formatting import date
from components.text import plain
from webapp import data
from webapp.feedback_box import show_screenshot
from webapp.i18n import current_language, t
from webapp.navigation import page_title
from webapp.paging import one_page
from webapp.session import current_viewer, stop_on_data_error

PER_PAGE = 6
viewer = current_viewer()
lang = current_language()
st.title(t("page.my_feedback"))
st.caption(t("my_feedback.how"))
with stop_on_data_error():
    mine = data.my_feedback(viewer)
if mine.empty:
    st.info(t("my_feedback.empty"))
    st.stop()
for row in one_page(mine, PER_PAGE, "my_feedback_page", "inbox.shown").itertuples():
    box = st.container(border=True)
    box.markdown(f"**{t(f'feedback.status.{row.status}')}** · {date(row.created_at.date(), lang)} · "
                 f"{t('feedback.on_page', page=plain(page_title(row.page)))}")
    box.text(row.message)
    if row.has_screenshot:
        show_screenshot(box, viewer, row.id)
    if not pd.isna(row.answer):
        box.markdown(f"**{t('feedback.answer')}** · {plain(row.answered_by_name or '')} · "
                     f"{date(row.answered_at.date(), lang)}")
        box.text(row.answer)
