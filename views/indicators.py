"""指标库 Indicator library: the 3-level tree every role may read; admins also edit it and the category
templates (the parts live in webapp/indicator_forms.py)."""
import streamlit as st

from components.library_charts import weight_sunburst
from data_access.policy import Action, allowed
from webapp import data
from webapp import indicator_forms as forms
from webapp.i18n import current_language, t
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
st.title(t("page.indicators"))
forms.show_flash()
with stop_on_data_error():
    library = data.indicators(viewer)
    categories = data.categories(viewer)

left, right = st.columns([3, 1])
with right:
    dimension = forms.dimension_filter(library)
    show_retired = st.toggle(t("indicators.show_retired"), key="indicators_show_retired")
with left:
    st.dataframe(forms.tree_table(library, categories, dimension=dimension, show_retired=show_retired),
                 hide_index=True, width="stretch", height=560)
with right:
    lang = current_language()
    st.plotly_chart(data.shared_build("indicators sunburst", viewer, (lang,), lambda: weight_sunburst(library, lang)),
                    width="stretch", key="indicators_sunburst")

if allowed(viewer, Action.MANAGE_INDICATORS):
    edit, create, template = st.tabs([t("indicators.tab_edit"), t("indicators.tab_create"),
                                      t("indicators.tab_template")])
    with edit:
        forms.edit_panel(viewer, library, categories)
    with create:
        forms.create_panel(viewer, library)
    with template:
        forms.template_panel(viewer, library, categories)
else:
    st.caption(t("indicators.read_only"))
