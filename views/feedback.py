"""意见箱 Feedback (admins): everyone's feedback, filtered by status, tag and page; one feedback (?feedback=id)
with its screenshot, the answer that goes to the sender's inbox, its tag, and close / reopen."""
import pandas as pd
import streamlit as st

from components.formatting import date
from components.text import plain
from data_access import DataAccessError
from services.feedback import (
    FEEDBACK_STATUSES,
    FEEDBACK_TAGS,
    MAX_ANSWER,
    answer_feedback,
    set_closed,
    tag_feedback,
)
from webapp import data
from webapp.feedback_box import show_screenshot
from webapp.i18n import current_language, t
from webapp.navigation import page_title
from webapp.paging import one_page
from webapp.params import id_param
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

PER_PAGE = 6
EXCERPT = 160  # characters of a message in the list
viewer = current_viewer()
lang = current_language()
st.title(t("page.feedback"))


def heading(row) -> str:
    tag = f" · {t(f'feedback.tag.{row.tag}')}" if not pd.isna(row.tag) else ""
    return (f"**{t(f'feedback.status.{row.status}')}**{tag} · {plain(row.sender_name)} · "
            f"{date(row.created_at.date(), lang)} · {t('feedback.on_page', page=plain(page_title(row.page)))}")


def act(command, *args, **kwargs) -> None:
    """Run an admin's command; a refusal is shown, a success reruns the page with the new state."""
    try:
        command(shared_engine(), viewer, *args, **kwargs)
    except DataAccessError as error:
        show_data_error(error)
        return
    st.rerun()


def detail(row) -> None:
    box = st.container(border=True)
    box.markdown(heading(row))
    box.text(row.message)
    if row.has_screenshot:
        show_screenshot(box, viewer, row.id, expanded=True)
    if not pd.isna(row.answer):
        box.markdown(f"**{t('feedback.answer')}** · {plain(row.answered_by_name or '')} · "
                     f"{date(row.answered_at.date(), lang)}")
        box.text(row.answer)
    if row.status != "closed":
        with box.form(f"feedback_answer_{row.id}", clear_on_submit=True):
            answer = st.text_area(t("feedback.answer_label"), max_chars=MAX_ANSWER,
                                  key=f"feedback_answer_text_{row.id}")
            if st.form_submit_button(t("feedback.answer_send"), type="primary"):
                act(answer_feedback, row.id, answer)
    tag_column, close_column = box.columns(2, vertical_alignment="bottom")
    current = "" if pd.isna(row.tag) else row.tag
    tag = tag_column.selectbox(t("feedback.tag"), ["", *FEEDBACK_TAGS], index=["", *FEEDBACK_TAGS].index(current),
                               format_func=lambda value: t(f"feedback.tag.{value}") if value else t("feedback.no_tag"),
                               key=f"feedback_tag_{row.id}")
    if tag != current:
        act(tag_feedback, row.id, tag or None)
    closing = row.status != "closed"
    if close_column.button(t("feedback.close") if closing else t("feedback.reopen"), key=f"feedback_close_{row.id}"):
        act(set_closed, row.id, closed=closing)
    box.page_link("views/feedback.py", label=t("feedback.back"), query_params={}, icon=":material/arrow_back:")


chosen = id_param("feedback")
if chosen is not None:
    with stop_on_data_error():
        everything = data.feedback(viewer)
    match = everything[everything["id"] == chosen]
    if match.empty:
        st.warning(t("feedback.not_found"))
    else:
        st.query_params["feedback"] = str(chosen)  # a link's parameters reach only its first run: keep it
        detail(next(match.itertuples()))
        st.stop()

ALL = ""  # the filters' first choice (None would show Streamlit's own "Choose an option" after a rerun)


status_column, tag_column, page_column = st.columns(3)
status = status_column.selectbox(
    t("feedback.status"), [ALL, *FEEDBACK_STATUSES], key="feedback_status",
    format_func=lambda value: t(f"feedback.status.{value}") if value else t("feedback.all"))
tag = tag_column.selectbox(t("feedback.tag"), [ALL, *FEEDBACK_TAGS], key="feedback_tag_filter",
                           format_func=lambda value: t(f"feedback.tag.{value}") if value else t("feedback.all"))
with stop_on_data_error():
    pages = data.feedback_pages(viewer)
    page = page_column.selectbox(t("feedback.page_filter"), [ALL, *pages], key="feedback_page_filter",
                                 format_func=lambda value: page_title(value) if value else t("feedback.all"))
    rows = data.feedback(viewer, status=status or None, tag=tag or None, page=page or None)
if rows.empty:
    st.info(t("feedback.empty"))
    st.stop()
for row in one_page(rows, PER_PAGE, f"feedback_page_{status}_{tag}_{page}", "inbox.shown").itertuples():
    box = st.container(border=True)
    box.markdown(heading(row))
    box.text(row.message if len(row.message) <= EXCERPT else row.message[:EXCERPT - 1] + "…")
    box.page_link("views/feedback.py", label=t("feedback.open_one"), icon=":material/open_in_new:",
                  query_params={"feedback": str(row.id)})
