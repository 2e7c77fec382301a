"""The sections about scores: summary, ranking, most improved. Their numbers are the portfolio's, unchanged."""
from __future__ import annotations

import pandas as pd

from components.formatting import percent
from components.i18n import name_suffix, translate
from services.portfolio import budget_execution_rate, headline, on_time_milestone_rate
from services.report_center.blocks import Highlight, Section, Table
from services.report_center.facts import Facts
from services.report_center.wording import (
    before_period,
    change,
    direction_words,
    grade_of,
    grades_of,
    missing,
    rank_of,
    score_text,
    this_period,
)

TOP, BOTTOM = 15, 5  # the printed ranking: the best 15 and the last 5 (every project in the workbook)
IMPROVED = 5


def _heading(key: str, facts: Facts) -> str:
    return translate(key, facts.lang)


def summary(facts: Facts) -> Section:
    """Headline figures with their change against the comparison month, and the same in words."""
    lang, now, before = facts.lang, headline(facts.current), headline(facts.previous)
    versus = before_period(facts.period, lang)
    on_time = on_time_milestone_rate(facts.engine, facts.viewer, facts.current.index, facts.as_of)
    on_time_before = on_time_milestone_rate(facts.engine, facts.viewer, facts.previous.index, facts.previous_as_of)
    budget = budget_execution_rate(facts.current)
    budget_before = budget_execution_rate(facts.previous)
    scored = int(facts.current["total"].notna().sum())

    def highlight(label: str, value: str, now_value: float, before_value: float, *, unit: str = "",
                  higher_is_better: bool = True) -> Highlight:
        shown, trend = change(now_value, before_value, higher_is_better=higher_is_better, unit=unit)
        return Highlight(translate(label, lang), value,
                         None if shown is None else translate("rc.versus", lang, change=shown, before=versus), trend)

    mean, mean_before = now["mean_score"], before["mean_score"]
    points = translate("rc.unit.percent_points", lang)  # a change of a percentage is in percentage points
    highlights = (
        Highlight(translate("rc.summary.projects", lang), str(int(now["projects"])),
                  translate("rc.summary.scored", lang, n=scored)),
        highlight("rc.summary.mean_score", f"{score_text(mean)}（{grade_of(mean, lang)}）" if lang == "zh"
                  else f"{score_text(mean)} ({grade_of(mean, lang)})", mean, mean_before),
        highlight("rc.summary.on_time", percent(on_time), on_time, on_time_before, unit=points),
        highlight("rc.summary.budget", percent(budget), budget, budget_before, unit=points),
        Highlight(translate("rc.summary.red", lang), str(int(now["warnings_red"])), severity="red"),
        Highlight(translate("rc.summary.orange", lang), str(int(now["warnings_orange"])), severity="orange"),
        Highlight(translate("rc.summary.yellow", lang), str(int(now["warnings_yellow"])), severity="yellow"),
    )
    when = this_period(facts.period, lang)
    if missing(mean):
        first = translate("rc.summary.no_scores", lang, when=when, projects=int(now["projects"]))
    else:
        first = translate("rc.summary.score_words", lang, when=when, score=score_text(mean),
                          grade=grade_of(mean, lang), before=versus, change=direction_words(mean, mean_before, lang),
                          projects=int(now["projects"]), scored=scored)
    second = translate("rc.summary.delivery_words", lang, on_time=percent(on_time), budget=percent(budget),
                       warnings=int(now["warnings"]), red=int(now["warnings_red"]),
                       orange=int(now["warnings_orange"]), yellow=int(now["warnings_yellow"]))
    return Section("summary", _heading("rc.heading.summary", facts), paragraphs=(first, second),
                   highlights=highlights)


def _ranked(facts: Facts) -> pd.DataFrame:
    """Every project with its score, grade and rank (scored first, best first; then the unscored by code)."""
    frame = facts.current.assign(previous_total=facts.previous["total"].reindex(facts.current.index))
    frame = frame.assign(_unscored=frame["total"].isna())
    return frame.sort_values(["_unscored", "rank", "code"], kind="stable")


