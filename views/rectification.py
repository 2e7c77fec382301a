"""整改看板 Rectification board: the most urgent tasks first (overdue, then red, orange, yellow, then by due date),
filtered by status, severity, district and overdue, one page of cards at a time; each card opens its alert."""
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.alert_tables import board_order, china_today, days_open
from components.colours import WARNING_COLOURS
from components.formatting import date
from components.i18n import name_suffix, stored_text
from components.text import plain
from data_access.policy import Viewer
from webapp import data
from webapp.alert_filters import severity_chips, status_chips
from webapp.filters import selected_region
from webapp.i18n import current_language, t
from webapp.knowledge_panels import make_case_button, related_cases
from webapp.paging import one_page
from webapp.session import current_viewer, stop_on_data_error

CLOSED_SHOWN_DAYS = 30
PER_PAGE, PER_ROW = 6, 3  # two rows of cards: within three screens, on a phone (one column) too
ALL_DISTRICTS = 0


def draw_card(box: DeltaGenerator, card: Any, viewer: Viewer, lang: str) -> None:
    """Severity as a coloured badge with its word, the task, its project and district, the due date, the age;
    the related cases of a live task, or the button that turns a closed one into a case."""
    overdue = f" :red-badge[{t('alerts.overdue')}]" if card.overdue else ""
    box.markdown(f":{card.severity}-badge[{t(f'severity.{card.severity}')}] "
                 f":gray-badge[{t(f'alert_status.{card.status}')}]{overdue}")
    box.markdown(f"**{plain(stored_text(lang, card.rule_zh, card.rule_en))}**")
    box.caption(f"{plain(card.project_code)} {plain(stored_text(lang, card.project_zh, card.project_en))} · "
                f"{plain(stored_text(lang, card.region_zh, card.region_en))}")
    if not pd.isna(card.due_date):
        label = f"{t('alerts.due')}: {date(card.due_date, lang)}"
        box.markdown(f":red[**{label}**]" if card.overdue else label)
    box.caption(t("rect.opened", day=date(pd.Timestamp(card.opened_at).date(), lang), days=card.age_days))
    box.page_link("views/alerts.py", label=t("alerts.open_card"), query_params={"alert": str(card.id)})
    if card.status == "closed" and not pd.isna(card.plan):
        make_case_button(viewer, int(card.id), box, key=f"rect_make_case_{card.id}")
    elif card.status != "closed":
        related_cases(viewer, int(card.id), box)


viewer = current_viewer()
lang = current_language()
st.title(t("page.rectification"))
recently = pd.Timestamp.now(tz="UTC").floor("min") - pd.Timedelta(days=CLOSED_SHOWN_DAYS)  # runs share a read
with stop_on_data_error():
    alerts = data.alerts(viewer, region_id=selected_region(), closed_since=recently.to_pydatetime())
today = china_today()
alerts = board_order(alerts, today).assign(age_days=lambda frame: days_open(frame["opened_at"], today))

statuses = status_chips(st.container(), "rect_status", alerts["status"].value_counts().to_dict())
severity_column, district_column, overdue_column = st.columns([2, 2, 1], vertical_alignment="bottom")
severities = severity_chips(severity_column, "rect_severity")
district_names = (alerts.dropna(subset=["district_id"]).drop_duplicates("district_id")
                  .set_index("district_id")[f"region_{name_suffix(lang)}"])
district = district_column.selectbox(t("col.region"), [ALL_DISTRICTS, *sorted(district_names.index.astype(int))],
                                     key="rect_district", placeholder=t("common.choose"),
                                     format_func=lambda d: t("filter.all") if d == ALL_DISTRICTS
                                     else str(district_names[d]))
overdue_only = overdue_column.toggle(t("rect.overdue_only"), key="rect_overdue")

shown = alerts[alerts["status"].isin(statuses)] if statuses else alerts
if severities:
    shown = shown[shown["severity"].isin(severities)]
if district != ALL_DISTRICTS:
    shown = shown[shown["district_id"] == district]
if overdue_only:
    shown = shown[shown["overdue"]]
if shown.empty:
    st.info(t("rect.none"))
    st.stop()

st.html("<style>" + "".join(f'[class*="st-key-rect_card_{severity}_"] {{border-left: 6px solid {colour} !important}}'
                            for severity, colour in WARNING_COLOURS.items()) + "</style>")
cards = list(one_page(shown, PER_PAGE, "rect_page", "rect.shown").itertuples())
for start in range(0, len(cards), PER_ROW):
    for column, card in zip(st.columns(PER_ROW), cards[start:start + PER_ROW], strict=False):
        draw_card(column.container(border=True, key=f"rect_card_{card.severity}_{card.id}"), card, viewer, lang)
