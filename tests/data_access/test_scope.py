"""The rows a district official must not see, through every read that takes an id or returns rows."""
import pytest

from data_access import alerts as store
from data_access import reads, writes
from data_access.errors import NotFound, PermissionDenied, ValidationError
from tests.conftest import as_viewer

LONGTING, GULOU, XUANWU = "410202", "410204", "320102"


def _projects_in(engine, code):
    leader = as_viewer(engine, "leader")
    regions = reads.list_regions(engine, leader)
    region_id = int(regions.loc[regions["code"] == code, "id"].iloc[0])
    return reads.list_projects(engine, leader, region_id=region_id)


@pytest.fixture
def engine(shared_seeded_engine):
    return shared_seeded_engine


def test_longting_official_sees_only_longting_projects(engine):
    official = as_viewer(engine, "official_longting")
    seen = reads.list_projects(engine, official)
    longting = _projects_in(engine, LONGTING)
    assert len(longting) > 0
    assert set(seen["id"]) == set(longting["id"])
    assert set(seen["region_code"]) == {LONGTING}


def test_gulou_project_is_a_permission_error_for_the_longting_official(engine):
    official = as_viewer(engine, "official_longting")
    gulou_id = int(_projects_in(engine, GULOU)["id"].iloc[0])
    with pytest.raises(PermissionDenied) as caught:
        reads.get_project(engine, official, gulou_id)
    assert "无权访问" in caught.value.message_zh
    for read in (reads.list_milestones, reads.list_project_targets, reads.list_ratings):
        with pytest.raises(PermissionDenied):
            read(engine, official, project_id=gulou_id)


def test_unknown_project_is_not_found_not_permission(engine):
    with pytest.raises(NotFound):
        reads.get_project(engine, as_viewer(engine, "official_longting"), 999_999)


def test_gulou_observations_never_reach_the_longting_official(engine):
    official = as_viewer(engine, "official_longting")
    gulou_ids = _projects_in(engine, GULOU)["id"].tolist()
    assert reads.load_observations(engine, official, project_ids=gulou_ids).empty
    assert len(reads.load_observations(engine, as_viewer(engine, "leader"), project_ids=gulou_ids)) > 0
    everything = reads.load_observations(engine, official)
    assert set(everything["project_id"]) <= set(_projects_in(engine, LONGTING)["id"])
    matrix = reads.load_indicator_matrix(engine, official)
    assert set(matrix.index) <= set(_projects_in(engine, LONGTING)["id"])


def test_milestones_ratings_and_targets_are_scoped(engine):
    official = as_viewer(engine, "official_longting")
    allowed = set(_projects_in(engine, LONGTING)["id"])
    assert set(reads.list_milestones(engine, official)["project_id"]) == allowed
    assert set(reads.list_project_targets(engine, official)["project_id"]) == allowed
    assert set(reads.list_ratings(engine, official)["project_id"]) <= allowed


def test_district_scope_includes_its_streets(engine):
    official = as_viewer(engine, "official_xuanwu")
    seen = reads.list_projects(engine, official)
    assert len(seen) > 0 and set(seen["region_code"].str[:6]) == {XUANWU}
    regions = reads.list_regions(engine, official)
    assert set(regions["level"]) == {"district", "street"}
    assert (seen["district_id"] == int(regions.loc[regions["level"] == "district", "id"].iloc[0])).all()


def test_the_region_paths_of_a_scopes_projects_are_those_of_its_live_projects_and_no_others(engine):
    official = as_viewer(engine, "official_xuanwu")
    xuanwu = reads.list_regions(engine, official)
    xuanwu_path = xuanwu.loc[xuanwu["level"] == "district", "path"].iloc[0]
    paths = reads.project_region_paths(engine, official)
    assert paths == tuple(sorted(set(reads.list_projects(engine, official)["region_path"])))
    assert len(paths) > 1 and all(path.startswith(xuanwu_path) for path in paths)  # the district and its streets
    leader = as_viewer(engine, "leader")
    everything = reads.list_projects(engine, leader, include_archived=True)
    live = everything.loc[everything["status"] != "archived", "region_path"]
    assert reads.project_region_paths(engine, leader) == tuple(sorted(set(live)))


