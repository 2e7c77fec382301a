"""Result application shown to people (pure: frames in, display frames, words and figures out).

Money arrives in fen and is shown in 万元 in Chinese and ¥ in English (:func:`components.formatting.money`);
the export keeps exact yuan numbers. Every score travels with its grade; colour is never the only carrier.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components.colours import GRADE_ORDER, SLATE, grade_label
from components.formatting import money
from components.i18n import name_suffix, translate
from components.kpi import grade_text
from components.text import html_text

FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 yuan
FEN_PER_YUAN = 100


def fen_money(fen: float | None, lang: str) -> str:
    """Fen as money text: ``fen_money(123_450_000, "zh") == '123.5 万元'``, ``'¥1,234,500'`` in English."""
    return money(None if fen is None or pd.isna(fen) else float(fen) / 100, lang)


def _change_money(fen: float, lang: str) -> str:
    if not fen:
        return "—"
    return ("▲ " if fen > 0 else "▼ ") + fen_money(abs(fen), lang)


def _cap_text(cap: int | None, lang: str) -> str:
    return translate("allocation.no_cap", lang) if cap is None else fen_money(cap, lang)


def rule_in_words(params: Mapping[str, Any], lang: str) -> str:
    """The rule as one paragraph: pool, threshold, the proportion (coefficient × score), caps, rounding."""
    coefficients = params.get("coefficients", {})
    listed = "、" if lang == "zh" else ", "
    grades = listed.join(f"{grade_label(g, lang)} {float(coefficients.get(g, 0.0)):g}" for g in GRADE_ORDER)
    return translate("allocation.rule_words", lang, pool=fen_money(params["pool_fen"], lang),
                     threshold=f"{float(params.get('threshold', 60.0)):g}", coefficients=grades,
                     project_cap=_cap_text(params.get("project_cap_fen"), lang),
                     district_cap=_cap_text(params.get("district_cap_fen"), lang))


def project_table(lines: pd.DataFrame, change_fen: pd.Series | None, lang: str) -> pd.DataFrame:
    """One row per project with the arithmetic: district, score · grade, eligible, coefficient, weight, share,
    pro-rata amount, capped, final amount and (with ``change_fen``) the change against the rule in force."""
    yes, no = translate("allocation.yes", lang), translate("allocation.no", lang)
    name = "name_" + name_suffix(lang)
    table = pd.DataFrame({
        translate("allocation.col.project", lang): lines[name].astype(str),
        translate("allocation.col.district", lang): lines["district_" + name].astype(str),
        translate("allocation.col.score", lang): [grade_text(s, g, lang) for s, g in zip(lines["score"],
                                                                                         lines["grade"], strict=True)],
        translate("allocation.col.eligible", lang): [yes if e else no for e in lines["eligible"]],
        translate("allocation.col.coefficient", lang): lines["coefficient"].round(2),
        translate("allocation.col.weight", lang): lines["weight"].round(2),
        translate("allocation.col.share", lang): [f"{s * 100:.1f} %" for s in lines["share"]],
        translate("allocation.col.raw", lang): [fen_money(v, lang) for v in lines["raw_fen"]],
        translate("allocation.col.capped", lang): [translate("allocation.capped", lang) if c else "" for c in
                                                   lines["capped"]],
        translate("allocation.col.final", lang): [fen_money(v, lang) for v in lines["final_fen"]],
    }, index=lines.index)
    if change_fen is not None:
        table[translate("allocation.col.change", lang)] = [
            _change_money(float(v), lang) for v in change_fen.reindex(lines.index).fillna(0)]
    return table


def district_table(districts: pd.DataFrame, change_fen: pd.Series | None, lang: str) -> pd.DataFrame:
    """One row per district: projects, eligible, weight, pro-rata, final, at the cap, change."""
    yes = translate("allocation.capped", lang)
    table = pd.DataFrame({
        translate("allocation.col.district", lang): districts["name_" + name_suffix(lang)].astype(str),
        translate("allocation.col.projects", lang): districts["projects"].astype(int),
        translate("allocation.col.eligible_count", lang): districts["eligible"].astype(int),
        translate("allocation.col.weight", lang): districts["weight"].round(2),
        translate("allocation.col.raw", lang): [fen_money(v, lang) for v in districts["raw_fen"]],
        translate("allocation.col.final", lang): [fen_money(v, lang) for v in districts["final_fen"]],
        translate("allocation.col.capped", lang): [yes if c else "" for c in districts["at_cap"]],
    }, index=districts.index)
    if change_fen is not None:
        table[translate("allocation.col.change", lang)] = [
            _change_money(float(v), lang) for v in change_fen.reindex(districts.index).fillna(0)]
    return table


def district_chart(districts: pd.DataFrame, cap_fen: int | None, lang: str) -> go.Figure:
    """Horizontal bars of each district's allocation (largest on top, the amount written at the end of each bar)
    with the district cap as a dashed line; ``customdata`` per bar: ``[district id]``."""
    scale = FEN_PER_WAN if lang == "zh" else FEN_PER_YUAN  # 万元 or yuan
    figure = go.Figure(go.Bar(
        y=[html_text(n) for n in districts["name_" + name_suffix(lang)]],
        x=(districts["final_fen"].astype(float) / scale).tolist(),
        orientation="h", marker_color=SLATE, text=[fen_money(v, lang) for v in districts["final_fen"]],
        textposition="outside", cliponaxis=False, customdata=[[int(i)] for i in districts.index],
        name=translate("allocation.col.final", lang), hovertemplate="%{y}<br>%{text}<extra></extra>"))
    if cap_fen is not None:
        figure.add_vline(x=cap_fen / scale, line_dash="dash", line_color="#1b2733",
                         annotation_text=translate("allocation.chart.cap", lang, cap=fen_money(cap_fen, lang)),
                         annotation_position="bottom right")
    figure.update_layout(height=max(300, 26 * len(districts) + 90), margin=dict(l=10, r=60, t=40, b=10),
                         showlegend=False, xaxis_title=translate("allocation.chart.axis", lang),
                         clickmode="event+select")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def export_frame(lines: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The lines for a spreadsheet: names and exact numbers (yuan with fen), every step of the arithmetic."""
    name = "name_" + name_suffix(lang)
    frame = pd.DataFrame({
        translate("allocation.col.project_id", lang): lines.index,
        translate("allocation.col.project", lang): lines[name].astype(str).to_numpy(),
        translate("allocation.col.district", lang): lines["district_" + name].astype(str).to_numpy(),
        translate("allocation.col.score_only", lang): lines["score"].round(2).to_numpy(),
        translate("allocation.col.grade", lang): [grade_label(g, lang) for g in lines["grade"]],
        translate("allocation.col.eligible", lang): lines["eligible"].astype(bool).to_numpy(),
        translate("allocation.col.coefficient", lang): lines["coefficient"].to_numpy(),
        translate("allocation.col.weight", lang): lines["weight"].to_numpy(),
        translate("allocation.col.share", lang): lines["share"].to_numpy(),
        translate("allocation.col.raw_yuan", lang): (lines["raw_fen"].astype(float) / 100).round(2).to_numpy(),
        translate("allocation.col.capped", lang): lines["capped"].astype(bool).to_numpy(),
        translate("allocation.col.final_yuan", lang): (lines["final_fen"].astype(float) / 100).round(2).to_numpy(),
    })
    return frame


