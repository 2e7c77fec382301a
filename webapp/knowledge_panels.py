"""The 经验库 page's panels: the search filters, the result cards, one case with its files, and the form that
writes or edits a case; and the related cases the rectification board shows under a task."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.formatting import date, month
from components.i18n import name_suffix
from components.knowledge_cards import case_title, figures_line, place_line, tags_line
from components.tables import attachment_button
from components.text import plain
from data_access.errors import DataAccessError
from data_access.policy import Action, Viewer, allowed
from scoring.periods import add_months
from services import knowledge
from services.knowledge import CaseFields
from services.photos import photo_settings
from webapp import data, knowledge_data
from webapp.i18n import current_language, name_column, t
from webapp.paging import one_page
from webapp.photo_upload import ACCEPTED
from webapp.session import shared_engine, show_data_error

PAGE = "views/knowledge.py"
FLASH_KEY = "knowledge_flash"
PAGE_SIZE = 10
MONTHS_OFFERED = 36
CARD_TEXT_LENGTH = 80
_TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")


def problem_text(problem_type: str) -> str:
    return knowledge.problem_label(problem_type, current_language())


def search_inputs(viewer: Viewer) -> tuple[str, str | None, int | None, int | None]:
    """The query and the three filters: (query, problem type, category id, district id)."""
    lang = current_language()
    query = st.text_input(t("knowledge.search"), key="knowledge_query", placeholder=t("knowledge.search_help"),
                          max_chars=200)
    types, categories = knowledge_data.problem_types(viewer), data.categories(viewer)
    districts = knowledge_data.case_districts(viewer)
    by_type, by_category, by_district = st.columns(3)
    problem_type = by_type.selectbox(t("knowledge.problem_type"), [None, *types], key="knowledge_type",
                                     format_func=lambda value: t("knowledge.any") if value is None
                                     else problem_text(value))
    category_names = dict(zip(categories["id"].astype(int), categories[name_column()], strict=True))
    category_id = by_category.selectbox(t("knowledge.category"), [None, *category_names], key="knowledge_category",
                                        format_func=lambda value: t("knowledge.any") if value is None
                                        else category_names[value])
    district_names = dict(zip(districts["id"].astype(int), districts[f"name_{name_suffix(lang)}"],
                              strict=True))
    district_id = by_district.selectbox(t("knowledge.district"), [None, *district_names], key="knowledge_district",
                                        format_func=lambda value: t("knowledge.any") if value is None
                                        else district_names[value])
    return query.strip(), problem_type, category_id, district_id


def case_cards(cases: pd.DataFrame, *, searched: bool) -> None:
    """One bordered card per case of the chosen page: title, place and problem, figures, tags, a link."""
    if cases.empty:
        st.info(t("knowledge.none"))
        return
    lang = current_language()
    for case in one_page(cases, PAGE_SIZE, "knowledge_page",
                         "knowledge.found" if searched else "knowledge.all_cases").to_dict("records"):
        box = st.container(border=True, key=f"knowledge_card_{case['id']}")
        box.markdown(f"**{case_title(case, lang)}**")
        box.caption(place_line(case, lang, problem_text(case["problem_type"])))
        box.markdown(plain(shortened(case["result_text"])))
        box.markdown(f":material/trending_up: {figures_line(case, lang)}")
        tags = tags_line(case["tags"], lang)
        if tags:
            box.caption(tags)
        box.page_link(PAGE, label=t("knowledge.open_case"), query_params={"case": str(case["id"])},
                      icon=":material/arrow_forward:")


def shortened(text: str, length: int = CARD_TEXT_LENGTH) -> str:
    """The first ``length`` characters of a text on one line, with an ellipsis when cut."""
    line = " ".join(str(text).split())
    return line if len(line) <= length else line[:length - 1] + "…"


def case_detail(viewer: Viewer, case: pd.Series) -> None:
    """A case in full: place, what was done, the result with its figures, tags, source, files."""
    lang = current_language()
    record = case.to_dict()
    st.page_link(PAGE, label=t("knowledge.back"), query_params={}, icon=":material/arrow_back:")
    st.header(case_title(record, lang), anchor=False)
    st.caption(place_line(record, lang, problem_text(record["problem_type"])))
    st.markdown(f"##### {t('knowledge.action_taken')}")
    for line in str(record["action_taken"]).splitlines():
        st.markdown(plain(line))
    st.markdown(f"##### {t('knowledge.result')}")
    st.markdown(plain(record["result_text"]))
    st.markdown(f":material/trending_up: **{figures_line(record, lang)}**")
    tags = tags_line(record["tags"], lang)
    if tags:
        st.caption(tags)
    written = pd.Timestamp(record["created_at"]).date()
    byline = t("knowledge.written_by", name=record["created_by_name"] or "—", day=date(written, lang))
    if not pd.isna(record["rectification_id"]):
        byline += " · " + t("knowledge.source_rectification")
    st.caption(plain(byline))
    case_files_panel(viewer, int(record["id"]), editable=bool(record["editable"]))


def case_files_panel(viewer: Viewer, case_id: int, *, editable: bool) -> None:
    """The case's files to download, and the upload for those who may change the case."""
    st.markdown(f"##### {t('knowledge.files')}")
    files = knowledge_data.case_files(viewer, case_id)
    if files.empty:
        st.caption(t("knowledge.no_files"))
    for row in files.itertuples(index=False):
        try:
            name, content_type, content = knowledge.case_file_content(shared_engine(), case_id, int(row.id))
        except DataAccessError as error:
            show_data_error(error)
            continue
        attachment_button(name, content, f"knowledge_file_{row.id}", mime=content_type)
    if not editable:
        return
    settings = photo_settings()
    limit = max(settings.photo_max_mb, settings.attachment_max_mb)
    chosen = st.file_uploader(t("knowledge.upload", mb=f"{limit:g}"), type=list(ACCEPTED),
                              key=f"knowledge_upload_{case_id}", max_upload_size=max(1, round(limit)))
    if chosen is not None and st.button(t("knowledge.add_file"), key="knowledge_add_file"):
        try:
            knowledge.add_case_file(shared_engine(), viewer, case_id, filename=chosen.name, data=chosen.getvalue())
        except DataAccessError as error:
            show_data_error(error)
            return
        st.session_state[FLASH_KEY] = t("knowledge.file_added")
        st.rerun()


