"""The kept builds as the report centre lists them, and when a subscription delivers next."""
import datetime as dt

import pandas as pd

from components.report_center import builds_table, next_delivery


def _builds() -> pd.DataFrame:
    return pd.DataFrame({
        "title": ["龙亭区项目绩效月报", "2025年绩效白皮书"], "kind": ["monthly", "white_paper_year"],
        "region_zh": ["龙亭区", None], "region_en": ["Longting District", None],
        "category_zh": ["老旧小区改造", None], "category_en": ["Old neighbourhoods", None],
        "department_zh": [None, None], "department_en": [None, None], "period_label": ["2026-10", "2025"],
        "language": ["zh", "en"], "built_by": ["李娜（绩效分析）", None],
        "built_at": [dt.datetime(2026, 11, 2, 1, 30, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 16, 0, tzinfo=dt.UTC)],
        "content_digest": ["c" * 64, "d" * 64], "pdf_sha256": ["0123456789abcdef" * 4, "f" * 64]})


def test_builds_are_listed_with_scope_scheduler_beijing_time_and_short_hashes():
    table = builds_table(_builds(), "zh")
    assert list(table.columns) == ["标题", "类型", "范围", "报告期", "语言", "生成人", "生成时间（北京时间）",
                                   "内容摘要", "PDF sha256"]
    assert table.iloc[0].tolist() == ["龙亭区项目绩效月报", "绩效月报", "龙亭区 · 老旧小区改造", "2026-10", "中文",
                                      "李娜（绩效分析）", "2026-11-02 09:30", "cccccccccccc", "0123456789ab"]
    assert table.iloc[1].tolist()[1:] == ["年度绩效白皮书", "全部地区", "2025", "English", "定时任务",
                                          "2026-01-02 00:00", "dddddddddddd", "ffffffffffff"]
    english = builds_table(_builds(), "en")
    assert english["Scope"].tolist() == ["Longting District · Old neighbourhoods", "All regions"]
    assert english["Built by"].tolist() == ["李娜（绩效分析）", "Scheduler"]


def test_the_next_delivery_is_the_day_after_the_current_period_ends():
    today = dt.date(2026, 11, 30)
    assert [next_delivery(kind, today) for kind in ("weekly", "monthly", "quarterly", "white_paper_year")] == [
        dt.date(2026, 12, 7), dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 1, 1)]
