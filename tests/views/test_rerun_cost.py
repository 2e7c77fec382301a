"""What a warm page run may cost: the statements it sends, the charts it rebuilds, the files it writes.

Every page switch of every session runs the whole script on the server's one core (see bench/bench_rerun.py), so
the work a warm run skips is pinned here by counting it, never by timing it."""
import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event
from streamlit import config
from streamlit.testing.v1 import AppTest

import components.bigscreen
import components.tables
import data_access
from data_access import writes
from tests.conftest import as_viewer
from tests.views.pushes import leader_around_a_push, pushed_project, reads_around_a_push_in_longting
from webapp import memory
from webapp.session import shared_engine


@pytest.fixture
def statements(app_env):  # noqa: ARG001 - the app's database must be the one the engine opens
    """The SQL statements the app's engine sends (BEGIN and COMMIT left out)."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            sent.append(" ".join(statement.split()))

    engine = shared_engine()
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def engine(app_env):
    engine = data_access.create_database_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def _counted(monkeypatch, module, name: str) -> list[tuple]:
    """Calls of ``module.name`` from now on (the pages import it afresh on every run)."""
    calls: list[tuple] = []
    real = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_a_warm_rerun_reads_only_the_session_user_and_the_data_version(logged_in, statements):
    at = logged_in("leader", "views/overview.py")
    at.run()
    statements.clear()
    at.run()
    assert not at.exception
    # the viewer (the user's row, their region and their login session, in one statement) and the data version
    assert len(statements) == 2, statements
    assert sum("JOIN login_sessions" in s for s in statements) == 1
    assert sum("FROM data_version" in s for s in statements) == 1
    # the login widget's list of every active user is read by logged-out runs only (it was read on every run)
    assert not [s for s in statements if s.endswith("FROM users WHERE users.is_active IS 1")]


def test_the_overview_chart_is_built_once_per_data_version_and_rows_seen(logged_in, engine, monkeypatch):
    built = _counted(monkeypatch, components.bigscreen, "score_trend")
    leader = logged_in("leader", "views/overview.py")
    first = len(built)
    assert first >= 1
    leader.run()
    leader.run()
    assert len(built) == first  # the same figure again: no rebuild for a rerun

    project = data_access.list_projects(engine, as_viewer(engine, "leader")).iloc[0]
    writes.update_project(engine, as_viewer(engine, "admin"), int(project["id"]), int(project["version"]),
                          {"name_zh": "改过的名字"})
    leader.run()
    assert len(built) == first + 1  # a write anywhere: built again from the new data

    analyst = logged_in("analyst", "views/overview.py")  # another role that sees the same rows: the same figure
    assert len(built) == first + 1
    official = logged_in("official_longting", "views/overview.py")  # other rows: a figure of their own
    assert len(built) == first + 2
    assert not leader.exception and not analyst.exception and not official.exception


def test_a_district_officials_heat_map_is_their_own(logged_in, monkeypatch):
    import webapp.views

    built = _counted(monkeypatch, webapp.views, "target_heatmap")
    logged_in("official_longting", "views/heatmaps.py").run()
    theirs = len(built)
    logged_in("official_gulou", "views/heatmaps.py").run()
    assert theirs == 1 and len(built) == 2  # another district's official gets a map built from their own scope


def test_two_officials_of_one_district_share_its_heat_map_and_reads(logged_in, engine, monkeypatch):
    import services.portfolio
    import webapp.views
    from data_access.users import create_user

    district = as_viewer(engine, "official_longting").region_id
    create_user(engine, as_viewer(engine, "admin"), username="official_longting_2", display_name="龙亭区第二位",
                role="district_official", password="Demo@2026", region_id=district)
    built = _counted(monkeypatch, webapp.views, "target_heatmap")
    computed = _counted(monkeypatch, services.portfolio, "portfolio")
    logged_in("official_longting", "views/heatmaps.py")
    first, read = len(built), len(computed)
    logged_in("official_longting_2", "views/heatmaps.py")
    assert (first, len(built)) == (1, 1)  # the second official's heat map is the first one's
    assert len(computed) == read  # and so are the portfolio reads behind it


def test_a_page_run_writes_no_download_until_it_is_clicked(logged_in, monkeypatch):
    files = _counted(monkeypatch, components.tables, "to_xlsx") + _counted(monkeypatch, components.tables, "to_csv")
    at = logged_in("leader", "views/scorecards.py")
    at.run()
    assert len(at.get("download_button")) == 2
    assert files == []  # built by the click (tests/views/test_exports.py clicks them and reads the files)


def _change_what_a_read_gave() -> None:
    import streamlit as st

    from webapp import data

    viewer = st.session_state["test_viewer"]
    data.refresh_version(viewer)
    first = data.projects(viewer)
    first.loc[first.index[0], "code"] = "CHANGED"  # a page working on the frame it was given
    first["extra"] = 1
    st.session_state["second"] = data.projects(viewer)


def test_a_frame_a_page_changes_is_not_what_the_next_read_in_the_run_gets(app_env, engine):  # noqa: ARG001
    at = AppTest.from_function(_change_what_a_read_gave, default_timeout=30)
    at.session_state["test_viewer"] = as_viewer(engine, "leader")
    at.run()
    assert not at.exception
    second = at.session_state["second"]
    expected = data_access.list_projects(engine, as_viewer(engine, "leader"))
    assert "extra" not in second.columns
    assert second.iloc[0]["code"] == expected.iloc[0]["code"] != "CHANGED"


def _read_before_and_after_a_write() -> None:
    import streamlit as st

    import data_access
    from data_access import writes
    from webapp import data
    from webapp.session import shared_engine

    viewer, engine = st.session_state["test_viewer"], shared_engine()
    computed: list[tuple[str, int]] = []
    real = {name: getattr(data_access, name) for name in ("list_projects", "list_regions")}

    def counting(name):
        def read(*args, **kwargs):
            computed.append((name, st.session_state[data.VERSION_KEY]))
            return real[name](*args, **kwargs)
        return read

    for name in real:
        setattr(data_access, name, counting(name))
    try:
        old = data.refresh_version(viewer)
        before = {key: st.session_state[key] for key in (data.VERSION_KEY, data.SCOPE_VERSION_KEY)}
        data.projects(viewer)  # keyed on the version of the viewer's scope
        data.regions(viewer)  # keyed on the whole database's
        project = real["list_projects"](engine, viewer).iloc[0]
        writes.update_project(engine, st.session_state["test_admin"], int(project["id"]), int(project["version"]),
                              {"name_zh": "改过的名字"})
        data.refresh_version(viewer)  # the next run: a newer version, seen first by this process
        data.projects(viewer)
        data.regions(viewer)
        st.session_state.update(before)  # a run begun before the write
        st.session_state[data.RUN_READS_KEY] = {}
        data.projects(viewer)
        data.regions(viewer)
    finally:
        for name, read in real.items():
            setattr(data_access, name, read)
    st.session_state["computed"] = [(name, version - old) for name, version in computed]


def test_a_newer_data_version_empties_the_caches_of_the_older_ones(app_env, engine):  # noqa: ARG001
    """Nothing asks for an older version once a newer one is seen: its entries (a copy of every scope's frames per
    write) go at once rather than when they expire."""
    at = AppTest.from_function(_read_before_and_after_a_write, default_timeout=30)
    at.session_state["test_viewer"] = as_viewer(engine, "leader")
    at.session_state["test_admin"] = as_viewer(engine, "admin")
    at.run()
    assert not at.exception
    # both old entries were gone: read again
    assert at.session_state["computed"] == [("list_projects", 0), ("list_regions", 0), ("list_projects", 1),
                                            ("list_regions", 1), ("list_projects", 0), ("list_regions", 0)]


def _around_a_push_in_longting(engine, usernames, counted, read):
    at = AppTest.from_function(reads_around_a_push_in_longting, default_timeout=60)
    at.session_state["test_viewers"] = [as_viewer(engine, name) for name in usernames]
    at.session_state["test_project"] = int(data_access.list_projects(
        engine, as_viewer(engine, "official_longting"))["id"].iloc[0])
    at.session_state["test_counted"], at.session_state["test_read"] = counted, read
    at.run()
    assert not at.exception
    return at.session_state["computed"], at.session_state["answers"]


def test_after_a_push_the_leaders_portfolio_reads_only_the_pushed_district_again(app_env, engine):  # noqa: ARG001
    from services.portfolio import portfolio

    at = leader_around_a_push(engine, ("services.portfolio", "portfolio"), ("webapp.data", "portfolio", (None,)))
    before, after = at.session_state["answers"]
    expected = portfolio(engine, as_viewer(engine, "leader"), after.attrs["period"])  # read whole, after the push
    pd.testing.assert_frame_equal(after, expected)
    project = pushed_project(engine)
    assert after.loc[project, "total"] != before.loc[project, "total"]


def test_after_a_push_the_leaders_score_trend_reads_only_the_pushed_districts_months_again(app_env, engine):  # noqa: ARG001
    from services.portfolio import mean_score_trend

    last = data_access.latest_period(engine, as_viewer(engine, "leader"))
    at = leader_around_a_push(engine, ("services.portfolio", "monthly_district_totals"),
                               ("webapp.data", "score_trend", (last,)))
    before, after = at.session_state["answers"]
    expected = mean_score_trend(engine, as_viewer(engine, "leader"), last)  # read whole, after the push
    pd.testing.assert_series_equal(after["period"], expected["period"])
    assert after["score"].to_numpy() == pytest.approx(expected["score"].to_numpy(), abs=1e-9)
    assert after["score"].iloc[-1] > before["score"].iloc[-1]  # its figures went up by 10 %


def test_the_scoring_model_is_read_once_per_scope_and_version_for_all_that_score(app_env, engine):  # noqa: ARG001
    last = data_access.latest_period(engine, as_viewer(engine, "leader"))
    at = AppTest.from_function(reads_around_a_push_in_longting, default_timeout=60)
    at.session_state["test_viewers"], at.session_state["test_project"] = [as_viewer(engine, "leader")], \
        pushed_project(engine)
    at.session_state["test_counted"] = ("services.scores", "load_model")
    at.session_state["test_read"] = ("tests.views.pushes", "scores_of_an_overview", (last,))
    at.run()
    assert not at.exception
    # before the push: the city's model once for both months, the trend and the score table; after it: 龙亭区's
    # once for its three parts, and the city's again for the score table (which is read whole)
    longting = as_viewer(engine, "official_longting").region_id
    assert at.session_state["scopes"] == [("leader", None), ("district_official", longting), ("leader", None)]


def test_a_push_in_one_district_leaves_the_other_districts_pages_warm(app_env, engine):  # noqa: ARG001
    computed, _ = _around_a_push_in_longting(engine, ("official_longting", "official_gulou", "leader"),
                                             ("services.portfolio", "portfolio"), ("webapp.data", "portfolio", (None,)))
    # after the push: 龙亭区's official reads afresh and the leader splices in what they read; 鼓楼区's official
    # keeps the cached one
    assert computed == ["official_longting", "official_gulou", "leader", "|", "official_longting"]


def test_the_leader_and_the_analyst_share_the_city_and_after_a_push_its_official_the_pushed_district(
        app_env, engine):  # noqa: ARG001
    from services.portfolio import portfolio

    at = AppTest.from_function(reads_around_a_push_in_longting, default_timeout=60)
    at.session_state["test_viewers"] = [as_viewer(engine, name) for name in ("leader", "analyst", "official_longting")]
    at.session_state["test_project"] = pushed_project(engine)
    at.session_state["test_counted"] = ("services.portfolio", "portfolio")
    at.session_state["test_read"] = ("webapp.data", "portfolio", (None,))
    at.run()
    assert not at.exception
    longting = as_viewer(engine, "official_longting").region_id
    # before: the city once for the leader and the analyst (they see the same rows), 龙亭区 for its official;
    # after: 龙亭区 once, as its officials' scope, for all three
    assert at.session_state["computed"] == ["leader", "official_longting", "|", "leader"]
    assert at.session_state["scopes"][2:] == [("district_official", longting)]
    answers = at.session_state["answers"]
    for name, after in zip(("leader", "analyst", "official_longting"), answers[3:], strict=True):
        pd.testing.assert_frame_equal(after, portfolio(engine, as_viewer(engine, name), after.attrs["period"]))


def test_the_officials_of_a_city_share_its_peer_league_and_a_push_elsewhere_leaves_it_warm(app_env, engine):  # noqa: ARG001
    from services.portfolio import peer_standing

    usernames = ("official_longting", "official_gulou", "official_yuhu")
    at = AppTest.from_function(reads_around_a_push_in_longting, default_timeout=60)
    at.session_state["test_viewers"] = [as_viewer(engine, name) for name in usernames]
    at.session_state["test_project"] = pushed_project(engine)
    at.session_state["test_counted"] = ("services.portfolio", "portfolio")
    at.session_state["test_read"] = ("webapp.data", "peer_standing", (None,))
    at.run()
    assert not at.exception
    computed, standings = at.session_state["computed"], at.session_state["answers"]
    # 开封 scored once for both of its officials, 湘潭 once; after a push in 龙亭区 only 龙亭区 again, spliced
    # into 开封's league
    assert computed == ["official_longting", "official_yuhu", "|", "official_longting"]
    assert at.session_state["scopes"][2:] == [("district_official", as_viewer(engine, "official_longting").region_id)]
    assert [standing.district_id for standing in standings[:3]] == [as_viewer(engine, name).region_id
                                                                    for name in usernames]
    for name, spliced in zip(usernames, standings[3:], strict=True):  # what a whole read after the push gives
        whole = peer_standing(engine, as_viewer(engine, name), None)
        assert (spliced.rank, spliced.of) == (whole.rank, whole.of)
        pd.testing.assert_frame_equal(spliced.peers.reset_index(drop=True), whole.peers.reset_index(drop=True))
    assert standings[3].peers.set_index("id")["mean_score"].to_dict() != \
        standings[0].peers.set_index("id")["mean_score"].to_dict()  # 龙亭区's mean moved with its figures


def test_the_officials_of_a_district_share_the_cases_suggested_for_a_warning(app_env, engine):  # noqa: ARG001
    from data_access.alerts import list_alerts
    from data_access.users import create_user

    create_user(engine, as_viewer(engine, "admin"), username="official_gulou_2", display_name="鼓楼区二",
                role="district_official", password="Second@2026x",
                region_id=as_viewer(engine, "official_gulou").region_id)
    alert_id = int(list_alerts(engine, as_viewer(engine, "official_gulou"))["id"].iloc[0])
    computed, suggested = _around_a_push_in_longting(
        engine, ("official_gulou", "official_gulou_2"), ("services.knowledge", "suggest_cases"),
        ("webapp.knowledge_data", "suggestions", (alert_id,)))
    # a 鼓楼区 warning: its second official shares the first one's suggestions, which outlive a 龙亭区 push
    assert computed == ["official_gulou", "|"]
    assert len(suggested) == 4 and all(cases.equals(suggested[0]) for cases in suggested)


def test_the_server_runs_no_full_garbage_collection_after_every_script_run():
    """Streamlit's default (runner.postScriptGC) cost 0.2 s of CPU per page switch in a server holding the caches."""
    root = Path(__file__).resolve().parents[2]
    settings = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["postScriptGC"] is False
    assert config.get_option("runner.postScriptGC") is False  # the name Streamlit reads (the suite runs from root)


