"""The demo's sites and centres are in the datum of the district boundaries (GCJ-02): a site of 龙亭区 lies
inside 龙亭区's polygon, so the map never draws a district's project in its neighbour."""
from __future__ import annotations

import datetime as dt

import pytest

from data_access.demo.generator import build
from data_access.demo.places import PLACES
from services.boundaries import boundary

TOLERANCE_KM = 0.15  # the drawn boundary is simplified by ~100 m


@pytest.fixture(scope="module")
def demo():
    return build(projects=600, months=3, seed=5, until=dt.date(2026, 11, 1))


def test_every_demo_site_lies_inside_its_districts_boundary(demo):
    regions = {row["id"]: row for row in demo.tables["regions"]}
    checked = outside = 0
    for project in demo.tables["projects"]:
        region = regions[project["region_id"]]
        district = region if region["level"] == "district" else regions[region["parent_id"]]
        shape = boundary(district["code"])
        assert shape is not None, district["code"]  # every demo district has a boundary
        checked += 1
        outside += not shape.contains(project["lon"], project["lat"], tolerance_km=TOLERANCE_KM)
    assert (checked, outside) == (600, 0)


def test_district_centres_and_street_circles_lie_inside_their_district():
    for place in PLACES:
        if place.level == "district":
            assert boundary(place.code).contains(place.lon, place.lat), place.name_en
        elif place.level == "street":
            district = boundary(place.parent)
            assert boundary(place.code) is None  # streets have no polygon: their projects are points only
            assert district.contains(place.lon, place.lat), place.name_en
            margin = place.inner_km
            for dlat, dlon in ((margin / 111.32, 0), (-margin / 111.32, 0), (0, margin / 94.0), (0, -margin / 94.0)):
                assert district.contains(place.lon + dlon, place.lat + dlat, tolerance_km=TOLERANCE_KM), place.name_en