def _month_choices(viewer: Viewer, *known: object) -> list[dt.date | None]:
    latest = data.latest_period(viewer) or dt.date.today().replace(day=1)
    months = [add_months(latest, -k) for k in range(MONTHS_OFFERED)]
    extra = [value for value in known if isinstance(value, dt.date) and value not in months]
    return [None, *months, *extra]


def case_form(viewer: Viewer, case: pd.Series | None = None) -> None:
    """Write a new case, or edit ``case`` (the version read is the one the save must still find)."""
    lang = current_language()
    start = knowledge.case_fields(case) if case is not None else None
    key = f"knowledge_form_{'new' if case is None else int(case['id'])}"
    projects = data.projects(viewer)
    project_names = dict(zip(projects["id"].astype(int), projects["code"] + " " + projects[name_column()],
                             strict=True))
    regions = data.regions(viewer)
    regions = regions[regions["level"] != "city"]
    region_names = dict(zip(regions["id"].astype(int), regions[name_column()], strict=True))
    region_options: list[int | None] = ([None] if viewer.sees_everything else []) + list(region_names)
    indicators = data.indicators(viewer)
    indicators = indicators[(indicators["level"] == 3) & indicators["retired_at"].isna()]
    indicator_names = dict(zip(indicators["id"].astype(int), indicators[name_column()], strict=True))
    types = knowledge_data.problem_types(viewer)
    with st.form(key):
        title_zh = st.text_input(t("knowledge.title_zh"), value=start.title_zh if start else "", max_chars=200)
        title_en = st.text_input(t("knowledge.title_en"), value=(start.title_en or "") if start else "",
                                 max_chars=300)
        project_id = st.selectbox(t("knowledge.project"), [None, *project_names], format_func=lambda value:
                                  t("knowledge.none_option") if value is None else project_names[value],
                                  index=_index([None, *project_names], start.project_id if start else None))
        region_id = st.selectbox(t("knowledge.region"), region_options, format_func=lambda value:
                                 t("knowledge.city_wide") if value is None else region_names[value],
                                 index=_index(region_options, start.region_id if start else viewer.region_id))
        problem_type = st.selectbox(t("knowledge.problem_type"), types, format_func=problem_text,
                                    index=types.index(start.problem_type) if start else None,
                                    placeholder=t("knowledge.choose_type"), accept_new_options=True)
        action = st.text_area(t("knowledge.action_taken"), value=start.action_taken if start else "",
                              max_chars=4000)
        result = st.text_area(t("knowledge.result"), value=start.result_text if start else "", max_chars=4000)
        indicator_id = st.selectbox(t("knowledge.indicator"), [None, *indicator_names], format_func=lambda value:
                                    t("knowledge.none_option") if value is None else indicator_names[value],
                                    index=_index([None, *indicator_names], start.indicator_id if start else None))
        months = _month_choices(viewer, start.before_period if start else None, start.after_period if start else None)
        before_column, after_column = st.columns(2)
        before = before_column.selectbox(t("knowledge.before_month"), months, format_func=lambda value:
                                         t("knowledge.none_option") if value is None else month(value, lang),
                                         index=_index(months, start.before_period if start else None))
        after = after_column.selectbox(t("knowledge.after_month"), months, format_func=lambda value:
                                       t("knowledge.none_option") if value is None else month(value, lang),
                                       index=_index(months, start.after_period if start else None))
        tags = st.text_input(t("knowledge.tags_input"), value="、".join(start.tags) if start else "", max_chars=250)
        if not st.form_submit_button(t("knowledge.save"), type="primary"):
            return
    fields = CaseFields(title_zh=title_zh, title_en=title_en or None, problem_type=str(problem_type or ""),
                        action_taken=action, result_text=result, project_id=project_id, region_id=region_id,
                        indicator_id=indicator_id, before_period=before, after_period=after,
                        tags=tuple(tag for tag in _TAG_SEPARATORS.split(tags) if tag))
    try:
        case_id = knowledge.save_case(shared_engine(), viewer, fields,
                                      case_id=None if case is None else int(case["id"]),
                                      expected_version=None if case is None else int(case["version"]))
    except DataAccessError as error:
        show_data_error(error)
        return
    st.session_state[FLASH_KEY] = t("knowledge.saved")
    st.query_params["case"] = str(case_id)
    st.rerun()


