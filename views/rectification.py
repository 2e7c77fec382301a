"""整改看板 Rectification board: one column per status, overdue tasks in red, each card opens its alert."""
import datetime as dt

import pandas as pd
import streamlit as st

from components.formatting import date
from components.text import plain
from webapp import data
from webapp.filters import selected_region
from webapp.i18n import current_language, t
from webapp.session import current_viewer, stop_on_data_error

COLUMNS = ("open", "acknowledged", "rectifying", "resolved", "closed")
CLOSED_SHOWN_DAYS = 30
viewer = current_viewer()
lang = current_language()
st.title(t("page.rectification"))
recently = pd.Timestamp.now(tz="UTC").floor("min") - pd.Timedelta(days=CLOSED_SHOWN_DAYS)  # runs share a read
with stop_on_data_error():
    alerts = data.alerts(viewer, region_id=selected_region(), closed_since=recently.to_pydatetime())
today = dt.date.today()
due = pd.to_datetime(alerts["due_date"])
alerts = alerts.assign(overdue=alerts["status"].isin(["open", "acknowledged", "rectifying"]) & due.notna()
                       & (due < pd.Timestamp(today)))

for column, status in zip(st.columns(len(COLUMNS)), COLUMNS, strict=False):
    cards = alerts[alerts["status"] == status]
    column.markdown(f"**{t(f'alert_status.{status}')}** · {len(cards)}")
    for card in cards.head(50).itertuples():
        box = column.container(border=True)
        box.markdown(f"{t(f'severity.{card.severity}')} · {plain(card.rule_en if lang == 'en' else card.rule_zh)}")
        box.caption(f"{plain(card.project_code)} {plain(card.project_en if lang == 'en' else card.project_zh)}")
        if not pd.isna(card.due_date):
            label = f"{t('alerts.due')}: {date(card.due_date, lang)}"
            if card.overdue:
                box.markdown(f":red[**{t('alerts.overdue')}** · {label}]")
            else:
                box.caption(label)
        box.page_link("views/alerts.py", label=t("alerts.open_card"), query_params={"alert": str(card.id)})
    if len(cards) > 50:
        column.caption(f"+{len(cards) - 50}")
