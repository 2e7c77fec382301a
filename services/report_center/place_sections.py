"""The sections about places: district comparison, the achievement heat map, the map, the white paper's chapters.

A city report (or one over everything the builder sees) compares its districts; a district report frames the
district against the other districts of its city (``services.portfolio.peer_standing`` for an official, whose
scope holds only their district: only the peers' mean scores come back) and shows its projects in the heat map.
"""
from __future__ import annotations

import pandas as pd

from components.i18n import name_suffix, translate
from components.report_charts import achievement_heatmap, district_bars, district_map
from data_access import list_indicators, list_regions, load_indicator_matrix
from data_access.report_reads import city_districts, report_viewer
from services.boundaries import with_boundaries
from services.portfolio import district_kpi_means, district_league, peer_ranking, peer_standing, portfolio
from services.report_center.blocks import Figure, Section, Table
from services.report_center.facts import Facts, narrowed
from services.report_center.wording import grade_of, grades_of, rank_of, score_text, this_period

HEATMAP_PROJECTS = 40  # a district's heat map shows its best-ranked projects; every score is in the ranking
ZH_NUMERALS = "零一二三四五六七八九"


def is_district_report(facts: Facts) -> bool:
    """A report on one district or street (else: a city, or everything the builder sees)."""
    return facts.scope.region is not None and facts.scope.region["level"] != "city"


def league(facts: Facts) -> pd.DataFrame:
    """The scope's districts ranked by mean score: id, name, projects, budget, mean_score, warnings, grade, rank,
    previous_score (``services.portfolio.district_league``)."""
    return district_league(facts.current, facts.previous, facts.regions, facts.name_column)


def peers(facts: Facts) -> pd.DataFrame | None:
    """A district report's district among its city's districts: id, name, score, grade, rank (None for a
    street or a city report)."""
    region = facts.scope.region
    if region is None or region["level"] != "district":
        return None
    if facts.builder.role == "district_official":
        standing = peer_standing(facts.engine, facts.builder, facts.month)
        return None if standing is None else peer_ranking(standing, facts.name_column)
    city = report_viewer(facts.engine, facts.builder, int(str(region["parent_id"]))).viewer
    current = narrowed(portfolio(facts.engine, city, facts.month), facts.request)
    ranked = district_league(current, current.iloc[0:0], list_regions(facts.engine, city), facts.name_column)
    return pd.DataFrame({"id": ranked["id"], "name": ranked["name"], "score": ranked["mean_score"],
                         "grade": ranked["grade"], "rank": ranked["rank"]}).reset_index(drop=True)


def _ranked_of(frame: pd.DataFrame, score: str) -> int:
    return int(frame[score].notna().sum())


def districts(facts: Facts) -> Section:
    """District comparison: the league with a bar chart, or the district among its peers."""
    lang = facts.lang
    heading = translate("rc.heading.districts", lang)
    if is_district_report(facts):
        standing = peers(facts)
        if standing is None or standing.empty:
            return Section("districts", heading, paragraphs=(translate("rc.districts.single", lang),))
        own_id = int(str(facts.scope.region["id"])) if facts.scope.region else None
        of = _ranked_of(standing, "score")
        own = standing[standing["id"] == own_id]
        words = translate("rc.districts.peer_words", lang, name=str(facts.scope.region[facts.name_column])
                          if facts.scope.region else "", score=score_text(own["score"].iloc[0]) if len(own) else "—",
                          grade=grade_of(own["score"].iloc[0] if len(own) else None, lang),
                          rank=rank_of(own["rank"].iloc[0] if len(own) else None, of, lang), n=len(standing))
        table = pd.DataFrame({
            translate("rc.col.rank", lang): [rank_of(rank, of, lang) for rank in standing["rank"]],
            translate("rc.col.district", lang): standing["name"].astype(str).to_numpy(),
            translate("rc.col.mean_score", lang): standing["score"].astype(float).round(1).to_numpy(),
            translate("rc.col.grade", lang): grades_of(standing["score"], lang),
        })
        position = standing.index[standing["id"] == own_id]
        figure = district_bars(standing["name"].astype(str).tolist(), standing["score"].astype(float).tolist(),
                               standing["grade"].tolist(), lang,
                               highlight=int(position[0]) if len(position) else None)
        return Section("districts", heading, paragraphs=(words,), figures=(
            Figure("district_bars", translate("rc.districts.peer_caption", lang), figure,
                   alt=translate("rc.districts.alt", lang, n=len(standing))),),
            tables=(Table("peers", translate("rc.districts.peer_caption", lang), table),))
    ranked = league(facts)
    of = _ranked_of(ranked, "mean_score")
    table = pd.DataFrame({
        translate("rc.col.rank", lang): [rank_of(rank, of, lang) for rank in ranked["rank"]],
        translate("rc.col.district", lang): ranked["name"].astype(str).to_numpy(),
        translate("rc.col.projects", lang): ranked["projects"].astype(int).to_numpy(),
        translate("rc.col.mean_score", lang): ranked["mean_score"].astype(float).round(1).to_numpy(),
        translate("rc.col.grade", lang): grades_of(ranked["mean_score"], lang),
        translate("rc.col.change", lang): (ranked["mean_score"] - ranked["previous_score"]).astype(float).round(1)
        .to_numpy(),
        translate("rc.col.warnings", lang): ranked["warnings"].astype(int).to_numpy(),
    })
    scored = ranked.dropna(subset=["mean_score"])
    words = (translate("rc.districts.none", lang) if scored.empty else
             translate("rc.districts.words", lang, n=len(ranked), best=str(scored["name"].iloc[0]),
                       best_score=score_text(scored["mean_score"].iloc[0]), worst=str(scored["name"].iloc[-1]),
                       worst_score=score_text(scored["mean_score"].iloc[-1])))
    figure = district_bars(ranked["name"].astype(str).tolist(), ranked["mean_score"].astype(float).tolist(),
                           ranked["grade"].tolist(), lang)
    return Section("districts", heading, paragraphs=(words,), figures=(
        Figure("district_bars", translate("rc.districts.caption", lang), figure,
               alt=translate("rc.districts.alt", lang, n=len(ranked)), height=max(240, 80 + 34 * len(ranked))),),
        tables=(Table("districts", translate("rc.districts.caption", lang), table),))


