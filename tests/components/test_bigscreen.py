import datetime as dt

import numpy as np
import pandas as pd

from components.bigscreen import (
    ACCENT,
    MIN_FONT_PX,
    NAVY,
    TEXT_COLOUR,
    apply_big_screen,
    kpi_tile,
    ranking_bars,
    score_trend,
    text_width_px,
)
from components.colours import GRADE_COLOURS
from components.gantt import milestone_gantt


def _ranking():
    return pd.DataFrame({"id": [1, 2, 3, 4, 5], "name": ["甲", "乙", "丙", "丁", "戊"],
                         "score": [80.0, 92.5, np.nan, 70.0, 61.0], "grade": ["良好", "优秀", None, "合格", "合格"]})


def _fonts(figure):
    """Every font size set anywhere in the figure's JSON."""
    sizes = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("font", "tickfont", "textfont") and isinstance(value, dict) and "size" in value:
                    sizes.append(value["size"])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(figure.to_plotly_json())
    return sizes


def test_theme_is_navy_light_text_one_accent_and_no_small_fonts():
    small = milestone_gantt(pd.DataFrame({
        "project": ["甲"], "milestone": ["设计"], "planned_start": [dt.date(2026, 1, 1)],
        "planned_end": [dt.date(2026, 2, 1)], "actual_end": [None], "percent_complete": [50.0]}), dt.date(2026, 1, 15))
    assert min(_fonts(small)) < MIN_FONT_PX  # 11–12 px texts before theming
    figure = apply_big_screen(small)
    assert figure.layout.paper_bgcolor == NAVY and figure.layout.plot_bgcolor == NAVY
    assert figure.layout.font.color == TEXT_COLOUR and list(figure.layout.colorway) == [ACCENT]
    assert min(_fonts(figure)) >= MIN_FONT_PX
    assert figure.layout.xaxis.tickfont.size >= MIN_FONT_PX and figure.layout.annotations[0].font.size == 16


def test_ranking_bars_best_on_top_in_grade_colours_with_grade_words_and_rank_of_n():
    figure = ranking_bars(_ranking(), top=3)
    bars = figure.data[0]
    assert list(figure.layout.yaxis.ticktext) == ["1. 乙", "2. 甲", "3. 丁"]
    assert figure.layout.yaxis.autorange == "reversed"
    # the axis starts at 55 (a multiple of 5 below 70 − half the 22.5 spread): bars run from there
    assert bars.base == 55.0 and list(bars.x) == [37.5, 25.0, 15.0]
    assert list(figure.layout.xaxis.range) == [55.0, 92.5]
    assert list(bars.marker.color) == [GRADE_COLOURS["优秀"], GRADE_COLOURS["良好"], GRADE_COLOURS["合格"]]
    assert list(bars.text) == ["92.5 分 · 优秀", "80.0 分 · 良好", "70.0 分 · 合格"]
    # N = 4 scored; the id first (click-through), the full name for the hover
    assert list(bars.customdata[0]) == [2, "第 1 / 4 名", "92.5 分 · 优秀", "乙"]
    assert [row[0] for row in bars.customdata] == [2, 1, 4]
    assert bars.textfont.size >= 20 and min(_fonts(figure)) >= MIN_FONT_PX
    english = ranking_bars(_ranking(), "en", top=2).data[0]
    assert list(english.text) == ["92.5 · Excellent", "80.0 · Good"] and english.customdata[1][1] == "2 of 4"


def test_the_ranking_axis_makes_85_8_against_93_3_visible():
    figure = ranking_bars(pd.DataFrame({"id": [7, 8], "name": ["东区", "西区"], "score": [85.8, 93.3],
                                        "grade": ["良好", "优秀"]}))
    bars = figure.data[0]
    assert figure.layout.xaxis.range[0] == 80.0 and bars.base == 80.0
    assert [round(x, 1) for x in bars.x] == [13.3, 5.8]  # from zero they would be 93.3 and 85.8: 8 % apart
    assert figure.layout.xaxis.showticklabels is not False  # the start is written on the axis


