"""A project manager's scope on both databases: their regions (their projects' regions and those regions'
ancestors), the scope key that changes with the projects they manage, and the inbox after a project moves."""
import pytest

from data_access import alerts, reads, users, writes
from services.alerts import evaluate
from tests.conftest import EVALUATION_DAY, as_viewer


def test_a_manager_of_street_projects_sees_the_streets_their_district_and_their_city(shared_seeded_engine):
    engine = shared_seeded_engine
    manager = as_viewer(engine, "pm_nanjing1")
    projects = reads.list_projects(engine, manager)
    regions = reads.list_regions(engine, manager)
    street_ids = set(projects["region_id"])
    assert set(regions.loc[regions["level"] == "street", "id"]) == street_ids
    assert regions.loc[regions["level"] != "street", "name_zh"].tolist() == ["南京市", "玄武区"]
    assert set(projects["district_id"]) <= set(regions["id"]) and set(projects["city_id"]) <= set(regions["id"])


def test_a_manager_sees_no_region_outside_the_ancestry_of_their_projects(shared_seeded_engine):
    engine = shared_seeded_engine
    manager = as_viewer(engine, "pm_kaifeng1")
    paths = set(reads.list_projects(engine, manager)["region_path"])
    regions = reads.list_regions(engine, manager)
    assert len(regions) > 1
    assert all(any(path.startswith(region) for path in paths) for region in regions["path"])
    assert set(regions["level"]) == {"city", "district"}


def _move_first_project(engine, from_username: str, to_username: str) -> int:
    """As the admin, give ``from_username``'s first project (one with messages in their inbox) to another."""
    admin = as_viewer(engine, "admin")
    old = as_viewer(engine, from_username)
    messaged = alerts.inbox(engine, old)["alert_id"].dropna().astype(int)
    about = set(alerts.list_alerts(engine, admin).set_index("id").loc[list(messaged), "project_id"])
    projects = reads.list_projects(engine, old)
    project = projects[projects["id"].isin(about)].iloc[0]
    writes.update_project(engine, admin, int(project["id"]), int(project["version"]),
                          {"manager_id": as_viewer(engine, to_username).user_id})
    return int(project["id"])


@pytest.fixture
def evaluated(seeded_engine):
    evaluate(seeded_engine, as_of=EVALUATION_DAY)
    return seeded_engine


def test_a_managers_scope_key_changes_when_one_of_their_projects_moves_to_another_manager(evaluated):
    before = as_viewer(evaluated, "pm_kaifeng1")
    assert before.scope_key == as_viewer(evaluated, "pm_kaifeng1").scope_key  # stable while nothing changes
    _move_first_project(evaluated, "pm_kaifeng1", "pm_kaifeng2")
    after = as_viewer(evaluated, "pm_kaifeng1")
    assert after.scope_key != before.scope_key and after != before
    assert len(after.scope_key) == 16


def test_scope_keys_differ_between_roles_regions_and_managers(shared_seeded_engine):
    keys = {as_viewer(shared_seeded_engine, name).scope_key
            for name in ("leader", "analyst", "official_longting", "official_gulou", "pm_kaifeng1", "pm_kaifeng2")}
    assert len(keys) == 6


def test_inbox_messages_about_a_project_moved_away_keep_no_code_name_text_or_link(evaluated):
    old = as_viewer(evaluated, "pm_kaifeng1")
    project_id = _move_first_project(evaluated, "pm_kaifeng1", "pm_kaifeng2")
    project = reads.get_project(evaluated, as_viewer(evaluated, "admin"), project_id)
    messages = alerts.inbox(evaluated, as_viewer(evaluated, "pm_kaifeng1"))
    withheld = messages[messages["withheld"]]
    assert len(withheld) > 0
    assert set(withheld["subject_zh"]) == {"一条消息涉及的项目已不在您的权限范围内"}
    assert set(withheld["subject_en"]) == {"This message concerns a project that is no longer in your scope"}
    assert set(withheld["body_zh"]) == {""} and set(withheld["body_en"]) == {""}
    assert withheld["alert_id"].isna().all()
    for column in ("subject_zh", "subject_en", "body_zh", "body_en"):
        text = " ".join(messages[column])
        assert project["code"] not in text and project["name_zh"] not in text and project["name_en"] not in text
    kept = messages[~messages["withheld"]]
    assert len(kept) > 0 and kept["alert_id"].notna().all()
    assert len(alerts.inbox(evaluated, old)) == len(messages)  # the same messages, only their content withheld
    new = alerts.inbox(evaluated, as_viewer(evaluated, "pm_kaifeng2"))
    assert not new["withheld"].any()


def test_an_official_moved_to_another_district_sees_the_old_districts_messages_withheld(evaluated):
    admin = as_viewer(evaluated, "admin")
    everyone = users.list_users(evaluated, admin)
    officials = everyone[everyone["role"] == "district_official"].set_index("username")
    name = next(n for n in officials.index if len(alerts.inbox(evaluated, as_viewer(evaluated, n))))
    viewer = as_viewer(evaluated, name)
    before = alerts.inbox(evaluated, viewer)
    assert not before["withheld"].any()
    other = int(officials.loc[officials.index != name, "region_id"].iloc[0])
    users.update_user(evaluated, admin, int(officials.at[name, "id"]), int(officials.at[name, "version"]),
                      {"region_id": other})
    moved = as_viewer(evaluated, name)
    assert moved.scope_key != viewer.scope_key
    after = alerts.inbox(evaluated, moved)
    assert after["id"].tolist() == before["id"].tolist() and after["withheld"].all()


def test_a_manager_with_no_project_yet_gets_empty_lists_whose_text_columns_still_take_text(seeded_engine):
    users.create_user(seeded_engine, as_viewer(seeded_engine, "admin"), username="pm_new", display_name="新经理",
                      role="project_manager", password="Newcomer@2026")
    projects = reads.list_projects(seeded_engine, as_viewer(seeded_engine, "pm_new"))
    assert projects.empty and "code" in projects.columns
    # pandas makes an empty list's column float64; the knowledge form's "code name" labels failed on it
    assert (projects["code"] + " " + projects["name_zh"]).tolist() == []