def heatmap(facts: Facts) -> Section:
    """Achievement against target: districts × KPIs (a city) or the district's best projects × KPIs."""
    lang = facts.lang
    model = facts.model
    library = list_indicators(facts.engine, facts.viewer)
    kpis = library[(library["level"] == 3) & library["scored"].astype(bool)].set_index("code")
    unit = "unit_" + name_suffix(lang)
    label = {code: f"{kpis.at[code, facts.name_column]!s}（{kpis.at[code, unit]!s}）" for code in kpis.index}
    matrix = load_indicator_matrix(facts.engine, facts.viewer, period=facts.month)
    matrix = matrix[matrix.index.isin(facts.current.index)]
    if is_district_report(facts):
        chosen = facts.current.dropna(subset=["total"]).sort_values("rank", kind="stable").head(HEATMAP_PROJECTS)
        values = matrix.reindex(chosen.index)
        values = values[[code for code in kpis.index if code in values.columns and values[code].notna().any()]]
        goals = model.targets.reindex(index=values.index, columns=values.columns)
        rows = chosen[facts.name_column].astype(str).tolist()
        note = translate("rc.heatmap.projects_note", lang, n=len(values))
    else:
        values, goals = district_kpi_means(matrix, model.targets, facts.current["district_id"], list(kpis.index))
        names = facts.regions.set_index("id")[facts.name_column]
        rows = [str(names.get(i, i)) for i in values.index]
        note = translate("rc.heatmap.districts_note", lang)
    heading = translate("rc.heading.heatmap", lang)
    if values.empty or values.shape[1] == 0:
        return Section("heatmap", heading, paragraphs=(translate("rc.heatmap.none", lang),))
    figure = achievement_heatmap(values, goals, kpis["direction"].replace("band", "higher"), row_labels=rows,
                                 col_labels=[label[code] for code in values.columns], lang=lang)
    return Section("heatmap", heading, paragraphs=(translate("rc.heatmap.words", lang), note), figures=(
        Figure("heatmap", translate("rc.heatmap.caption", lang), figure,
               alt=translate("rc.heatmap.alt", lang, rows=len(rows), kpis=values.shape[1]),
               height=int(figure.layout.height)),))


def _map_frame(places: pd.DataFrame, scores: pd.Series, grades: pd.Series, name_column: str) -> pd.DataFrame:
    drawn = with_boundaries(places.reset_index(drop=True))
    return pd.DataFrame({"id": drawn["id"].astype(int), "name": drawn[name_column].astype(str), "parts": drawn["parts"],
                         "label_lon": drawn["label_lon"], "label_lat": drawn["label_lat"],
                         "score": drawn["id"].map(scores).astype(float),
                         "grade": drawn["id"].map(grades).astype(object)})