def test_names_are_cut_only_when_they_do_not_fit_the_given_width():
    long_name = "开封市祥符区黄河滩区居民迁建配套工程"  # 18 wide characters: 360 px at 20 px
    frame = pd.DataFrame({"id": [1, 2], "name": [long_name, "杞县"], "score": [90.0, 80.0], "grade": ["优秀", "良好"]})
    assert list(ranking_bars(frame, width=1040).layout.yaxis.ticktext) == [f"1. {long_name}", "2. 杞县"]
    narrow = ranking_bars(frame, width=448).layout.yaxis.ticktext  # 45 % of 448 px: 201 px
    assert narrow[0].endswith("…") and long_name.startswith(narrow[0][3:-1]) and narrow[1] == "2. 杞县"
    assert text_width_px(narrow[0], 20) <= 448 * 0.45
    assert ranking_bars(frame, width=448).data[0].customdata[0][3] == long_name  # the hover keeps it whole


def test_an_officials_own_district_is_outlined_and_marked_among_its_peers():
    figure = ranking_bars(_ranking(), highlight=1)
    bars = figure.data[0]
    assert list(figure.layout.yaxis.ticktext)[1] == "▶ 2. 甲"
    assert list(bars.marker.line.color) == ["rgba(0,0,0,0)", ACCENT, "rgba(0,0,0,0)", "rgba(0,0,0,0)"]


def test_ranks_given_with_the_rows_are_kept():
    frame = _ranking().assign(rank=[2, 1, None, 3, 4]).dropna(subset=["score"])
    frame["rank"] = frame["rank"].astype(int)
    assert list(ranking_bars(frame, top=2).layout.yaxis.ticktext) == ["1. 乙", "2. 甲"]


def test_score_trend_line_with_latest_value_large():
    periods = [dt.date(2026, m, 1) for m in (3, 1, 2)]
    figure = score_trend(pd.DataFrame({"period": periods, "score": [83.0, 80.0, 81.5]}))
    line = figure.data[0]
    assert list(line.y) == [80.0, 81.5, 83.0] and line.line.color == ACCENT
    assert list(line.customdata[0]) == ["2026-01-01", "2026年1月"]
    assert figure.layout.annotations[0].text == "83.0 分" and figure.layout.annotations[0].font.size >= 32
    assert figure.layout.yaxis.title.text == "平均得分（分）"
    english = score_trend(pd.DataFrame({"period": periods, "score": [83.0, 80.0, 81.5]}), "en")
    assert english.layout.yaxis.title.text == "Mean score (points)" and english.data[0].customdata[0][1] == "Jan 2026"


def test_kpi_tile_big_number_with_unit_and_change():
    figure = kpi_tile("总投资", 103.2, "亿元", 100.0)
    number = figure.data[0].number
    assert figure.data[0].value == 103.2 and number.suffix == " 亿元" and number.font.size >= 64
    assert figure.layout.annotations[0].text == "▲ 3.2 %"
    assert kpi_tile("Score", 85.0, "pts", 86.1, "en", change_unit="points").layout.annotations[0].text == "▼ 1.1 pts"
    assert figure.layout.paper_bgcolor == NAVY


def test_ranking_shortens_long_names_on_the_axis_but_keeps_them_for_the_hover():
    from components.bigscreen import ranking_bars

    name = "钦州港大榄坪保税物流中心二期冷链仓储建设项目"
    figure = ranking_bars(pd.DataFrame({"name": [name], "score": [91.0], "grade": ["优秀"]}))
    assert list(figure.layout.yaxis.ticktext) == ["1. 钦州港大榄坪保…"]  # 198 px of a 440 px chart at 20 px
    assert figure.data[0].customdata[0][3] == name
    wide = ranking_bars(pd.DataFrame({"name": [name], "score": [91.0], "grade": ["优秀"]}), width=1200)
    assert list(wide.layout.yaxis.ticktext) == [f"1. {name}"]
