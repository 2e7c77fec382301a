"""The load client's protocol handling (bench/streamlit_client.py), on hand-built Streamlit messages: what ends a
run, what counts as an error, which page and widgets it saw, and the BackMsg it sends."""
from __future__ import annotations

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.streamlit_client import FINISHED, Choice, Page, RunReader, another_option, choose, rerun_message


def _new_session(page_hash: str) -> ForwardMsg:
    message = ForwardMsg()
    message.new_session.page_script_hash = page_hash
    message.new_session.initialize.session_id = "s-1"
    return message


def _finished(status: int) -> ForwardMsg:
    message = ForwardMsg()
    message.script_finished = status
    return message


def _element(kind: str, **fields) -> ForwardMsg:
    message = ForwardMsg()
    element = getattr(message.delta.new_element, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(element, name).extend(value)
        else:
            setattr(element, name, value)
    return message


def test_a_run_cut_short_by_a_rerun_continues_and_only_the_last_runs_elements_count():
    reader = RunReader(started=10.0)
    assert not reader.read(_new_session("login"))
    assert not reader.read(_element("markdown", body="logging in"))
    assert not reader.read(_element("exception", type="ValueError", message="from the first run"))
    assert not reader.read(_finished(FINISHED.FINISHED_EARLY_FOR_RERUN))
    assert not reader.read(_new_session("home"))
    assert not reader.read(_element("markdown", body="a"))
    assert not reader.read(_element("exception", type="KeyError", message="'region'"))
    assert reader.read(_finished(FINISHED.FINISHED_SUCCESSFULLY))
    result = reader.result(now=12.5)
    assert (result.seconds, result.page_hash, result.elements, reader.session_id) == (2.5, "home", 2, "s-1")
    assert result.exceptions == ["KeyError: 'region'"] and result.errors == 1


def test_a_page_not_found_and_a_compile_error_are_errors():
    reader = RunReader(started=0.0)
    reader.read(ForwardMsg(page_not_found={"page_name": "nope"}))
    assert reader.read(_finished(FINISHED.FINISHED_WITH_COMPILE_ERROR))
    result = reader.result(now=1.0)
    assert (result.page_not_found, result.compile_error, result.errors) == (True, True, 2)


def test_the_navigation_gives_the_pages_and_enabled_choices_are_kept():
    reader = RunReader(started=0.0)
    navigation = ForwardMsg()
    navigation.navigation.page_script_hash = "h2"
    for script_hash, name, path in (("h1", "首页", ""), ("h2", "地图", "map")):
        navigation.navigation.app_pages.add(page_script_hash=script_hash, page_name=name, url_pathname=path)
    reader.read(navigation)
    reader.read(_element("selectbox", id="month", options=["2026-11", "2026-10"], default=0))
    reader.read(_element("radio", id="view", options=["表", "图"], default=1))
    reader.read(_element("selectbox", id="locked", options=["a", "b"], disabled=True))
    reader.read(_element("selectbox", id="single", options=["only"]))
    result = reader.result(now=0.0)
    assert reader.pages == [Page("h1", "首页", ""), Page("h2", "地图", "map")] and result.page_hash == "h2"
    assert result.choices == [Choice("month", "selectbox", ("2026-11", "2026-10"), "2026-11"),
                              Choice("view", "radio", ("表", "图"), "图")]


def test_a_change_moves_to_the_next_option_and_wraps():
    choice = Choice("month", "selectbox", ("2026-11", "2026-10", "2026-09"), "2026-11")
    assert another_option(choice) == "2026-10"
    assert another_option(choice, current="2026-09") == "2026-11"
    state = choose(choice, "2026-10")
    assert (state.id, state.WhichOneof("value"), state.string_value) == ("month", "string_value", "2026-10")


def test_the_rerun_message_names_the_page_and_carries_the_widgets_and_the_locale():
    sent = BackMsg()
    sent.ParseFromString(rerun_message(Page("h2", "地图", "map"), [choose(
        Choice("month", "selectbox", ("a", "b"), "a"), "b")]))
    state = sent.rerun_script
    assert (state.page_script_hash, state.page_name, state.context_info.locale) == ("h2", "map", "zh-CN")
    assert [(w.id, w.string_value) for w in state.widget_states.widgets] == [("month", "b")]
    bare = BackMsg()
    bare.ParseFromString(rerun_message(None))
    assert (bare.rerun_script.page_script_hash, bare.rerun_script.page_name) == ("", "")
