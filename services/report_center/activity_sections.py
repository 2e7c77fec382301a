"""The sections about what happened in the period: warnings, overdue 整改, frequent problems, best practices and
the knowledge base's cases, rating rounds.

Every read is the report's scoped viewer's, and rows are kept only for the report's projects (its category or
department, when it names one). Times are compared in UTC against the period's first and last day.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from components.colours import warning_label
from components.i18n import name_suffix, stored_text, translate
from data_access.rating_results import round_results
from data_access.ratings import list_rounds
from data_access.report_reads import period_texts
from services.knowledge import best_practices
from services.note_summary import mentions, problem_types, summarise
from services.portfolio import SEVERITY_ORDER, worst_first
from services.report_center.blocks import Section, Table
from services.report_center.facts import Facts
from services.report_center.wording import score_text, this_period
from services.words import keywords

WORST = 10  # warnings listed by name; the counts cover all
TOP_PROBLEMS = 5
PRACTICES, CASES = 5, 10


def _bounds(facts: Facts) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period as [first moment, first moment after] in UTC."""
    start = pd.Timestamp(facts.period.start, tz="UTC")
    return start, pd.Timestamp(facts.period.end + dt.timedelta(days=1), tz="UTC")


def raised_and_closed(facts: Facts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report's warnings opened in the period, and those closed in it."""
    start, after = _bounds(facts)
    alerts = facts.alerts
    return (alerts[(alerts["opened_at"] >= start) & (alerts["opened_at"] < after)],
            alerts[(alerts["closed_at"] >= start) & (alerts["closed_at"] < after)])


def frequent_rules(facts: Facts, top: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``top`` warning rules by how many of the report's warnings live in the period they raised (columns
    rule_id, name in the report's language, n; most first), and those live warnings."""
    start, after = _bounds(facts)
    alerts = facts.alerts
    live = alerts[(alerts["opened_at"] < after) & (alerts["closed_at"].isna() | (alerts["closed_at"] >= start))]
    rule = f"rule_{name_suffix(facts.lang)}"
    rules = (live.groupby(["rule_id", rule]).size().rename("n").reset_index().rename(columns={rule: "name"})
             .sort_values(["n", "rule_id"], ascending=[False, True]).head(top))
    return rules, live


def warnings(facts: Facts) -> Section:
    """Warnings raised and closed in the period, by severity, and the worst of those raised."""
    lang = facts.lang
    _, after = _bounds(facts)
    alerts = facts.alerts
    raised, closed = raised_and_closed(facts)
    still_open = alerts[(alerts["opened_at"] < after) & (alerts["closed_at"].isna() | (alerts["closed_at"] >= after))]
    counts = pd.DataFrame({
        translate("rc.col.severity", lang): [warning_label(severity, lang) for severity in SEVERITY_ORDER],
        translate("rc.col.raised", lang): [int((raised["severity"] == s).sum()) for s in SEVERITY_ORDER],
        translate("rc.col.closed", lang): [int((closed["severity"] == s).sum()) for s in SEVERITY_ORDER],
        translate("rc.col.open_at_end", lang): [int((still_open["severity"] == s).sum()) for s in SEVERITY_ORDER],
    })
    suffix = name_suffix(lang)
    worst = worst_first(raised).head(WORST)
    listed = pd.DataFrame({
        translate("rc.col.severity", lang): [warning_label(severity, lang) for severity in worst["severity"]],
        translate("rc.col.project", lang): worst[f"project_{suffix}"].astype(str).to_numpy(),
        translate("rc.col.region", lang): worst[f"region_{suffix}"].astype(str).to_numpy(),
        translate("rc.col.rule", lang): worst[f"rule_{suffix}"].astype(str).to_numpy(),
        translate("rc.col.opened", lang): [f"{moment:%Y-%m-%d}" for moment in worst["opened_at"]],
        translate("rc.col.status", lang): [translate(f"alert_status.{status}", lang) for status in worst["status"]],
    })
    words = translate("rc.warnings.words", lang, when=this_period(facts.period, lang), raised=len(raised),
                      red=int((raised["severity"] == "red").sum()), closed=len(closed), still_open=len(still_open))
    tables = [Table("warnings", translate("rc.warnings.caption", lang), counts)]
    if len(listed):
        tables.append(Table("warnings_worst", translate("rc.warnings.worst_caption", lang), listed,
                            note=translate("rc.warnings.worst_note", lang, shown=len(listed), n=len(raised))))
    return Section("warnings", translate("rc.heading.warnings", lang), paragraphs=(words,), tables=tuple(tables))


def overdue(facts: Facts, today: dt.date) -> Section:
    """整改 tasks past their due date and not yet done, as of the period's last day (or ``today``, if earlier)."""
    lang = facts.lang
    as_of = min(facts.period.end, today)
    alerts = facts.alerts
    alerts = alerts.assign(due=pd.to_datetime(alerts["due_date"]))
    late = alerts[(alerts["status"] == "rectifying") & alerts["due"].notna() & (alerts["due"] < pd.Timestamp(as_of))]
    late = late.assign(days=(pd.Timestamp(as_of) - late["due"]).dt.days).sort_values(["days", "id"],
                                                                                     ascending=[False, True])
    suffix = name_suffix(lang)
    table = pd.DataFrame({
        translate("rc.col.project", lang): late[f"project_{suffix}"].astype(str).to_numpy(),
        translate("rc.col.region", lang): late[f"region_{suffix}"].astype(str).to_numpy(),
        translate("rc.col.owner", lang): late["owner_name"].fillna("—").astype(str).to_numpy(),
        translate("rc.col.due", lang): [f"{day:%Y-%m-%d}" for day in late["due"]],
        translate("rc.col.days_overdue", lang): late["days"].astype(int).to_numpy(),
    })
    words = (translate("rc.overdue.none", lang, day=as_of.isoformat()) if late.empty else
             translate("rc.overdue.words", lang, n=len(late), day=as_of.isoformat(), most=int(late["days"].max())))
    return Section("overdue", translate("rc.heading.overdue", lang), paragraphs=(words,),
                   tables=(Table("overdue", translate("rc.overdue.caption", lang), table),) if len(table) else ())


def problems(facts: Facts) -> Section:
    """The five most frequent problem types: warning rules that fired on warnings live in the period, the most
    central words (jieba TextRank) of what people wrote — report notes, reasons, 整改 plans and evidence — their
    two-sentence summary, the problem types they mention (:data:`services.note_summary.PROBLEM_TYPES`) and, for a
    report over several districts, each district's keywords and summary."""
    lang = facts.lang
    rules, live = frequent_rules(facts, TOP_PROBLEMS)
    by_rule = pd.DataFrame({translate("rc.col.problem", lang): rules["name"].astype(str).to_numpy(),
                            translate("rc.col.warnings", lang): rules["n"].astype(int).to_numpy(),
                            translate("rc.col.projects", lang): [
                                int(live.loc[live["rule_id"] == rule_id, "project_id"].nunique())
                                for rule_id in rules["rule_id"]]})
    texts = period_texts(facts.engine, facts.viewer, facts.period.start, facts.period.end)
    texts = texts[texts["project_id"].isin(facts.current.index)]
    found = keywords(texts["text"].tolist(), TOP_PROBLEMS)
    by_word = pd.DataFrame({translate("rc.col.keyword", lang): [word for word, _ in found],
                            translate("rc.col.centrality", lang): [weight for _, weight in found],
                            translate("rc.col.mentions", lang): [int(texts["text"].str.contains(word, regex=False)
                                                                    .sum()) for word, _ in found]})
    paragraphs = [translate("rc.problems.rules_words", lang, names="、".join(by_rule.iloc[:, 0].head(3))
                            if lang == "zh" else ", ".join(by_rule.iloc[:, 0].head(3)))
                  if len(by_rule) else translate("rc.problems.no_rules", lang)]
    paragraphs.append(translate("rc.problems.words_words", lang, n=len(texts),
                                words="、".join(by_word.iloc[:, 0]) if lang == "zh" else ", ".join(by_word.iloc[:, 0]))
                      if len(by_word) else translate("rc.problems.no_texts", lang))
    summary = summarise(texts["text"].tolist())
    if summary.sentences:
        paragraphs.append(translate("rc.problems.summary", lang, summary=" ".join(summary.sentences)))
    tables = []
    if len(by_rule):
        tables.append(Table("problems_rules", translate("rc.problems.rules_caption", lang), by_rule))
    if len(by_word):
        tables.append(Table("problems_words", translate("rc.problems.words_caption", lang), by_word,
                            note=translate("rc.problems.words_note", lang)))
    by_type = _problem_types(texts, lang)
    if len(by_type):
        tables.append(Table("problems_types", translate("rc.problems.types_caption", lang), by_type,
                            note=translate("rc.problems.types_note", lang)))
    by_district = _district_summaries(facts, texts)
    if len(by_district) > 1:
        tables.append(Table("problems_districts", translate("rc.problems.districts_caption", lang), by_district))
    return Section("problems", translate("rc.heading.problems", lang), paragraphs=tuple(paragraphs),
                   tables=tuple(tables))


def _problem_types(texts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The TOP5 problem types of the written texts: how many texts and projects mention each."""
    found = problem_types(texts["text"].tolist())[:TOP_PROBLEMS]
    return pd.DataFrame({
        translate("rc.col.problem_type", lang): [stored_text(lang, kind.name_zh, kind.name_en) for kind, _ in found],
        translate("rc.col.mentions", lang): [n for _, n in found],
        translate("rc.col.projects", lang): [
            int(texts.loc[[mentions(kind, text) for text in texts["text"]], "project_id"].nunique())
            for kind, _ in found]})


def _district_summaries(facts: Facts, texts: pd.DataFrame) -> pd.DataFrame:
    """Each district's keywords and two-sentence summary of its projects' texts (districts with texts only)."""
    lang = facts.lang
    names = facts.regions.set_index("id")[facts.name_column]
    district = texts["project_id"].map(facts.current["district_id"])
    rows = []
    for district_id, group in texts.groupby(district, sort=True):
        summary = summarise(group["text"].tolist())
        rows.append((str(names.get(int(district_id), district_id)), ("、" if lang == "zh" else ", ").join(
            summary.keywords), " ".join(summary.sentences)))
    return pd.DataFrame(rows, columns=[translate(key, lang) for key in (
        "rc.col.district", "rc.col.keywords", "rc.col.summary")])


def _cases_table(cases: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        translate("rc.col.case", lang): cases["title"].astype(str).to_numpy(),
        translate("rc.col.project", lang): cases["project_name"].astype(str).to_numpy(),
        translate("rc.col.region", lang): cases["region_name"].astype(str).to_numpy(),
        translate("rc.col.problem", lang): cases["problem_type"].fillna("").astype(str).to_numpy(),
        translate("rc.col.before", lang): pd.to_numeric(cases["before"], errors="coerce").to_numpy(),
        translate("rc.col.after", lang): pd.to_numeric(cases["after"], errors="coerce").to_numpy(),
        translate("rc.col.unit", lang): cases["unit"].fillna("").astype(str).to_numpy(),
    })


def _cited(facts: Facts, limit: int) -> pd.DataFrame:
    region = facts.scope.region
    return best_practices(facts.engine, facts.viewer, region_id=None if region is None else int(str(region["id"])),
                          start=facts.period.start, end=facts.period.end, language=facts.lang, limit=limit)


def practices(facts: Facts) -> Section:
    """Best practices from the knowledge base for the scope and period (the knowledge base chooses them)."""
    return _case_section(facts, "practices", "rc.heading.practices", PRACTICES)


def cases(facts: Facts) -> Section:
    """The white paper's cases cited: more of the knowledge base's cases, each with what was done."""
    return _case_section(facts, "cases", "rc.heading.cases", CASES)


def _case_section(facts: Facts, key: str, heading: str, limit: int) -> Section:
    lang = facts.lang
    found = _cited(facts, limit)
    if found.empty:
        return Section(key, translate(heading, lang), paragraphs=(translate("rc.practices.none", lang),))
    paragraphs = tuple(f"{title}：{summary}" if lang == "zh" else f"{title}: {summary}"
                       for title, summary in zip(found["title"].astype(str), found["summary"].fillna("").astype(str),
                                                 strict=True))
    return Section(key, translate(heading, lang), paragraphs=paragraphs,
                   tables=(Table(key, translate("rc.practices.caption", lang), _cases_table(found, lang)),))


def ratings(facts: Facts) -> Section:
    """The rating rounds scored for a month of the period: projects, raters who responded, the mean result."""
    lang = facts.lang
    rounds = list_rounds(facts.engine, facts.viewer)
    periods = pd.to_datetime(rounds["period"]).dt.date
    rounds = rounds[(periods >= facts.period.start.replace(day=1)) & (periods <= facts.period.end)]
    rows = []
    for one in rounds.sort_values(["period", "id"]).to_dict("records"):
        results = round_results(facts.engine, facts.viewer, int(one["id"])).projects
        results = results[results["project_id"].isin(facts.current.index)]
        mean = float(results["score"].mean()) if results["score"].notna().any() else float("nan")
        rows.append((str(one[f"name_{name_suffix(lang)}"]), f"{pd.Timestamp(one['period']):%Y-%m}",
                     translate(f"rating_rounds.status.{one['status']}", lang), int(len(results)),
                     int(results["responded"].sum()), int(results["assigned"].sum()),
                     None if mean != mean else round(mean, 1)))
    table = pd.DataFrame(rows, columns=[translate(key, lang) for key in (
        "rc.col.round", "rc.col.month", "rc.col.status", "rc.col.projects", "rc.col.responded", "rc.col.assigned",
        "rc.col.mean_result")])
    words = (translate("rc.ratings.none", lang) if table.empty else
             translate("rc.ratings.words", lang, n=len(table), mean=score_text(pd.to_numeric(
                 table.iloc[:, 6], errors="coerce").mean())))
    return Section("ratings", translate("rc.heading.ratings", lang), paragraphs=(words,),
                   tables=(Table("ratings", translate("rc.ratings.caption", lang), table),) if len(table) else ())
