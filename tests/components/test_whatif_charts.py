import numpy as np
import pandas as pd

from components.colours import BLUE
from components.whatif_charts import movers_table, rank_uncertainty_chart, weight_stability_chart
from scoring import whatif


def _uncertainty():
    return pd.DataFrame({
        "label": ["甲", "乙", "丙", "丁"], "rank": pd.array([3, 1, 2, None], dtype="Int64"),
        "rank_p5": [2.0, 1.0, 1.0, 1.0], "rank_p50": [3.0, 1.0, 2.0, 1.0], "rank_p95": [3.0, 2.0, 3.0, 4.0],
        "p_top_k": [0.1, 0.975, 0.9, 0.0],
    }, index=[11, 12, 13, 14])


def test_rank_uncertainty_best_on_top_with_interval_and_chance():
    figure = rank_uncertainty_chart(_uncertainty(), top_k=2)
    interval, current, chance = figure.data
    assert list(figure.layout.yaxis.ticktext) == ["乙", "丙", "甲"]  # unranked 丁 left out, best first
    assert figure.layout.yaxis.autorange == "reversed"
    assert list(interval.x) == [1.0, 2.0, 3.0]
    assert list(interval.error_x.arrayminus) == [0.0, 1.0, 1.0] and list(interval.error_x.array) == [1.0, 1.0, 0.0]
    assert list(current.x) == [1.0, 2.0, 3.0] and current.marker.color == BLUE
    assert list(chance.text) == ["97.5 %", "90.0 %", "10.0 %"] and chance.name == "进入前 2 名的概率"
    assert list(current.customdata[0]) == [12, "第 1 / 3 名", "1 – 2", "97.5 %"]
    assert figure.layout.xaxis.title.text == "排名（1 = 最好）"


def test_rank_uncertainty_top_n_and_english():
    figure = rank_uncertainty_chart(_uncertainty(), top_k=2, lang="en", top_n=2)
    assert list(figure.layout.yaxis.ticktext) == ["乙", "丙"]
    assert figure.data[1].customdata[1][1] == "2 of 3"  # N counts every ranked project, not just those shown
    assert figure.data[2].name == "Chance of top 2"
    assert figure.layout.xaxis.title.text == "Rank (1 = best)"


def _compare():
    scores = pd.DataFrame({"a": [90.0, 60.0, 75.0, 88.0], "b": [50.0, 100.0, 80.0, np.nan]},
                          index=["p1", "p2", "p3", "p4"])
    return whatif.compare(scores, {"a": 3, "b": 1}, {"a": 1, "b": 3})


def test_movers_table_arrows_ranks_of_n_and_graded_scores():
    table = movers_table(_compare(), pd.Series({"p1": "甲", "p2": "乙", "p3": "丙", "p4": "丁"}))
    assert list(table.columns) == ["项目", "原排名", "新排名", "排名变化", "原得分", "新得分", "得分变化"]
    assert list(table.index) == ["p2", "p3", "p1", "p4"]  # compare order (biggest movers first), ids kept
    assert table.loc["p2"].tolist() == ["乙", "第 4 / 4 名", "第 1 / 3 名", "▲ 3", "70.0 分 · 合格", "90.0 分 · 优秀",
                                        "▲ 20.0 分"]
    assert table.loc["p1", "排名变化"] == "▼ 1" and table.loc["p1", "得分变化"] == "▼ 20.0 分"
    assert table.loc["p4"].tolist()[2:] == ["未排名（共 3 名）", "—", "88.0 分 · 良好", "未评分", "—"]


def test_movers_table_in_english_with_custom_bands_and_top():
    table = movers_table(_compare(), pd.Series({"p1": "A", "p2": "B", "p3": "C", "p4": "D"}), "en",
                         bands={"优秀": 85, "良好": 75, "合格": 0}, top=2)
    assert list(table.index) == ["p2", "p3"]
    assert table.loc["p3"].tolist() == ["C", "3 of 4", "2 of 3", "▲ 1", "76.2 · Good", "78.8 · Good", "▲ 2.5 pts"]
    assert table.loc["p2", "Score after"] == "90.0 · Excellent"


def test_weight_stability_most_sensitive_first_in_percent():
    stability = pd.DataFrame({"weight": [0.5, 0.3, 0.2], "lower": [0.0, 0.25, 0.0], "upper": [0.6, 1.0, 1.0]},
                             index=["a", "b", "c"])
    labels = pd.Series({"a": "进度 (%)", "b": "质量 (分)", "c": "满意度 (%)"})
    figure = weight_stability_chart(stability, labels, top_k=3)
    bars, current = figure.data
    assert list(figure.layout.yaxis.ticktext) == ["质量 (分)", "进度 (%)", "满意度 (%)"]  # room 5, 10, 20 points
    assert list(bars.base) == [25.0, 0.0, 0.0] and list(bars.x) == [75.0, 60.0, 100.0]
    assert list(current.x) == [30.0, 50.0, 20.0]
    assert list(bars.customdata[0]) == ["b", "25.0 %", "100.0 %", "30.0 %"]
    assert "前 3 名不变" in bars.hovertemplate
    assert figure.layout.xaxis.title.text == "权重 (%)"
    english = weight_stability_chart(stability, labels, top_k=3, lang="en")
    assert english.layout.xaxis.title.text == "Weight (%)" and "Top 3 unchanged" in english.data[0].hovertemplate
