"""The white paper's own words: the foreword (前言) that says why it is published, what it found and what
comes next, in the formal register of a published government paper; every figure in it is stated again, with
its table, in the numbered sections that follow."""
from __future__ import annotations

from components.i18n import translate
from services.portfolio import headline
from services.report_center.activity_sections import frequent_rules, raised_and_closed
from services.report_center.blocks import Section
from services.report_center.facts import Facts
from services.report_center.place_sections import is_district_report, league
from services.report_center.wording import grade_of, period_name, score_text

TOP_RULES = 2  # the foreword's outlook names the most frequent warning rules


def _findings(facts: Facts) -> str:
    """The districts' spread (a city paper) and the period's warnings, in one sentence."""
    lang = facts.lang
    raised, closed = (len(frame) for frame in raised_and_closed(facts))
    warnings = translate("rc.foreword.warnings", lang, raised=raised, closed=closed)
    scored = league(facts).dropna(subset=["mean_score"])
    if is_district_report(facts) or len(scored) < 2:
        return warnings
    return translate("rc.foreword.districts", lang, n=len(scored), best=str(scored["name"].iloc[0]),
                     best_score=score_text(scored["mean_score"].iloc[0]), worst=str(scored["name"].iloc[-1]),
                     worst_score=score_text(scored["mean_score"].iloc[-1])) + warnings


def _outlook(facts: Facts) -> str:
    """What comes next: the most frequent warning rules of the period named as the work ahead."""
    lang = facts.lang
    names = frequent_rules(facts, TOP_RULES)[0]["name"].astype(str).tolist()
    if not names:
        return translate("rc.foreword.outlook_plain", lang)
    return translate("rc.foreword.outlook", lang, problems=("、" if lang == "zh" else " and ").join(names))


def foreword(facts: Facts) -> Section:
    """The white paper's 前言: purpose, the headline, what was found, what comes next, and how to check it."""
    lang, figures = facts.lang, headline(facts.current)
    scope = facts.scope.region[facts.name_column] if facts.scope.region else translate("rc.scope.all", lang)
    when = period_name(facts.period, lang)
    mean = figures["mean_score"]
    return Section("foreword", translate("rc.heading.foreword", lang), paragraphs=(
        translate("rc.foreword.purpose", lang, scope=str(scope), period=when),
        translate("rc.foreword.headline", lang, scope=str(scope), period=when, projects=int(figures["projects"]),
                  scored=int(facts.current["total"].notna().sum()), score=score_text(mean), grade=grade_of(mean, lang),
                  month=f"{facts.month:%Y-%m}"),
        _findings(facts),
        _outlook(facts),
        translate("rc.foreword.check", lang)))
