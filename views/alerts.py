"""预警中心 Alert centre: filter, count by district (a bar click keeps one district, ``?region=id``), bulk-acknowledge,
and handle one alert (``?alert=id``)."""
import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.alert_tables import china_today, days_open, history_table
from components.charts import alerts_by_district
from components.formatting import date
from components.i18n import name_suffix
from components.tables import attachment_button, download_buttons
from components.text import plain
from data_access import DataAccessError
from data_access import alerts as store
from webapp import data
from webapp.alert_filters import severity_chips, severity_labels, status_chips
from webapp.drill import picked_customdata
from webapp.filters import REGION_KEY, follow_region, selected_region
from webapp.i18n import current_language, name_column, t
from webapp.knowledge_panels import make_case_button, related_cases
from webapp.params import id_param
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

REGION_SYNCED = "alerts_region_synced"  # the region the URL and the sidebar last agreed on


def agree_on_region(regions: pd.DataFrame) -> int | None:
    """The district shown, with the sidebar's region filter and ``?region=`` kept equal.

    A link's region (new in the URL) wins and the sidebar follows it; otherwise the sidebar wins and the URL
    follows. A region outside the viewer's scope is refused like any foreign id.
    """
    linked, chosen = id_param("region"), selected_region()
    if linked is not None and linked != chosen and linked != st.session_state.get(REGION_SYNCED):
        if linked not in set(regions["id"]):
            st.error(t("alerts.no_region"))
            if st.button(t("alerts.all_regions"), key="alerts_all_regions"):
                del st.query_params["region"]
                follow_region(None)
            st.stop()
        st.session_state[REGION_SYNCED] = linked
        follow_region(linked)
    st.session_state[REGION_SYNCED] = chosen
    if chosen is None:
        st.query_params.pop("region", None)
    else:
        st.query_params["region"] = str(chosen)
    return chosen


def pick_district() -> None:
    """A click on a bar: that district in the sidebar filter and the URL (a callback runs before the sidebar)."""
    picked = picked_customdata(st.session_state.get("alerts_by_district"))
    if picked:
        st.session_state[REGION_KEY] = st.session_state[REGION_SYNCED] = int(picked[0][0])
        st.query_params["region"] = str(int(picked[0][0]))


viewer = current_viewer()
lang = current_language()
engine = shared_engine()
st.title(t("page.alerts"))
if "alerts_flash" in st.session_state:
    st.success(st.session_state.pop("alerts_flash"))

with stop_on_data_error():
    rules = data.alert_rules(viewer)
    regions = data.regions(viewer)
region_id = agree_on_region(regions)

left, right = st.columns([2, 3])
severities = severity_chips(left, "alerts_severity")
statuses = status_chips(right, "alerts_status")
left, right = st.columns([2, 3])
rule_names = dict(zip(rules["id"], rules[f"name_{name_suffix(lang)}"], strict=True))
rule_ids = right.multiselect(t("alerts.rule"), list(rule_names), format_func=rule_names.get, key="alerts_rule",
                             placeholder=t("common.choose_many"))
min_age = left.number_input(t("alerts.min_age"), min_value=0, value=0, step=1, key="alerts_min_age")

now = pd.Timestamp.now(tz="UTC")
with stop_on_data_error():  # at least min_age days old: opened by then (to the minute, so runs share a read)
    shown = data.alerts(viewer, statuses=tuple(statuses), severities=tuple(severities),
                        rule_ids=tuple(map(int, rule_ids)), region_id=region_id,
                        opened_before=(now.floor("min") - pd.Timedelta(days=min_age)).to_pydatetime()
                        if min_age else None)
    live = data.live_alerts(viewer, region_id=region_id)
shown = shown.assign(age_days=days_open(shown["opened_at"], china_today()))

if region_id is not None:
    names = regions.set_index("id")[name_column()]
    note, reset = st.columns([4, 1])
    note.caption(t("alerts.region_shown", region=plain(names.get(region_id, ""))))
    if reset.button(t("alerts.all_regions"), key="alerts_clear_region"):
        follow_region(None)


def district_chart() -> go.Figure:
    counts = live.groupby(["district_id", "severity"]).size().rename("count").reset_index()
    counts["district"] = counts["district_id"].map(regions.set_index("id")[name_column()])
    return alerts_by_district(counts, severity_labels())


if not live.empty:
    st.subheader(t("alerts.by_district"))
    st.plotly_chart(data.shared_build("alerts by_district", viewer, (region_id, lang), district_chart),
                    width="stretch", key="alerts_by_district", on_select=pick_district, selection_mode="points",
                    config={"displayModeBar": False})

if shown.empty:
    st.info(t("alerts.none"))
