"""The big screen's configuration, kept in its URL so that a configured wall is a bookmark:
``/big-screen?city=3&rotate=map,heat,ranking&every=30`` turns the centre through the map, the heat map and the
ranking, 30 seconds each, for city 3. The discreet ⚙ in the title bar edits the same parameters.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_access import Viewer
from webapp.filters import chosen_city
from webapp.i18n import t
from webapp.settings import WALL_PANELS, big_screen_refresh_seconds, big_screen_rotation

ROTATE_PARAM, EVERY_PARAM, SCALE_PARAM = "rotate", "every", "scale"
EVERY_RANGE = (10, 3600)  # seconds a centre panel stays: long enough to read, short enough to be seen
SCALE_RANGE = (0.25, 4.0)  # the screen against the 1920 × 1080 canvas: a phone to an 8K wall


@dataclass(frozen=True)
class WallConfig:
    """The centre panels in turn, and the seconds each stays (also the redraw interval; None: never)."""

    panels: tuple[str, ...]
    every: float | None
    scale: float = 1.0  # the screen's pixels per canvas pixel (?scale=, set by the page's own script)

    def panel_at(self, now: float) -> str:
        """The panel on show at ``now`` (seconds since the epoch): every screen with the same URL agrees."""
        if self.every is None or len(self.panels) == 1:
            return self.panels[0]
        return self.panels[int(now // self.every) % len(self.panels)]


def parse_rotation(text: str | None) -> tuple[str, ...] | None:
    """``"map,heat"`` → ("map", "heat"): known panels in the given order, each once; ``"1"`` (the old switch)
    is map and heat map; None when absent or naming no panel."""
    if text is None:
        return None
    names = ["map", "heat"] if text.strip() == "1" else [name.strip() for name in text.split(",")]
    panels = tuple(dict.fromkeys(name for name in names if name in WALL_PANELS))
    return panels or None


def parse_every(text: str | None) -> float | None:
    """Seconds from ``?every=``, kept within :data:`EVERY_RANGE`; None when absent or not a whole number."""
    if text is None or not text.strip().isascii() or not text.strip().isdigit():
        return None
    return float(min(max(int(text), EVERY_RANGE[0]), EVERY_RANGE[1]))


def parse_scale(text: str | None) -> float:
    """``?scale=2`` → 2.0, kept within :data:`SCALE_RANGE`; 1.0 when absent or not a number."""
    try:
        value = float(text) if text else 1.0
    except ValueError:
        return 1.0
    return min(max(value, SCALE_RANGE[0]), SCALE_RANGE[1]) if value == value else 1.0  # NaN → 1


def wall_config() -> WallConfig:
    """The configuration in the URL, falling back on ``PERFDASH_BIG_SCREEN_ROTATE`` / ``…_REFRESH``."""
    panels = parse_rotation(st.query_params.get(ROTATE_PARAM)) or tuple(big_screen_rotation()) or ("map",)
    every = parse_every(st.query_params.get(EVERY_PARAM)) or big_screen_refresh_seconds()
    return WallConfig(panels, every, parse_scale(st.query_params.get(SCALE_PARAM)))


def panel_titles() -> dict[str, str]:
    """The centre panels' names in the user's language."""
    return {"map": t("wall.panel.map"), "heat": t("wall.panel.heat"), "ranking": t("wall.panel.ranking")}


def wall_settings(viewer: Viewer, config: WallConfig) -> int | None:
    """The ⚙ popover: the city (more than one in scope), the centre panels and their seconds; every choice goes
    into the URL. Returns the city the wall shows (None for an official, whose wall is their district)."""
    with st.popover("⚙", key="wall_settings", help=t("wall.settings")):
        city = chosen_city(viewer, "wall_city")
        labels = panel_titles()
        st.multiselect(t("wall.rotate"), list(WALL_PANELS), default=list(config.panels),
                       format_func=labels.__getitem__, key="wall_rotate", on_change=_keep_rotation,
                       placeholder=t("wall.rotate_placeholder"))
        st.number_input(t("wall.every"), min_value=EVERY_RANGE[0], max_value=EVERY_RANGE[1],
                        value=int(config.every or 60), step=10, key="wall_every", on_change=_keep_every)
    return city


def _keep_rotation() -> None:
    if st.session_state["wall_rotate"]:
        st.query_params[ROTATE_PARAM] = ",".join(st.session_state["wall_rotate"])


def _keep_every() -> None:
    st.query_params[EVERY_PARAM] = str(int(st.session_state["wall_every"]))
