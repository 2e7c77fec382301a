"""pydeck builders for the project-site map; data layers draw even when no base-map tiles load."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pydeck as pdk

from components.charts import STATUS_COLOURS


def _rgb(hex_colour: str) -> list[int]:
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


TOOLTIPS = {
    "zh": "<b>{name_zh}</b><br/>{region_zh} · {category_zh}<br/>预算 {budget_wan} 万元",
    "en": "<b>{name_en}</b><br/>{region_en} · {category_en}<br/>Budget ¥{budget_wan} × 10k",
}


def project_sites(projects: pd.DataFrame, lang: str = "zh") -> pdk.Deck:
    """One point per project at its site, coloured by status, radius growing with the budget."""
    data = projects[["code", "name_zh", "name_en", "region_zh", "region_en", "category_zh", "category_en", "status",
                     "lat", "lon", "budget"]].copy()
    data["colour"] = data["status"].map(lambda s: _rgb(STATUS_COLOURS[s]) + [200])
    data["radius"] = 150 + 60 * np.sqrt(data["budget"] / 1e6)
    data["budget_wan"] = (data["budget"] / 1e4).round(0)
    layer = pdk.Layer("ScatterplotLayer", data=data, get_position=["lon", "lat"], get_fill_color="colour",
                      get_radius="radius", radius_min_pixels=3, radius_max_pixels=30, pickable=True)
    view = pdk.ViewState(latitude=float(data["lat"].mean()) if len(data) else 30.0,
                         longitude=float(data["lon"].mean()) if len(data) else 113.0,
                         zoom=5 if data["lat"].std() > 1 else 9)
    tooltip = {"html": TOOLTIPS[lang], "style": {"fontSize": "14px"}}
    return pdk.Deck(layers=[layer], initial_view_state=view, tooltip=tooltip, map_style=None)