def ranking(facts: Facts) -> Section:
    """The printed ranking (best 15, last 5, rank "of N") and every project for the workbook (``ranking_all``)."""
    lang, name = facts.lang, facts.name_column
    ranked = _ranked(facts)
    scored = ranked[ranked["total"].notna()]
    of = len(scored)
    region = f"region_{name_suffix(lang)}"
    columns = {key: translate(key, lang) for key in ("rc.col.rank", "rc.col.of", "rc.col.code", "rc.col.project",
                                                    "rc.col.region", "rc.col.score", "rc.col.grade",
                                                    "rc.col.change")}
    every = pd.DataFrame({
        columns["rc.col.rank"]: ranked["rank"].astype("Int64"),
        columns["rc.col.of"]: of,
        columns["rc.col.code"]: ranked["code"].astype(str),
        columns["rc.col.project"]: ranked[name].astype(str),
        columns["rc.col.region"]: ranked[region].astype(str),
        columns["rc.col.score"]: ranked["total"].astype(float),
        columns["rc.col.grade"]: grades_of(ranked["total"], lang),
        columns["rc.col.change"]: (ranked["total"] - ranked["previous_total"]).astype(float),
    }).reset_index(drop=True)
    shown = scored if of <= TOP + BOTTOM else pd.concat([scored.head(TOP), scored.tail(BOTTOM)])
    printed = pd.DataFrame({
        columns["rc.col.rank"]: [rank_of(rank, of, lang) for rank in shown["rank"]],
        columns["rc.col.project"]: shown[name].astype(str).to_numpy(),
        columns["rc.col.region"]: shown[region].astype(str).to_numpy(),
        columns["rc.col.score"]: shown["total"].astype(float).round(1).to_numpy(),
        columns["rc.col.grade"]: grades_of(shown["total"], lang),
        columns["rc.col.change"]: (shown["total"] - shown["previous_total"]).astype(float).round(1).to_numpy(),
    })
    note = translate("rc.ranking.note", lang, top=min(TOP, of), bottom=BOTTOM, n=of) if of > TOP + BOTTOM \
        else translate("rc.ranking.note_all", lang, n=of)
    grades = scored["grade"].astype(str).value_counts()
    paragraph = translate("rc.ranking.words", lang, n=of, unscored=len(ranked) - of,
                          excellent=int(grades.get("优秀", 0)), good=int(grades.get("良好", 0)),
                          passing=int(grades.get("合格", 0)), failing=int(grades.get("不合格", 0)))
    return Section("ranking", _heading("rc.heading.ranking", facts), paragraphs=(paragraph,), tables=(
        Table("ranking", translate("rc.ranking.caption", lang), printed, note=note),
        Table("ranking_all", translate("rc.ranking.caption_all", lang), every,
              note=translate("rc.ranking.note_workbook", lang))))


def improved(facts: Facts) -> Section:
    """The projects whose score rose most against the comparison month (at most five, only rises)."""
    lang, name = facts.lang, facts.name_column
    ranked = _ranked(facts)
    rise = (ranked["total"] - ranked["previous_total"]).dropna()
    rise = rise[rise > 0].sort_values(ascending=False, kind="stable").head(IMPROVED)
    rows = ranked.loc[rise.index]
    table = pd.DataFrame({
        translate("rc.col.project", lang): rows[name].astype(str).to_numpy(),
        translate("rc.col.region", lang): rows[f"region_{name_suffix(lang)}"].astype(str).to_numpy(),
        translate("rc.col.previous_score", lang): rows["previous_total"].astype(float).round(1).to_numpy(),
        translate("rc.col.score", lang): rows["total"].astype(float).round(1).to_numpy(),
        translate("rc.col.change", lang): rise.round(1).to_numpy(),
        translate("rc.col.grade", lang): grades_of(rows["total"], lang),
    })
    words = (translate("rc.improved.none", lang, before=before_period(facts.period, lang)) if rise.empty else
             translate("rc.improved.words", lang, name=str(rows[name].iloc[0]), change=f"{rise.iloc[0]:.1f}",
                       before=before_period(facts.period, lang)))
    return Section("improved", _heading("rc.heading.improved", facts), paragraphs=(words,),
                   tables=(Table("improved", translate("rc.improved.caption", lang), table),) if len(table) else ())

