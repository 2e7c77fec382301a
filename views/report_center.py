"""报告中心 Reports: build, preview and download reports and white papers for the viewer's scope; subscribe.

``?build=<id>`` opens one kept report (another district's id gets the same clean message as a missing one).
"""
import datetime as dt
import logging

import streamlit as st

from components.text import plain
from data_access.errors import DataAccessError
from services.report_center.build import build_report
from webapp.i18n import t
from webapp.params import id_param
from webapp.report_center_form import report_request
from webapp.report_center_library import BUILD_PARAM, kept_builds, opened_build, subscriptions
from webapp.report_center_preview import file_buttons, show_content
from webapp.session import current_viewer, shared_engine, show_data_error

viewer = current_viewer()
# The build just made on this page (its preview and files), kept for this viewer and scope only.
built_key = f"report_center_built_{viewer.user_id}_{viewer.scope_key}"
today = dt.date.today()
st.title(t("page.report_center"))
opened = id_param(BUILD_PARAM)
if opened is not None:
    opened_build(viewer, opened)

st.subheader(t("report_center.build_heading"), anchor=False)
request = report_request(viewer, today)
if st.button(t("report_center.build"), type="primary", key="report_center_build"):
    bar = st.progress(0.0, text=t("report_center.building", percent=0, step="…"))
    try:
        st.session_state[built_key] = build_report(
            shared_engine(), viewer, request,
            progress=lambda share, step: bar.progress(min(max(share, 0.0), 1.0), text=t(
                "report_center.building", percent=round(share * 100), step=plain(step))))
    except DataAccessError as error:
        bar.empty()
        show_data_error(error)
    except Exception:  # the chart renderer or the PDF engine failed: say so and keep the page (the log has why)
        logging.getLogger(__name__).exception("building %s failed", request)
        bar.empty()
        st.error(t("report_center.build_failed"))
    else:
        bar.progress(1.0, text=t("report_center.built"))
built = st.session_state.get(built_key)
if built is not None:
    st.success(plain(t("report_center.built_line", title=built.title, sha=built.pdf_sha256[:12])))
    file_buttons(built.content.request.kind, built.content.period_label, built.id, built.pdf, built.xlsx,
                 key=f"built_{built.id}")
    with st.container(border=True):
        show_content(built.content, key=f"preview_{built.id}")

st.subheader(t("report_center.kept_heading"), anchor=False)
kept_builds(viewer)
st.subheader(t("report_center.subscriptions_heading"), anchor=False)
subscriptions(viewer, today)
