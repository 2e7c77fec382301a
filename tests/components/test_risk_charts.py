"""A project's risk month by month: two lines in percent on a fixed 0–100 % axis, the day in the hover."""
from __future__ import annotations

import pandas as pd

from components.risk_charts import risk_trend


def test_the_trend_draws_both_probabilities_in_percent_on_a_fixed_axis():
    trend = pd.DataFrame({"as_of": pd.to_datetime(["2026-10-01", "2026-11-20", "2026-09-01"]),
                          "p_late": [0.4, 0.55, 0.321], "p_overrun": [0.1, 0.05, 0.2]})
    figure = risk_trend(trend, "en", 30)
    late, overrun = figure.data
    assert (late.name, overrun.name) == ("P(more than 30 days late)", "P(over budget by more than 10 %)")
    assert list(late.y) == [32.1, 40.0, 55.0] and list(overrun.y) == [20.0, 10.0, 5.0]  # in date order
    assert [row[0] for row in late.customdata] == ["2026-09-01", "2026-10-01", "2026-11-20"]
    assert list(figure.layout.yaxis.range) == [0, 100] and figure.layout.yaxis.ticksuffix == "%"
    assert risk_trend(trend, "zh", 45).data[0].name == "延期超过 45 天的概率"
