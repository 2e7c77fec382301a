"""Views of the what-if analysis (``scoring.whatif``): how sure each rank is, who moves under new weights,
and how far each weight can move before the top k changes (pure: data in, figure or table out)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import BLUE, SLATE, is_missing
from components.i18n import translate
from components.kpi import change_text, grade_text, rank_text
from components.text import html_text
from scoring.ranking import grade


def _positions_axis(labels: list[str]) -> dict[str, object]:
    """Rows at integer positions, labels as ticks, first on top (equal names never merge)."""
    return dict(tickmode="array", tickvals=list(range(len(labels))), ticktext=[html_text(label) for label in labels],
                autorange="reversed")


def rank_uncertainty_chart(frame: pd.DataFrame, top_k: int, lang: str = "zh", top_n: int | None = None) -> go.Figure:
    """Dot-and-interval plot, best at top: current rank (diamond), median and 5–95 % range of the rank under
    random weights, and the chance of staying in the top ``top_k`` written at the right.

    ``frame`` is :func:`scoring.whatif.rank_uncertainty` output plus a ``label`` column, indexed by project
    id; unranked rows are left out, ``top_n`` keeps the best n. Ranks read "of N", N = projects ranked.
    ``customdata`` per row (every trace): ``[project id, rank text, range text, chance text]``.
    """
    interval, chance_of_top = translate("whatif.chart.interval", lang), translate("whatif.chart.p_top", lang, k=top_k)
    ranked = frame[frame["rank"].notna()].sort_values(["rank", "rank_p50"], kind="stable")
    n = len(ranked)
    if top_n is not None:
        ranked = ranked.head(top_n)
    labels = ranked["label"].astype(str).tolist()
    y = list(range(len(ranked)))
    p5, p50, p95 = (ranked[c].to_numpy(dtype=float) for c in ("rank_p5", "rank_p50", "rank_p95"))
    chances = [f"{p * 100:.1f} %" for p in ranked["p_top_k"].to_numpy(dtype=float)]
    customdata = [[key, rank_text(r, n, lang), f"{lo:.0f} – {hi:.0f}", chance]
                  for key, r, lo, hi, chance in zip(ranked.index, ranked["rank"], p5, p95, chances, strict=False)]
    hover = (f"<b>%{{customdata[1]}}</b><br>{interval}: %{{customdata[2]}}<br>"
             f"{chance_of_top}: %{{customdata[3]}}<extra></extra>")
    figure = go.Figure()
    figure.add_scatter(
        x=p50, y=y, mode="markers", name=interval, marker=dict(color=SLATE, size=8),
        error_x=dict(type="data", symmetric=False, array=p95 - p50, arrayminus=p50 - p5, color=SLATE,
                     thickness=4, width=0),
        customdata=customdata, hovertemplate=hover,
    )
    figure.add_scatter(x=ranked["rank"].to_numpy(dtype=float), y=y, mode="markers",
                       name=translate("whatif.chart.current", lang),
                       marker=dict(color=BLUE, size=12, symbol="diamond"), customdata=customdata,
                       hovertemplate=hover)
    figure.add_scatter(x=p95, y=y, mode="text", text=chances, textposition="middle right",
                       name=chance_of_top, customdata=customdata, hovertemplate=hover)
    figure.update_layout(
        height=max(280, 26 * len(y) + 120), margin=dict(l=10, r=60, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(title=dict(text=translate("whatif.chart.rank_axis", lang)),
                   range=[0.5, max(n, 1) + 0.5 + max(n, 1) * 0.08]),
        yaxis=_positions_axis(labels),
    )
    return figure


def _rank_move(value: float | None) -> str:
    if is_missing(value):
        return "—"
    return "— 0" if value == 0 else (f"▲ {value}" if value > 0 else f"▼ {-value}")


def movers_table(compare: pd.DataFrame, labels: pd.Series, lang: str = "zh",
                 bands: Mapping[str, float] | None = None, top: int | None = None) -> pd.DataFrame:
    """Display table of :func:`scoring.whatif.compare`: who moved, with ▲/▼ ranks "of N" and graded scores.

    ``labels`` maps project id (the compare index) → display name. Rows keep the compare order (biggest
    movers first), ``top`` keeps the first n; the index stays the project id for drill-down. Scores are
    graded with ``bands`` (default: :data:`scoring.ranking.DEFAULT_GRADE_BANDS`); all cells are text.
    """
    n_base, n_new = int(compare["base_rank"].notna().sum()), int(compare["new_rank"].notna().sum())
    base_grades, new_grades = grade(compare["base_total"], bands), grade(compare["new_total"], bands)
    rows = compare if top is None else compare.head(top)
    table = pd.DataFrame({
        translate("whatif.chart.project", lang): labels.reindex(rows.index).fillna("").astype(str).to_numpy(),
        translate("whatif.chart.base_rank", lang): [rank_text(r, n_base, lang) for r in rows["base_rank"]],
        translate("whatif.chart.new_rank", lang): [rank_text(r, n_new, lang) for r in rows["new_rank"]],
        translate("whatif.chart.rank_change", lang): [_rank_move(r) for r in rows["rank_change"]],
        translate("whatif.chart.base_total", lang): [
            grade_text(t, g, lang) for t, g in zip(rows["base_total"], base_grades[rows.index], strict=True)],
        translate("whatif.chart.new_total", lang): [
            grade_text(t, g, lang) for t, g in zip(rows["new_total"], new_grades[rows.index], strict=True)],
        translate("whatif.chart.change", lang): [change_text(new, base, lang, unit="points")
                          for base, new in zip(rows["base_total"], rows["new_total"], strict=True)],
    }, index=rows.index)
    return table


def weight_stability_chart(frame: pd.DataFrame, labels: pd.Series, top_k: int, lang: str = "zh") -> go.Figure:
    """Per indicator, the weight range in which the top ``top_k`` set stays the same, with the current weight.

    ``frame`` is :func:`scoring.whatif.stability` output (``weight``, ``lower``, ``upper`` as fractions,
    indexed by indicator id); ``labels`` maps indicator id → display name (with unit). The most sensitive
    indicators (least room either way) come first. Axis in percent.
    ``customdata`` per row: ``[indicator id, lower text, upper text, weight text]``.
    """
    room = np.minimum(frame["weight"] - frame["lower"], frame["upper"] - frame["weight"])
    ordered = frame.assign(_room=room).sort_values("_room", kind="stable")
    names = labels.reindex(ordered.index).fillna(pd.Series(ordered.index.astype(str), index=ordered.index))
    lower, upper, weight = (ordered[c].to_numpy(dtype=float) * 100 for c in ("lower", "upper", "weight"))
    customdata = [[key, f"{lo:.1f} %", f"{hi:.1f} %", f"{w:.1f} %"]
                  for key, lo, hi, w in zip(ordered.index, lower, upper, weight, strict=False)]
    hover = ("<b>%{customdata[3]}</b><br>"
             + translate("whatif.chart.stable_hover", lang, k=top_k, lower="%{customdata[1]}",
                         upper="%{customdata[2]}")
             + "<extra></extra>")
    y = list(range(len(ordered)))
    figure = go.Figure()
    figure.add_bar(orientation="h", y=y, base=lower, x=upper - lower,
                   name=translate("whatif.chart.stable", lang, k=top_k),
                   marker=dict(color="rgba(31, 111, 235, 0.25)", line=dict(color=BLUE, width=1)),
                   customdata=customdata, hovertemplate=hover)
    figure.add_scatter(x=weight, y=y, mode="markers+text", name=translate("whatif.chart.weight", lang),
                       text=[c[3] for c in customdata],
                       textposition="top center", marker=dict(color=BLUE, size=11, symbol="diamond"),
                       customdata=customdata, hovertemplate=hover)
    figure.update_layout(
        height=max(260, 34 * len(y) + 120), margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(title=dict(text=translate("whatif.chart.weight_axis", lang)), range=[0, 100]),
        yaxis=_positions_axis(names.tolist()),
    )
    return figure
