"""The site picker: a clickable grid inside the region's circle, at the same ground scale on both axes."""
import math

import numpy as np

from components.site_picker import GRID_STEPS, site_grid, site_picker
from scoring.geo import haversine_km

LONGTING = (34.83, 114.335, 5.0)


def test_every_grid_point_lies_inside_the_region_and_the_grid_reaches_its_edge():
    lats, lons = site_grid(*LONGTING)
    distances = haversine_km(LONGTING[0], LONGTING[1], lats, lons)
    assert distances.max() <= 5.0 * 1.001 and distances.max() >= 5.0 * 0.99
    assert len(lats) == np.count_nonzero(np.add.outer(np.arange(-15, 16) ** 2, np.arange(-15, 16) ** 2) <= 225)
    assert GRID_STEPS == 15


def test_the_grid_is_the_first_trace_and_the_chosen_site_is_a_star_with_escaped_names():
    figure = site_picker("<b>龙亭区</b>", *LONGTING, "zh", chosen=(34.8, 114.34))
    grid, circle, centre, star = figure.data
    assert grid.mode == "markers" and len(grid.x) == len(site_grid(*LONGTING)[0])
    assert (grid.name, star.name, star.marker.symbol) == ("可选位置", "工地位置", "star")
    assert (star.y[0], star.x[0]) == (34.8, 114.34) and centre.x[0] == LONGTING[1]
    assert circle.name == "&lt;b&gt;龙亭区&lt;/b&gt;"
    assert math.isclose(figure.layout.yaxis.scaleratio, 1 / math.cos(math.radians(34.83)))


def test_without_a_chosen_site_there_is_no_star():
    assert len(site_picker("龙亭区", *LONGTING, "en").data) == 3
    assert site_picker("龙亭区", *LONGTING, "en").data[0].name == "Pickable points"
