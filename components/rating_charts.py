"""Rating rounds shown to people: the list of rounds, who has rated, a closed round's results and one project's
breakdown by rater group (pure: frames in, display frames and figures out; every label in the caller's language).

Rater groups always appear in the order 上级 / 同级 / 自评 / 专家 (:data:`RATER_ORDER`) under the labels
``scorecards.rater.<group>``, so a group reads the same on the scorecard, the round page and the rating form.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.colours import BLUE, RED, SLATE, is_missing
from components.formatting import month
from components.i18n import name_suffix, translate
from components.text import html_text

RATER_ORDER = ("superior", "peer", "self", "expert")  # each has its label under scorecards.rater.<type>
SELF_FLAG = "⚑"
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")


def group_label(rater_type: str, lang: str) -> str:
    """上级 / Superior …; an unknown group keeps its code."""
    return translate(f"scorecards.rater.{rater_type}", lang) if rater_type in RATER_ORDER else str(rater_type)


def beijing_time(moment: dt.datetime | pd.Timestamp | None) -> str:
    """A stored moment in Beijing time (the time rounds are set and refused in), to the minute; naive is UTC.

    >>> beijing_time(dt.datetime(2026, 12, 10, 10, 0)), beijing_time(None)
    ('2026-12-10 18:00', '—')
    """
    if is_missing(moment):
        return "—"
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")


def _ordered(types: pd.Series) -> list[str]:
    present = list(dict.fromkeys(types.astype(str)))
    return [t for t in RATER_ORDER if t in present] + [t for t in present if t not in RATER_ORDER]


def _number(value: object, digits: int = 1) -> str:
    return "—" if is_missing(value) else f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def method_text(method: Mapping[str, Any], criteria: Mapping[str, str], lang: str) -> str:
    """How a round's scores were computed, in one paragraph, from the method stored with its results.

    ``criteria`` maps a criterion's code to its name in ``lang``; an empty ``method`` (the round is still open)
    gives an empty text.
    """
    if not method:
        return ""
    separator = "、" if lang == "zh" else ", "
    criteria_weights = separator.join(f"{criteria.get(code, code)} {weight * 100:.0f} %"
                                      for code, weight in method.get("criteria_weights", {}).items())
    group_weights = separator.join(f"{group_label(group, lang)} {weight:.2f}"
                                   for group, weight in _in_group_order(method.get("group_weights", {})))
    return translate("rating.method", lang, criteria=criteria_weights, trim=method.get("trim_min_raters", "—"),
                     groups=group_weights, margin=f"{float(method.get('self_margin', 0)):g}",
                     leniency=translate("rating.leniency_on" if method.get("correct_leniency")
                                        else "rating.leniency_off", lang))


def _in_group_order(weights: Mapping[str, float]) -> list[tuple[str, float]]:
    return [(group, float(weights[group])) for group in _ordered(pd.Series(list(weights), dtype=str))]


def rounds_table(rounds: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rounds list (``list_rounds`` columns) as shown: name, month, deadline, status, projects, the share of
    ratings given (0–1, for a progress bar under the header ``rating_rounds.col_progress``), given / owed, and
    whether the rated team sees the raters' names. Index: the round id."""
    names = rounds[f"name_{name_suffix(lang)}"]
    assigned = rounds["assigned"].astype(int)
    responded = rounds["responded"].astype(int)
    share = np.where(assigned > 0, responded / assigned.where(assigned > 0, 1), 0.0)
    return pd.DataFrame({
        translate("rating_rounds.col_name", lang): names.astype(str).to_numpy(),
        translate("rating_rounds.col_period", lang): [month(pd.Timestamp(p).date(), lang) for p in rounds["period"]],
        translate("rating_rounds.col_deadline", lang): [beijing_time(d) for d in rounds["deadline"]],
        translate("rating_rounds.col_status", lang): [translate(f"rating_rounds.status.{s}", lang)
                                                      for s in rounds["status"]],
        translate("rating_rounds.col_projects", lang): rounds["projects"].astype(int).to_numpy(),
        translate("rating_rounds.col_progress", lang): share.astype(float),
        translate("rating_rounds.col_counts", lang): [f"{r} / {a}" for r, a in zip(responded, assigned, strict=True)],
        translate("rating_rounds.col_anonymous", lang): [translate("rating_rounds.yes" if a else "rating_rounds.no",
                                                                   lang) for a in rounds["anonymous"]],
    }, index=rounds["id"].to_numpy())


