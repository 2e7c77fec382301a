"""webapp.weight_editor: the what-if weight widgets' state, driven as Streamlit's callbacks would (bare mode:
``st.session_state`` is a plain in-process store here)."""
import logging

import pandas as pd
import pytest
import streamlit as st

from webapp.weight_editor import FLASH_KEY, STATE_KEY, WeightEditor

DEFAULT = {"a": (0.6, {"x": 3.0, "y": 1.0}), "b": (0.4, {"z": 2.0})}
DIMENSION_OF = pd.Series({"x": "a", "y": "a", "z": "b"})


@pytest.fixture(autouse=True)
def session():
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    st.session_state.clear()
    yield st.session_state
    st.session_state.clear()


def _editor() -> WeightEditor:
    return WeightEditor(DEFAULT, ["a", "b"], DIMENSION_OF)


def test_the_first_visit_starts_from_the_default_scheme_in_percent():
    editor = _editor()
    assert editor.initial == {"dims": {"a": 60.0, "b": 40.0}, "shares": {"x": 75.0, "y": 25.0, "z": 100.0}}
    assert (editor.dimension_key("a"), editor.indicator_key("z")) == ("whatif_dim_a_0", "whatif_kpi_z_0")
    assert editor.pop_flash() is None


def test_the_tree_is_what_the_widgets_show():
    editor = _editor()
    editor.record({"a": 50.0, "b": 50.0}, {"x": 100.0, "y": 0.0, "z": 100.0})
    assert editor.current_tree() == {"a": (50.0, {"x": 100.0, "y": 0.0}), "b": (50.0, {"z": 100.0})}


def test_applying_a_tree_draws_fresh_widgets_from_it_and_says_so_once():
    editor = _editor()
    editor.record({"a": 60.0, "b": 40.0}, {"x": 75.0, "y": 25.0, "z": 100.0})
    editor.apply({"a": (1.0, {"x": 1.0, "y": 1.0}), "b": (3.0, {"z": 1.0})}, "applied: equal")
    assert editor.dimension_key("a") == "whatif_dim_a_1"
    assert editor.initial == {"dims": {"a": 25.0, "b": 75.0}, "shares": {"x": 50.0, "y": 50.0, "z": 100.0}}
    assert editor.current_tree() == {"a": (25.0, {"x": 50.0, "y": 50.0}), "b": (75.0, {"z": 100.0})}
    assert editor.pop_flash() == "applied: equal" and editor.pop_flash() is None
    editor.reset("back to the default")
    assert editor.initial["dims"] == {"a": 60.0, "b": 40.0} and editor.dimension_key("a") == "whatif_dim_a_2"
    assert st.session_state[FLASH_KEY] == "back to the default"


def test_normalising_scales_one_level_to_100_percent_and_leaves_the_other():
    editor = _editor()
    editor.record({"a": 30.0, "b": 90.0}, {"x": 10.0, "y": 30.0, "z": 0.0})
    editor.normalise(["a", "b"], "dims")
    assert editor.initial == {"dims": {"a": 25.0, "b": 75.0}, "shares": {"x": 10.0, "y": 30.0, "z": 0.0}}
    editor.normalise(["x", "y"], "shares")
    assert editor.initial["shares"] == {"x": 25.0, "y": 75.0, "z": 0.0}
    editor.normalise(["z"], "shares")  # all zero: nothing to scale, the widgets are redrawn as they were
    assert editor.initial["shares"] == {"x": 25.0, "y": 75.0, "z": 0.0}
    assert editor.dimension_key("a") == "whatif_dim_a_3"


def test_back_from_another_page_the_widgets_start_from_the_weights_left_there():
    editor = _editor()
    editor.record({"a": 10.0, "b": 90.0}, {"x": 75.0, "y": 25.0, "z": 100.0})
    st.session_state[editor.dimension_key("a")] = 10.0  # the widget exists: a rerun of this page changes nothing
    assert _editor().dimension_key("a") == "whatif_dim_a_0"
    del st.session_state["whatif_dim_a_0"]  # Streamlit forgot the page's widgets
    again = _editor()
    assert again.dimension_key("a") == "whatif_dim_a_1"
    assert again.initial == {"dims": {"a": 10.0, "b": 90.0}, "shares": {"x": 75.0, "y": 25.0, "z": 100.0}}
    assert st.session_state[STATE_KEY]["gen"] == 1