def _index(options: list[object], value: object) -> int | None:
    """The position of ``value`` among ``options`` (the first option when it is not there)."""
    return options.index(value) if value in options else (0 if options else None)


def may_write(viewer: Viewer) -> bool:
    return allowed(viewer, Action.EDIT_KNOWLEDGE)


def related_cases(viewer: Viewer, alert_id: int, box: DeltaGenerator, *, say_none: bool = False) -> None:
    """Under an alert or a task: up to three cases of the same problem type or sharing its words, as links."""
    lang = current_language()
    try:
        cases = knowledge_data.suggestions(viewer, alert_id)
    except DataAccessError:
        return  # the alert itself is refused elsewhere on the page, in words
    if cases.empty:
        if say_none:
            box.caption(f"{t('knowledge.related')}: {t('knowledge.no_related')}")
        return
    box.caption(t("knowledge.related"))
    links = cases[["id", "title_zh", "title_en"]]  # what the links show: all columns cost six cards 0.1 s a run
    for case in links.to_dict("records"):
        box.page_link(PAGE, label=case_title(case, lang), query_params={"case": str(case["id"])},
                      icon=":material/lightbulb:")


def make_case_button(viewer: Viewer, alert_id: int, box: DeltaGenerator, *, key: str) -> None:
    """On a closed rectification, for those who write cases: one click drafts the case and opens it."""
    if not may_write(viewer) or not box.button(t("knowledge.make_case"), key=key, icon=":material/lightbulb:"):
        return
    try:
        case_id = knowledge.case_from_rectification(shared_engine(), viewer, alert_id)
    except DataAccessError as error:
        show_data_error(error)
        return
    st.switch_page(PAGE, query_params={"case": str(case_id)})