def test_everyone_who_sees_everything_shares_the_goal_tree_and_an_official_has_their_own(app_env, engine):  # noqa: ARG001
    from data_access.users import create_user

    admin = as_viewer(engine, "admin")
    create_user(engine, admin, username="leader_2", display_name="第二位领导", role="leader", password="Second@2026x")
    create_user(engine, admin, username="official_gulou_2", display_name="鼓楼区二", role="district_official",
                password="Second@2026x", region_id=as_viewer(engine, "official_gulou").region_id)
    today = dt.date(2026, 11, 30)
    computed, trees = _around_a_push_in_longting(
        engine, ("leader", "leader_2", "official_gulou", "official_gulou_2"), ("services.goals", "goal_tree"),
        ("webapp.goals", "goal_tree", (today,)))
    # the second leader takes the first one's tree; an official's tree holds the goals they own, so it is theirs
    assert computed == ["leader", "official_gulou", "official_gulou_2", "|",
                        "leader", "official_gulou", "official_gulou_2"]
    assert trees[1].equals(trees[0]) and len(trees[0]) > len(trees[2])


def test_the_first_page_run_of_a_process_settles_the_garbage_collector(logged_in):
    """app.py settles the collector after a page has run (webapp/memory.py: what a replica holds then is frozen)."""
    memory.settle_collector.cache_clear()
    logged_in("leader")
    assert memory.settle_collector.cache_info().currsize == 1
