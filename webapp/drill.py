"""Click-through: a chart element that stands for something (a district bar, a heat-map cell, a map district or
point) opens its detail, and the URL then holds where the user is, so the link can be sent in a chat.

Charts put the id of what an element stands for first in its ``customdata`` (plotly) or in an ``id`` field of
its row (pydeck); these helpers read the browser's selection back and open the page with the URL parameters
``webapp.params`` parses.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NoReturn

import streamlit as st

SCORECARDS = "views/scorecards.py"


def scorecard_params(*, region: int | None = None, project: int | None = None, indicator: str | None = None,
                     period: dt.date | None = None, city: int | None = None) -> dict[str, str]:
    """The scorecard's URL parameters (``?region=``, ``?project=``, ``&indicator=``, ``&period=2026-10``; ``?city=``
    chooses the city of the top level, as ``webapp.filters.chosen_city`` reads it)."""
    params = {"region": region, "project": project, "indicator": indicator,
              "period": None if period is None else f"{period:%Y-%m}", "city": city}
    return {name: str(value) for name, value in params.items() if value is not None}


def open_scorecard(*, region: int | None = None, project: int | None = None, indicator: str | None = None,
                   period: dt.date | None = None, city: int | None = None) -> NoReturn:
    """Open the scorecard of a district or project (one indicator's trend with ``indicator``), or of a city."""
    st.switch_page(SCORECARDS, query_params=scorecard_params(region=region, project=project, indicator=indicator,
                                                             period=period, city=city))


def picked_customdata(event: Any) -> list[list[Any]]:
    """The ``customdata`` of each point chosen in a plotly chart drawn with ``on_select="rerun"`` (empty when
    nothing is chosen, or when the element returned no event)."""
    points = event.selection.points if event else []
    return [list(point["customdata"]) for point in points if point.get("customdata") is not None]


def picked_objects(event: Any, layer_id: str) -> list[Mapping[str, Any]]:
    """The rows chosen in one pickable layer of a pydeck chart drawn with ``on_select="rerun"``."""
    objects = event.selection.objects if event else {}
    return list(objects.get(layer_id, []))
