"""A push of a 龙亭区 project's figures between two runs of the same reads, for the tests of what a push makes a
page read again (the push is a write declared within the project, as an API push or an import is)."""
from streamlit.testing.v1 import AppTest

import data_access
from tests.conftest import as_viewer


def reads_around_a_push_in_longting() -> None:
    """Each test viewer's run asks for ``test_read`` (module, function, arguments after the viewer), then a push
    of a 龙亭区 project's figures, then the same again; ``computed`` lists whose run computed ``test_counted``
    (module, function whose second argument is a viewer) and ``answers`` what each read gave."""
    import importlib

    import streamlit as st
    from sqlalchemy import update

    from data_access import transaction
    from data_access.db import only_within_projects
    from data_access.models import Observation
    from webapp import data
    from webapp.session import shared_engine

    engine, computed, scopes, answers = shared_engine(), [], [], []
    module_name, name = st.session_state["test_counted"]
    module = importlib.import_module(module_name)
    real = getattr(module, name)

    def counting(engine, viewer, *args, **kwargs):
        computed.append(viewer.username)
        scopes.append((viewer.role, viewer.region_id))
        return real(engine, viewer, *args, **kwargs)

    read_module, read_name, arguments = st.session_state["test_read"]
    read = getattr(importlib.import_module(read_module), read_name)
    setattr(module, name, counting)
    try:
        def every_user_runs() -> None:
            for viewer in st.session_state["test_viewers"]:
                data.refresh_version(viewer)  # each user's own run
                answers.append(read(viewer, *arguments))

        every_user_runs()
        computed.append("|")
        with transaction(engine) as session:  # the project's figures go up by 10 %
            only_within_projects(session, [st.session_state["test_project"]])
            session.execute(update(Observation).where(Observation.project_id == st.session_state["test_project"])
                            .values(value=Observation.value * 1.1))
        every_user_runs()
    finally:
        setattr(module, name, real)
    st.session_state["computed"], st.session_state["answers"] = computed, answers
    st.session_state["scopes"] = scopes


def pushed_project(engine):
    return int(data_access.list_projects(engine, as_viewer(engine, "official_longting"))["id"].iloc[0])


def leader_around_a_push(engine, counted, read):
    """The leader's read before and after a push in 龙亭区: the whole city once, then 龙亭区 alone, read as its
    officials' scope."""
    at = AppTest.from_function(reads_around_a_push_in_longting, default_timeout=60)
    at.session_state["test_viewers"] = [as_viewer(engine, "leader")]
    at.session_state["test_project"] = pushed_project(engine)
    at.session_state["test_counted"], at.session_state["test_read"] = counted, read
    at.run()
    assert not at.exception
    assert at.session_state["scopes"] == [("leader", None),
                                          ("district_official", as_viewer(engine, "official_longting").region_id)]
    return at


def scores_of_an_overview(viewer, last):
    """What the overview reads that scores projects: this month's and last month's portfolio, the 12-month trend
    and the month's score table."""
    from scoring.periods import add_months
    from webapp import data

    return (data.portfolio(viewer, None), data.portfolio(viewer, add_months(last, -1)), data.score_trend(viewer, last),
            data.period_scores(viewer, None))
