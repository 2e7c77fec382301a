"""What a report says, for every kind, scope and language: ``assemble(engine, viewer, request) -> ReportContent``.

The request is checked first (kind, period label, region in the builder's scope, the right to build reports);
then each section is gathered in order, calling ``progress(fraction, step)`` as it goes. Which sections a
kind has:

* weekly — short, for the week's work: summary, warnings raised and closed, overdue 整改, frequent problems,
  provenance (a week has no ranking of its own: scores are monthly, the summary states the latest month's);
* monthly and quarterly — the full report: summary, ranking, districts, heat map, map, warnings, overdue,
  problems, most improved, best practices, rating rounds, then the appendices methodology and provenance;
* the white papers (quarter and year) — a foreword first, the full report's sections, a chapter per district
  after the district comparison, and the knowledge base's cases cited in place of best practices.

The provenance (weight scheme, data version and time, software, audit chain head) is both the last section (a
table) and ``ReportContent.provenance`` (the PDF's box around the audit head, the workbook's cover sheet).

Every number is the portfolio's (``services.portfolio``) for the report's scope, period and category or
department; the same data and request give the same :func:`~services.report_center.blocks.content_digest`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine

from components.i18n import name_suffix, translate
from data_access.policy import Viewer
from services.report_center import activity_sections, appendix, place_sections, score_sections, white_paper
from services.report_center.blocks import ReportContent, ReportRequest, Section
from services.report_center.facts import Facts, gather
from services.report_center.wording import period_name

Progress = Callable[[float, str], None]
Builder = Callable[[Facts], Section]

FULL = ("summary", "ranking", "districts", "heatmap", "map", "warnings", "overdue", "problems", "improved",
        "practices", "ratings", "methodology", "provenance")
WHITE_PAPER = ("foreword", "summary", "ranking", "districts", "chapters", "heatmap", "map", "warnings", "overdue",
               "problems", "improved", "cases", "ratings", "methodology", "provenance")
SECTIONS_OF_KIND: dict[str, tuple[str, ...]] = {
    "weekly": ("summary", "warnings", "overdue", "problems", "provenance"),
    "monthly": FULL,
    "quarterly": FULL,
    "white_paper_quarter": WHITE_PAPER,
    "white_paper_year": WHITE_PAPER,
}
BUILDERS: dict[str, Builder] = {
    "foreword": white_paper.foreword,
    "summary": score_sections.summary,
    "ranking": score_sections.ranking,
    "districts": place_sections.districts,
    "chapters": place_sections.chapters,
    "heatmap": place_sections.heatmap,
    "map": place_sections.map_section,
    "warnings": activity_sections.warnings,
    "problems": activity_sections.problems,
    "improved": score_sections.improved,
    "practices": activity_sections.practices,
    "cases": activity_sections.cases,
    "ratings": activity_sections.ratings,
    "methodology": appendix.methodology,
}
STEP_KEYS = {"foreword": "rc.heading.foreword", "summary": "rc.heading.summary", "ranking": "rc.heading.ranking",
             "districts": "rc.heading.districts", "chapters": "rc.heading.chapters", "heatmap": "rc.heading.heatmap",
             "map": "rc.heading.map", "warnings": "rc.heading.warnings", "overdue": "rc.heading.overdue",
             "problems": "rc.heading.problems", "improved": "rc.heading.improved",
             "practices": "rc.heading.practices", "cases": "rc.heading.cases", "ratings": "rc.heading.ratings",
             "methodology": "rc.heading.methodology", "provenance": "rc.heading.provenance"}
TITLE_KEYS = {"weekly": "rc.title.weekly", "monthly": "rc.title.monthly", "quarterly": "rc.title.quarterly",
              "white_paper_quarter": "rc.title.white_paper", "white_paper_year": "rc.title.white_paper"}


def scope_name(facts: Facts) -> str:
    """The region the report covers (or the cities the builder sees), with its category or department."""
    name = facts.name_column
    if facts.scope.region is not None:
        place = str(facts.scope.region[name])
    else:
        cities = facts.regions[facts.regions["level"] == "city"][name].astype(str).tolist()
        place = "、".join(cities) if 0 < len(cities) <= 3 else translate("rc.scope.all", facts.lang)
        if name_suffix(facts.lang) == "en" and 0 < len(cities) <= 3:
            place = ", ".join(cities)
    extra = []
    if facts.request.category is not None:
        categories = facts.current.loc[facts.current["category_code"] == facts.request.category,
                                       f"category_{name_suffix(facts.lang)}"]
        extra.append(str(categories.iloc[0]) if len(categories) else facts.request.category)
    if facts.request.department_id is not None:
        departments = facts.current.loc[facts.current["department_id"] == facts.request.department_id,
                                        f"department_{name_suffix(facts.lang)}"]
        extra.append(str(departments.iloc[0]) if len(departments) else f"#{facts.request.department_id}")
    return " · ".join([place, *extra])


def publisher(facts: Facts) -> str:
    """Who publishes a white paper: the people's government of its region (a street's office; the performance
    office for a paper over several cities)."""
    region = facts.scope.region
    if region is None:
        cities = facts.regions[facts.regions["level"] == "city"]
        if len(cities) != 1:
            return translate("rc.publisher_office", facts.lang)
        return translate("rc.publisher", facts.lang, scope=str(cities[facts.name_column].iloc[0]))
    key = "rc.publisher_street" if region["level"] == "street" else "rc.publisher"  # a street has an office
    return translate(key, facts.lang, scope=str(region[facts.name_column]))


def assemble(engine: Engine, viewer: Viewer, request: ReportRequest, *, progress: Progress | None = None,
             now: dt.datetime | None = None) -> ReportContent:
    """The report ``request`` asks for, as ``viewer`` may see it (see the module docstring for the sections)."""
    report = progress or (lambda _fraction, _step: None)
    facts = gather(engine, viewer, request)
    lang = request.language
    now = now or dt.datetime.now(dt.UTC)
    keys = SECTIONS_OF_KIND[request.kind]
    stated = appendix.provenance(facts, now)
    sections: list[Section] = []
    for position, key in enumerate(keys):
        report(position / len(keys), translate(STEP_KEYS[key], lang))
        if key == "provenance":
            sections.append(appendix.provenance_section(facts, stated))
        elif key == "overdue":
            sections.append(activity_sections.overdue(facts, now.date()))
        else:
            sections.append(BUILDERS[key](facts))
    report(1.0, translate("rc.step.done", lang))
    scope = scope_name(facts)
    when = period_name(facts.period, lang)
    white_paper = request.kind.startswith("white_paper")
    return ReportContent(
        request=request, title=translate(TITLE_KEYS[request.kind], lang, scope=scope, period=when),
        subtitle=translate("rc.subtitle", lang, period=when, start=f"{facts.period.start:%Y-%m-%d}",
                           end=f"{facts.period.end:%Y-%m-%d}"),
        scope_name=scope, period_label=facts.period.label, period_start=facts.period.start,
        period_end=facts.period.end, sections=tuple(sections), provenance=stated,
        publisher=publisher(facts) if white_paper else "", extra={"scored_month": f"{facts.month:%Y-%m}"})