else:
    table = pd.DataFrame({
        "ID": shown["id"], t("alerts.severity"): shown["severity"].map(lambda s: t(f"severity.{s}")),
        t("alerts.rule"): shown[f"rule_{name_suffix(lang)}"],
        t("col.code"): shown["project_code"], t("col.name"): shown[f"project_{name_suffix(lang)}"],
        t("col.region"): shown[f"region_{name_suffix(lang)}"],
        t("alerts.status"): shown["status"].map(lambda s: t(f"alert_status.{s}")),
        t("alerts.value_col"): shown["value"].round(1), t("alerts.threshold_col"): shown["threshold"].round(1),
        t("alerts.days_col"): shown["age_days"],
    })
    picked = st.dataframe(table, hide_index=True, width="stretch", key="alerts_table", on_select="rerun",
                          selection_mode="multi-row")
    download_buttons(table, "alerts", key="alerts_download", lang=lang)
    selected = shown.iloc[picked.selection.rows] if picked and picked.selection.rows else shown.iloc[0:0]
    to_acknowledge = selected[selected["status"] == "open"]
    if st.button(t("alerts.acknowledge_selected"), disabled=to_acknowledge.empty, key="alerts_bulk_ack"):
        try:
            versions = dict(zip(to_acknowledge["id"].astype(int), to_acknowledge["version"].astype(int), strict=True))
            count = store.acknowledge_many(engine, viewer, versions)
            st.session_state["alerts_flash"] = t("alerts.acknowledged_n", n=count)
            st.rerun()
        except DataAccessError as error:
            show_data_error(error)

# -- one alert ------------------------------------------------------------------------------------------
st.subheader(t("alerts.detail"))
choices = dict(zip(shown["id"], shown["project_code"] + " · " + shown[f"rule_{name_suffix(lang)}"],
                   strict=True))
chosen = st.selectbox(t("alerts.choose"), list(choices), index=None, format_func=choices.get, key="alerts_choice",
                      placeholder=t("common.choose"))
alert_id = chosen if chosen is not None else id_param("alert")
if alert_id is None:
    st.stop()
st.query_params["alert"] = str(alert_id)
with stop_on_data_error():
    history = data.alert_history(viewer, alert_id)
    alert = data.alert(viewer, alert_id)
st.markdown(f"**{t(f'severity.{alert.severity}')} · {plain(alert[f'rule_{name_suffix(lang)}'])}** — "
            f"{plain(alert.project_code)} {plain(alert[f'project_{name_suffix(lang)}'])} — "
            f"{t(f'alert_status.{alert.status}')}")
st.caption(t("alerts.value", value="—" if pd.isna(alert.value) else f"{alert.value:.1f}",
             threshold="—" if pd.isna(alert.threshold) else f"{alert.threshold:.1f}"))
if not pd.isna(alert.plan):
    st.markdown(f"{t('alerts.owner')}: {plain(alert.owner_name)} · {t('alerts.due')}: {date(alert.due_date, lang)}")
    st.markdown(f"{t('alerts.plan')}: {plain(alert.plan)}")
if not pd.isna(alert.evidence_note):
    st.markdown(f"{t('alerts.evidence')}: {plain(alert.evidence_note)}")
    evidence = data.rectification_attachment(viewer, alert_id)
    if evidence is not None:
        attachment_button(evidence[0], evidence[1], key="alert_evidence")
st.caption(t("alerts.history"))
st.dataframe(history_table(history, lang), hide_index=True, width="stretch")
related_cases(viewer, alert_id, st.container(), say_none=True)
if alert.status == "closed" and not pd.isna(alert.plan):
    make_case_button(viewer, alert_id, st.container(), key="alert_make_case")


def act(action: str, **details) -> None:
    try:
        store.transition(engine, viewer, alert_id, int(alert.version), action, **details)
    except DataAccessError as error:
        show_data_error(error)
        return
    st.session_state["alerts_flash"] = t("alerts.done")
    st.rerun()


if alert.status == "open" and st.button(t("alerts.acknowledge"), key="alert_ack"):
    act("acknowledge")
if alert.status in {"open", "acknowledged"}:
    with st.form("alert_rectify"):
        people = {viewer.user_id: st.session_state.get("name") or viewer.username}
        if not pd.isna(alert.manager_id):
            people = {int(alert.manager_id): alert.manager_name} | people
        owner = st.selectbox(t("alerts.owner"), list(people), format_func=people.get, placeholder=t("common.choose"))
        plan = st.text_area(t("alerts.plan"))
        due = st.date_input(t("alerts.due"), value=dt.date.today() + dt.timedelta(days=14))
        if st.form_submit_button(t("alerts.start_rectification")):
            act("rectify", owner_id=owner, plan=plan, due_date=due)
if alert.status == "rectifying":
    with st.form("alert_resolve"):
        note = st.text_area(t("alerts.evidence"))
        upload = st.file_uploader(t("alerts.attachment"), type=["jpg", "jpeg", "png", "pdf", "xlsx", "docx"])
        if st.form_submit_button(t("alerts.resolve")):
            act("resolve", note=note, attachment=upload.getvalue() if upload else None,
                attachment_name=upload.name if upload else None)
if alert.status == "resolved":
    with st.form("alert_verify"):
        note = st.text_area(t("alerts.note"))
        close, reject = st.columns(2)
        if close.form_submit_button(t("alerts.close"), type="primary"):
            act("close", note=note or None)
        if reject.form_submit_button(t("alerts.reject")):
            act("reject", note=note or None)
