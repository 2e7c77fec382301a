"""The 报告中心 page's kept reports (the list, one opened by ``?build=<id>``) and the viewer's subscriptions."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.formatting import date
from components.i18n import LANGUAGE_NAMES
from components.report_center import builds_table, next_delivery, scope_name
from components.text import plain
from data_access import Viewer, report_builds
from data_access.errors import DataAccessError
from data_access.models import REPORT_KINDS
from webapp import report_center_data
from webapp.i18n import current_language, t
from webapp.report_center_preview import file_buttons
from webapp.session import shared_engine, show_data_error

BUILD_PARAM = "build"


def opened_build(viewer: Viewer, build_id: int) -> None:
    """One kept build: what it covers, who built it when, its hashes and provenance, and its files."""
    lang = current_language()
    try:
        row = pd.Series(report_center_data.build(viewer, build_id))
    except DataAccessError as error:
        show_data_error(error)
        return
    box = st.container(border=True)
    box.markdown(f"#### {plain(row['title'])}")
    built_by = t("report_center.scheduler") if pd.isna(row["built_by"]) else str(row["built_by"])
    table = builds_table(row.to_frame().T, lang).iloc[0]
    box.markdown(plain(t("report_center.opened_line", kind=table[t("report_center.col_kind")],
                         scope=scope_name(row, lang), period=row["period_label"], built_by=built_by,
                         built_at=table[t("report_center.col_built_at")])))
    box.caption(plain(t("report_center.provenance", pdf=row["pdf_sha256"], xlsx=row["xlsx_sha256"],
                        digest=row["content_digest"], version=row["data_version"],
                        software=row["software_version"],
                        audit="—" if pd.isna(row["audit_entry_id"]) else int(row["audit_entry_id"]))))
    engine = shared_engine()
    with box:
        file_buttons(str(row["kind"]), str(row["period_label"]), build_id,
                     lambda: report_builds.build_file(engine, viewer, build_id, "pdf"),
                     lambda: report_builds.build_file(engine, viewer, build_id, "xlsx"), key=f"opened_{build_id}")
        if st.button(t("report_center.close_build"), key="report_center_close_build"):
            del st.query_params[BUILD_PARAM]
            st.rerun()


def report_link(container: DeltaGenerator, topic: object) -> None:
    """Under a subscribed report's inbox message (services.report_center.delivery): the link that opens it."""
    build_id = report_builds.build_of_topic(topic)
    if build_id is not None:
        container.page_link("views/report_center.py", label=t("report_center.open_build"),
                            query_params={BUILD_PARAM: str(build_id)})


def kept_builds(viewer: Viewer) -> None:
    """Every build the viewer may see, newest first; choosing a row opens it (the URL then holds its id)."""
    builds = report_center_data.builds(viewer)
    if builds.empty:
        st.info(t("report_center.no_builds"))
        return
    event = st.dataframe(builds_table(builds, current_language()), hide_index=True, width="stretch",
                         on_select="rerun", selection_mode="single-row", key="report_center_builds")
    rows = event.selection.rows if event else []
    if rows:
        chosen = str(int(builds["id"].iloc[rows[0]]))
        if st.query_params.get(BUILD_PARAM) != chosen:
            st.query_params[BUILD_PARAM] = chosen
            st.rerun()
    st.caption(t("report_center.builds_hint"))


def subscriptions(viewer: Viewer, today: dt.date) -> None:
    """Subscribe or unsubscribe per kind, for the viewer's scope in the page's language, with the next date."""
    lang = current_language()
    mine = report_center_data.subscriptions(viewer)
    by_kind = {str(row.kind): row for row in mine.itertuples()}
    st.caption(t("report_center.subscriptions_hint"))
    for kind in REPORT_KINDS:
        name, state, action = st.columns([2, 3, 1], vertical_alignment="center")
        name.markdown(f"**{t(f'report_center.kind.{kind}')}**")
        when = date(next_delivery(kind, today), lang)
        subscribed = by_kind.get(kind)
        if subscribed is None:
            state.caption(t("report_center.not_subscribed"))
            clicked = action.button(t("report_center.subscribe"), key=f"report_center_subscribe_{kind}",
                                    width="stretch")
        else:
            state.caption(t("report_center.subscribed", language=LANGUAGE_NAMES[subscribed.language], date=when))
            clicked = action.button(t("report_center.unsubscribe"), key=f"report_center_unsubscribe_{kind}",
                                    width="stretch")
        if clicked:
            try:
                if subscribed is None:
                    report_builds.subscribe(shared_engine(), viewer, kind, lang)
                else:
                    report_builds.unsubscribe(shared_engine(), viewer, int(subscribed.id))
            except DataAccessError as error:
                show_data_error(error)
            else:
                st.rerun()