def test_project_manager_sees_only_managed_projects(engine):
    manager = as_viewer(engine, "pm_kaifeng1")
    seen = reads.list_projects(engine, manager)
    assert len(seen) > 0 and set(seen["manager_id"]) == {manager.user_id}
    others = reads.list_projects(engine, as_viewer(engine, "leader"))
    other_id = int(others.loc[others["manager_id"] != manager.user_id, "id"].iloc[0])
    with pytest.raises(PermissionDenied):
        reads.get_project(engine, manager, other_id)


@pytest.mark.parametrize("username", ["admin", "leader", "analyst", "auditor"])
def test_city_wide_roles_see_every_project(engine, username):
    assert len(reads.list_projects(engine, as_viewer(engine, username))) == 80


def test_region_filter_cannot_widen_an_officials_scope(engine):
    official = as_viewer(engine, "official_longting")
    leader = as_viewer(engine, "leader")
    regions = reads.list_regions(engine, leader)
    gulou_region = int(regions.loc[regions["code"] == GULOU, "id"].iloc[0])
    assert reads.list_projects(engine, official, region_id=gulou_region).empty


def test_an_unknown_and_a_foreign_project_get_the_same_words_naming_no_id(engine):
    official = as_viewer(engine, "official_longting")
    gulou_id = int(_projects_in(engine, GULOU)["id"].iloc[0])
    answers = []
    for project_id in (gulou_id, 999_999):
        with pytest.raises((NotFound, PermissionDenied)) as caught:
            reads.get_project(engine, official, project_id)
        answers.append((caught.value.message_zh, str(caught.value)))
        assert str(project_id) not in caught.value.message_zh + str(caught.value)
    assert answers == [("项目不存在或您无权访问", "No such project, or you may not access it")] * 2


def test_an_unknown_and_a_foreign_milestone_get_the_same_words(engine):
    official, leader = as_viewer(engine, "official_longting"), as_viewer(engine, "leader")
    gulou_id = int(_projects_in(engine, GULOU)["id"].iloc[0])
    milestone = reads.list_milestones(engine, leader, project_id=gulou_id).iloc[0]
    for milestone_id in (int(milestone["id"]), 999_999):
        with pytest.raises((NotFound, PermissionDenied)) as caught:
            writes.update_milestone(engine, official, milestone_id, 1, {})
        assert caught.value.message_zh == "里程碑不存在或您无权访问"


@pytest.mark.parametrize("bad_id", [2**31, 10**23, 0, -1])
def test_ids_no_integer_column_can_hold_are_refused_like_unknown_ones_on_both_databases(engine, bad_id):
    official = as_viewer(engine, "official_longting")
    calls = [lambda: reads.get_project(engine, official, bad_id),
             lambda: reads.list_milestones(engine, official, project_id=bad_id),
             lambda: store.alert_history(engine, official, bad_id),
             lambda: store.rectification_attachment(engine, official, bad_id),
             lambda: store.transition(engine, official, bad_id, 1, "acknowledge"),
             lambda: writes.update_milestone(engine, official, bad_id, 1, {}),
             lambda: writes.update_project(engine, official, bad_id, 1, {})]
    for call in calls:
        with pytest.raises(NotFound) as caught:  # on PostgreSQL this was a psycopg DataError
            call()
        assert "不存在或您无权访问" in caught.value.message_zh


@pytest.mark.parametrize("bad_id", ["12", 1.0, True, None])
def test_an_id_that_is_not_a_whole_number_is_a_validation_error(engine, bad_id):
    with pytest.raises(ValidationError) as caught:
        reads.get_project(engine, as_viewer(engine, "leader"), bad_id)
    assert caught.value.message_zh == "编号须为整数"