def response_counts(assignments: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Ratings given and owed per rater group (``round_assignments`` rows: ``rater_type``, ``rated``)."""
    rows = []
    for rater_type in _ordered(assignments["rater_type"]):
        rated = assignments.loc[assignments["rater_type"].astype(str) == rater_type, "rated"].astype(bool)
        rows.append({translate("rating_rounds.col_group", lang): group_label(rater_type, lang),
                     translate("rating_rounds.col_assigned", lang): int(len(rated)),
                     translate("rating_rounds.col_rated", lang): int(rated.sum()),
                     translate("rating_rounds.col_missing", lang): int((~rated).sum())})
    columns = [translate("rating_rounds.col_group", lang), translate("rating_rounds.col_assigned", lang),
               translate("rating_rounds.col_rated", lang), translate("rating_rounds.col_missing", lang)]
    return pd.DataFrame(rows, columns=columns)


def results_table(results: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A closed round's results, one row a project, best first.

    ``results`` columns: ``code``, ``name``, ``score``, ``responded``, ``assigned``, ``self_gap`` (self minus the
    others, NaN without a self-rating), ``self_flagged``, ``leniency_change`` (NaN without the correction) and
    one column per rater group (``superior`` …) with that group's mean. The flag reads ``⚑ +11.9``.
    """
    ordered = results.sort_values("score", ascending=False, na_position="last")
    groups = [t for t in RATER_ORDER if t in ordered.columns]
    table = pd.DataFrame({
        translate("col.code", lang): ordered["code"].astype(str),
        translate("col.name", lang): ordered["name"].astype(str),
        translate("rating_rounds.col_score", lang): ordered["score"].astype(float).round(1),
    })
    for rater_type in groups:
        table[group_label(rater_type, lang)] = ordered[rater_type].astype(float).round(1)
    table[translate("rating_rounds.col_self_flag", lang)] = [
        (f"{SELF_FLAG} {gap:+.1f}" if flagged else f"{gap:+.1f}") if not is_missing(gap) else "—"
        for gap, flagged in zip(ordered["self_gap"], ordered["self_flagged"].astype(bool), strict=True)]
    if ordered["leniency_change"].notna().any():
        table[translate("rating_rounds.col_leniency", lang)] = ordered["leniency_change"].astype(float).round(1)
    table[translate("rating_rounds.col_counts", lang)] = [
        f"{int(r)} / {int(a)}" for r, a in zip(ordered["responded"], ordered["assigned"], strict=True)]
    return table.reset_index(drop=True)


def agreement_table(agreement: pd.DataFrame, lang: str) -> pd.DataFrame:
    """How far each rater group agrees (columns ``rater_type``, ``raters``, ``projects``, ``kendall_w``,
    ``icc_single``, ``reading`` — the plain-words reading, already in ``lang``)."""
    ordered = agreement.set_index(agreement["rater_type"].astype(str)).loc[_ordered(agreement["rater_type"])]
    return pd.DataFrame({
        translate("rating_rounds.col_group", lang): [group_label(t, lang) for t in ordered.index],
        translate("rating_rounds.col_raters", lang): ordered["raters"].astype(int).to_numpy(),
        translate("rating_rounds.col_projects", lang): ordered["projects"].astype(int).to_numpy(),
        "Kendall W": [_number(w, 2) for w in ordered["kendall_w"]],
        "ICC(2,1)": [_number(i, 2) for i in ordered["icc_single"]],
        translate("rating_rounds.col_reading", lang): ordered["reading"].astype(str).to_numpy(),
    })


def agreement_text(groups: pd.DataFrame, lang: str) -> str:
    """Each rater group's agreement in plain words: ``同级：较为一致（W 0.62） · 专家：高度一致（W 0.94）``.

    ``groups`` columns: ``rater_type``, ``kendall_w`` and ``reading`` (in ``lang``; missing: too few to tell).
    """
    rows = groups.set_index(groups["rater_type"].astype(str)).loc[_ordered(groups["rater_type"])]
    parts = [translate("rating.agreement_of", lang, group=group_label(str(rater_type), lang),
                       reading=translate("rating_rounds.too_few", lang) if is_missing(reading)
                       else f"{reading}（W {float(w):.2f}）" if lang == "zh" else f"{reading} (W {float(w):.2f})")
             for rater_type, w, reading in zip(rows.index, rows["kendall_w"], rows["reading"], strict=True)]
    return " · ".join(parts)


def breakdown_bars(groups: pd.DataFrame, score: float | None, lang: str, *, self_flagged: bool = False) -> go.Figure:
    """One project's rating by rater group: a bar per group at its mean, written ``82.3 · 4/5``
    (raters who rated of those asked), and the combined score as a dashed line.

    ``groups`` columns: ``rater_type``, ``mean`` (NaN: nobody in the group rated), ``responded``, ``assigned``,
    ``weight``. A flagged self-rating is drawn red with ⚑. ``customdata`` per bar:
    ``[rater_type, weight, responded, assigned]``.
    """
    order = _ordered(groups["rater_type"])
    rows = groups.set_index(groups["rater_type"].astype(str)).loc[order]
    labels = [html_text(group_label(t, lang)) + (f" {SELF_FLAG}" if t == "self" and self_flagged else "")
              for t in order]
    means = rows["mean"].astype(float).to_numpy()
    texts = [f"{_number(m)} · {int(r)}/{int(a)}" for m, r, a in zip(means, rows["responded"], rows["assigned"],
                                                                    strict=True)]
    colours = [RED if t == "self" and self_flagged else SLATE for t in order]
    points = translate("kpi.unit.points", lang)
    figure = go.Figure(go.Bar(
        orientation="h", y=labels, x=np.nan_to_num(means, nan=0.0).tolist(), text=texts, textposition="auto",
        cliponaxis=False, marker=dict(color=colours),
        customdata=[[t, float(w), int(r), int(a)] for t, w, r, a in zip(order, rows["weight"], rows["responded"],
                                                                       rows["assigned"], strict=True)],
        hovertemplate=f"%{{y}}<br>%{{x:.1f}} {points}<br>{translate('rating.weight', lang)}: %{{customdata[1]:.2f}}"
                      f"<br>{translate('rating.responded', lang)}: %{{customdata[2]}} / %{{customdata[3]}}"
                      "<extra></extra>",
    ))
    if not is_missing(score):
        figure.add_vline(x=float(score), line=dict(color=BLUE, dash="dash", width=2),
                         annotation_text=translate("rating.combined", lang, score=f"{float(score):.1f}"),
                         annotation_position="top")
    figure.update_layout(
        height=max(220, 48 * len(order) + 110), margin=dict(l=10, r=60, t=40, b=10), showlegend=False,
        xaxis=dict(range=[0, 110], title=dict(text=translate("scorecards.rating_axis", lang))),
        yaxis=dict(autorange="reversed"),
    )
    return figure
