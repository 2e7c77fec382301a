"""The what-if page's weight widgets and the state behind them.

Streamlit forgets a page's widgets when the user visits another page, so the weights live in
``st.session_state`` under one key: the values the widgets start from (``initial``), the values they show
(``current``) and a generation number. The widgets are keyed by the generation: a preset, a loaded scheme or
scaling to 100 % stores new initial values and starts a new generation, so fresh widgets are drawn with them.
Widget values are never written through ``st.session_state``, which a browser can miss right after the login
rerun. Sliders and inputs show percentages (:func:`services.whatif.to_percent`); the page re-ranks with the
tree they describe (:func:`services.whatif.from_percent`).
"""
from __future__ import annotations

from typing import Literal

import pandas as pd
import streamlit as st

from scoring.weight_tree import DimensionTree
from services import whatif

STATE_KEY = "whatif_weights"  # {"gen", "initial", "current"}; initial and current are {"dims", "shares"}
FLASH_KEY = "whatif_flash"  # what a button just applied, shown once above the widgets
Level = Literal["dims", "shares"]


class WeightEditor:
    """The weight editor of one session: which widgets to draw, what they describe, and the callbacks that
    change them. Build it once per run; the state itself stays in ``st.session_state``."""

    def __init__(self, default: DimensionTree, dimensions: list[str], dimension_of: pd.Series) -> None:
        """``default``: the tree shown on the first visit and by :meth:`reset`; ``dimensions`` in the order
        drawn; ``dimension_of``: KPI code → dimension."""
        self.default = default
        self.dimensions = dimensions
        self.dimension_of = dimension_of
        state = st.session_state.get(STATE_KEY)
        if state is None:  # first visit: the default scheme
            dims, shares = whatif.to_percent(default)
            st.session_state[STATE_KEY] = {"gen": 0, "initial": {"dims": dims, "shares": shares}, "current": None}
        elif state["current"] is not None and self.dimension_key(dimensions[0]) not in st.session_state:
            # back from another page (widgets forgotten): start from the weights left there
            state["initial"], state["gen"] = state["current"], state["gen"] + 1

    @property
    def _state(self) -> dict:
        return st.session_state[STATE_KEY]

    @property
    def initial(self) -> dict[str, dict[str, float]]:
        """The percentages the widgets of this generation start from: ``{"dims": …, "shares": …}``."""
        return self._state["initial"]

    def dimension_key(self, dimension: str) -> str:
        return f"whatif_dim_{dimension}_{self._state['gen']}"

    def indicator_key(self, code: str) -> str:
        return f"whatif_kpi_{code}_{self._state['gen']}"

    def record(self, dims: dict[str, float], shares: dict[str, float]) -> None:
        """Keep what the widgets show (dimension percentages, KPI shares of their dimension)."""
        self._state["current"] = {"dims": dims, "shares": shares}

    def current_tree(self) -> DimensionTree:
        """The tree the widgets describe."""
        current = self._state["current"]
        return whatif.from_percent(current["dims"], current["shares"], self.dimension_of)

    def apply(self, tree: DimensionTree, message: str) -> None:
        """Callback: show ``tree`` in fresh widgets and ``message`` above them."""
        self._start_generation(*whatif.to_percent(tree))
        st.session_state[FLASH_KEY] = message

    def reset(self, message: str) -> None:
        """Callback: back to the default tree."""
        self.apply(self.default, message)

    def normalise(self, codes: list[str], level: Level) -> None:
        """Callback: scale the weights of ``codes`` (dimensions, or one dimension's KPIs) to 100 %."""
        current = self._state["current"]
        values = current[level]
        total = sum(values[c] for c in codes)
        if total > 0:
            values = values | {c: 100.0 * values[c] / total for c in codes}
        self._start_generation(**(current | {level: values}))

    def flash(self, message: str) -> None:
        """Show ``message`` above the widgets on the next run (e.g. why a button did nothing)."""
        st.session_state[FLASH_KEY] = message

    @staticmethod
    def pop_flash() -> str | None:
        """The message a callback left, once."""
        return st.session_state.pop(FLASH_KEY, None)

    def _start_generation(self, dims: dict[str, float], shares: dict[str, float]) -> None:
        state = self._state
        state["initial"] = state["current"] = {"dims": dict(dims), "shares": dict(shares)}
        state["gen"] += 1
