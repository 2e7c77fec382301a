"""经验库 Knowledge base: best-practice cases, searched in Chinese or English, read by every user; written and
edited by those who may, for their own scope; ``?case=<id>`` opens one case."""
import streamlit as st

from webapp import knowledge_data
from webapp.i18n import t
from webapp.knowledge_panels import FLASH_KEY, case_cards, case_detail, case_form, may_write, search_inputs
from webapp.params import id_param
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
if FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(FLASH_KEY))
case_id = id_param("case")
if case_id is not None:
    with stop_on_data_error():
        case = knowledge_data.case(viewer, case_id)
    st.query_params["case"] = str(case_id)  # a link into the page keeps its case in the address bar
    case_detail(viewer, case)
    if case["editable"]:
        with st.expander(t("knowledge.edit_case")):
            case_form(viewer, case)
else:
    st.title(t("page.knowledge"))
    st.caption(t("knowledge.intro"))
    with stop_on_data_error():
        query, problem_type, category_id, district_id = search_inputs(viewer)
        cases = knowledge_data.search(viewer, query, problem_type, category_id, district_id)
    if may_write(viewer):
        with st.expander(t("knowledge.new_case"), icon=":material/edit_note:"):
            case_form(viewer)
    case_cards(cases, searched=bool(query))
