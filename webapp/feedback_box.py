"""The feedback box (意见箱) in every page's sidebar, and the release notes' "new" badge in the navigation.

The sidebar button opens a dialog with the page filled in (the url path of the page it was opened on), the text
and an optional screenshot; a refusal is shown in the dialog in the user's language, a success closes it and
says so in the sidebar. Which release the user has seen is read once per login (with the language) and kept in
the session; opening 更新公告 records the newest one.
"""
from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.text import plain
from data_access import DataAccessError, Viewer
from data_access.feedback import MAX_MESSAGE, mark_release_seen, seen_release
from services import release_notes
from services.feedback import screenshot_content, send_feedback
from webapp.i18n import current_language, t
from webapp.navigation import page_title
from webapp.session import shared_engine, show_data_error

RELEASE_NOTES_PAGE = "release-notes"
SENT_KEY = "feedback_sent"
OPEN_KEY = "feedback_dialog_open"  # the dialog stays open across full reruns until it is sent or dismissed
SEEN_KEY = "release_seen"  # (user id, the newest release they have seen)
SCREENSHOT_TYPES = ["png", "jpg", "jpeg", "webp"]


def _dialog(viewer: Viewer, page: str) -> None:
    st.caption(t("feedback.page", page=plain(page_title(page))))
    with st.form("feedback_form", border=False):
        message = st.text_area(t("feedback.message"), max_chars=MAX_MESSAGE, placeholder=t("feedback.placeholder"),
                               key="feedback_message")
        upload = st.file_uploader(t("feedback.screenshot"), type=SCREENSHOT_TYPES, key="feedback_screenshot")
        sent = st.form_submit_button(t("feedback.send"), type="primary", width="stretch")
    if not sent:
        return
    try:
        feedback_id = send_feedback(shared_engine(), viewer, page=page, message=message,
                                    screenshot=upload.getvalue() if upload is not None else None)
    except DataAccessError as error:
        show_data_error(error)
        return
    st.session_state[SENT_KEY] = feedback_id
    for key in ("feedback_message", "feedback_screenshot", OPEN_KEY):
        st.session_state.pop(key, None)
    st.rerun()


def _opened() -> None:
    st.session_state[OPEN_KEY] = True


def _dismissed() -> None:
    st.session_state.pop(OPEN_KEY, None)


def feedback_button(viewer: Viewer, page: str) -> None:
    """The sidebar's 意见反馈 button (its dialog sends feedback about ``page``) and the last sending's confirmation."""
    sent = st.session_state.pop(SENT_KEY, None)
    if sent is not None:
        st.sidebar.success(t("feedback.sent", id=sent))
        st.sidebar.page_link("views/my_feedback.py", label=t("page.my_feedback"), icon=":material/forum:")
    st.sidebar.button(t("feedback.open"), icon=":material/feedback:", key="feedback_open", on_click=_opened)
    if st.session_state.get(OPEN_KEY):
        st.dialog(t("feedback.title"), width="medium", on_dismiss=_dismissed)(_dialog)(viewer, page)


def show_screenshot(container: DeltaGenerator, viewer: Viewer, feedback_id: int, *, expanded: bool = False) -> None:
    """A feedback's screenshot, folded unless ``expanded``; a missing file is said, not raised."""
    try:
        shot = screenshot_content(shared_engine(), viewer, feedback_id)
    except DataAccessError as error:
        container.warning(plain(error.message_zh if current_language() == "zh" else str(error)))
        return
    if shot is not None:
        container.expander(t("feedback.screenshot_shown"), expanded=expanded).image(shot[1])


def seen_version(viewer: Viewer) -> str | None:
    """The newest release the viewer has opened 更新公告 on, read once per login."""
    remembered = st.session_state.get(SEEN_KEY)
    if remembered is None or remembered[0] != viewer.user_id:
        remembered = (viewer.user_id, seen_release(shared_engine(), viewer))
        st.session_state[SEEN_KEY] = remembered
    return remembered[1]


def badges(viewer: Viewer | None) -> frozenset[str]:
    """The url paths whose navigation entry is marked new: 更新公告 while a release is unseen."""
    if viewer is None:
        return frozenset()
    try:
        newest = release_notes.releases()[0].version
        return frozenset({RELEASE_NOTES_PAGE}) if seen_version(viewer) != newest else frozenset()
    except (OSError, release_notes.ChangelogError, DataAccessError):  # the page itself says what is wrong
        return frozenset()


def mark_seen(viewer: Viewer, version: str) -> bool:
    """Record that the viewer has seen ``version``; True when that changed something (the badge must go)."""
    if seen_version(viewer) == version:
        return False
    mark_release_seen(shared_engine(), viewer, version)
    st.session_state[SEEN_KEY] = (viewer.user_id, version)
    return True