def map_section(facts: Facts) -> Section:
    """The districts drawn from their boundaries, coloured by grade: one map per city in scope, or the
    district's city with the district outlined."""
    lang, name = facts.lang, facts.name_column
    heading = translate("rc.heading.map", lang)
    figures = []
    if is_district_report(facts):
        standing = peers(facts)
        region = facts.scope.region or {}
        places = city_districts(facts.engine, int(str(region.get("id"))))
        if standing is None or places.empty:
            return Section("map", heading, paragraphs=(translate("rc.districts.single", lang),))
        frame = _map_frame(places, standing.set_index("id")["score"], standing.set_index("id")["grade"], name)
        figures.append(Figure("map", translate("rc.map.caption", lang, city=str(region.get(name, ""))),
                              district_map(frame, lang, highlight=int(str(region.get("id")))),
                              alt=translate("rc.map.alt", lang, n=len(frame)), width=960, height=720))
    else:
        ranked = league(facts).set_index("id")
        districts_in_scope = facts.regions[facts.regions["level"] == "district"]
        cities = facts.regions[facts.regions["level"] == "city"].set_index("id")[name]
        for city_id in districts_in_scope["parent_id"].astype(int).drop_duplicates().tolist():
            places = districts_in_scope[districts_in_scope["parent_id"] == city_id]
            frame = _map_frame(places, ranked["mean_score"], ranked["grade"], name)
            city = str(cities.get(city_id, ""))
            figures.append(Figure(f"map_{city_id}", translate("rc.map.caption", lang, city=city),
                                  district_map(frame, lang), alt=translate("rc.map.alt", lang, n=len(frame)),
                                  width=960, height=720))
    return Section("map", heading, paragraphs=(translate("rc.map.words", lang),), figures=tuple(figures))


def numbered(position: int, lang: str) -> str:
    """（一） … （九十九） in Chinese, "1." … in English: the white paper's sub-headings."""
    if name_suffix(lang) == "en":
        return f"{position}. "
    tens, ones = divmod(position, 10)
    word = (("" if tens == 1 else ZH_NUMERALS[tens]) + "十" if tens else "") + (ZH_NUMERALS[ones] if ones else "")
    return f"（{word}）"


def chapters(facts: Facts) -> Section:
    """The white paper's chapter per district: a paragraph each, and their figures side by side."""
    lang, name = facts.lang, facts.name_column
    ranked = league(facts)
    of = _ranked_of(ranked, "mean_score")
    ranks = {int(i): rank_of(rank, of, lang) for i, rank in zip(ranked["id"], ranked["rank"], strict=True)}
    if is_district_report(facts):  # its rank is among its city's districts, not among itself
        own = int(str((facts.scope.region or {}).get("id")))
        ranked = ranked[ranked["id"] == own]
        standing = peers(facts)
        mine = None if standing is None else standing[standing["id"] == own]
        ranks = {own: "—" if mine is None or mine.empty else
                 rank_of(mine["rank"].iloc[0], _ranked_of(standing, "score"), lang)}  # type: ignore[arg-type]
    paragraphs, rows = [], []
    best = facts.current.dropna(subset=["total"]).sort_values("rank", kind="stable").groupby("district_id").head(1)
    best = best.set_index("district_id")
    for position, district in enumerate(ranked.to_dict("records"), start=1):
        top = best.loc[district["id"]] if district["id"] in best.index else None
        best_words = (translate("rc.chapter.best", lang, project=str(top[name]), score=score_text(top["total"]))
                      if top is not None else "")
        mean, rank = district["mean_score"], ranks[int(district["id"])]
        paragraphs.append(numbered(position, lang) + translate(
            "rc.chapter.words", lang, name=str(district["name"]), when=this_period(facts.period, lang),
            projects=int(district["projects"]), score=score_text(mean), grade=grade_of(mean, lang), rank=rank,
            warnings=int(district["warnings"])) + best_words)
        rows.append((str(district["name"]), int(district["projects"]), round(float(mean), 1), grade_of(mean, lang),
                     rank, int(district["warnings"]), "" if top is None else str(top[name])))
    table = pd.DataFrame(rows, columns=[translate(key, lang) for key in (
        "rc.col.district", "rc.col.projects", "rc.col.mean_score", "rc.col.grade", "rc.col.rank", "rc.col.warnings",
        "rc.col.best_project")])
    return Section("chapters", translate("rc.heading.chapters", lang),
                   paragraphs=tuple(paragraphs) or (translate("rc.districts.none", lang),),
                   tables=(Table("chapters", translate("rc.chapter.caption", lang), table),))
