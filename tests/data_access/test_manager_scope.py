"""A project manager's regions (their projects' regions and those regions' ancestors), on both databases."""
from data_access import reads
from tests.conftest import as_viewer


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