def comparison_table(compared: pd.DataFrame, names: pd.Series, lang: str) -> pd.DataFrame:
    """Two proposals per district: first, second, change (``services.allocation.compare_proposals``)."""
    return pd.DataFrame({
        translate("allocation.col.district", lang): names.reindex(compared.index).fillna("—").astype(str),
        translate("allocation.col.first", lang): [fen_money(v, lang) for v in compared["first_fen"]],
        translate("allocation.col.second", lang): [fen_money(v, lang) for v in compared["second_fen"]],
        translate("allocation.col.change", lang): [_change_money(float(v), lang) for v in compared["change_fen"]],
    }, index=compared.index)


def priority_table(priority: pd.DataFrame, districts: pd.Series, lang: str) -> pd.DataFrame:
    """The budget-priority list: place (or 待复核 / no priority), project, district, score · grade."""
    def place(row: pd.Series) -> str:
        if row["review"]:
            return translate("allocation.review", lang)
        if pd.isna(row["priority"]):
            return translate("allocation.no_priority", lang)
        return translate("allocation.priority_place", lang, n=int(row["priority"]), total=ranked)

    ranked = int(priority["priority"].notna().sum())
    return pd.DataFrame({
        translate("allocation.col.priority", lang): [place(row) for _, row in priority.iterrows()],
        translate("allocation.col.project", lang): priority["name_" + name_suffix(lang)].astype(str),
        translate("allocation.col.district", lang): districts.reindex(priority["district_id"]).fillna("—")
        .astype(str).to_numpy(),
        translate("allocation.col.score", lang): [grade_text(s, g, lang) for s, g in
                                                  zip(priority["score"], priority["grade"], strict=True)],
    }, index=priority.index)


def obligation_table(listed: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Obligations per project: project, score · grade, obligation."""
    return pd.DataFrame({
        translate("allocation.col.project", lang): listed["name_" + name_suffix(lang)].astype(str),
        translate("allocation.col.score", lang): [grade_text(s, g, lang) for s, g in
                                                  zip(listed["score"], listed["grade"], strict=True)],
        translate("allocation.col.obligation", lang): listed["obligation_" + name_suffix(lang)].astype(str),
    })
