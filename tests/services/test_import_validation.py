"""Validating read tables: the typed values of good cells, and the exact problem of every bad cell at once."""
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from components.i18n import translate
from data_access.imports.problems import Problem
from services.importing.reading import RawTable, read_upload
from services.importing.validation import validate
from tests.spreadsheets import csv_bytes, header_rows, xlsx_bytes

PROJECT = {"code": "P-001", "name_zh": "滨江公园", "category": "CULT", "region": "310101", "budget": "1,200.50",
           "planned_start": "2026-03-01", "planned_end": "2027/6/30", "status": translate("status.active", "zh")}
MILESTONE = {"project_code": "P-001", "seq": "1", "name_zh": "开工", "planned_start": "2026-03-01",
             "planned_end": "2026-04-30", "percent_complete": "40%"}
TARGET = {"project_code": "P-001", "indicator_code": "K01", "target_value": "90", "baseline_value": "50"}
OBSERVATION = {"project_code": "P-001", "indicator_code": "K01", "period": "2026-03", "value": "12.5"}
GOOD_ROW = {"projects": PROJECT, "milestones": MILESTONE, "targets": TARGET, "observations": OBSERVATION}


def _table(kind, rows, *, first_row=2, sheet="Sheet1"):
    """A RawTable as the reader makes it: object cells, the index the row numbers the user sees."""
    frame = pd.DataFrame(rows, index=range(first_row, first_row + len(rows)), dtype=object)
    return RawTable(kind, sheet, frame, ())


def _only_problem(kind, **cells):
    """The one problem of a good row of ``kind`` (row 2) with ``cells`` changed."""
    typed, problems = validate(_table(kind, [GOOD_ROW[kind] | cells]))
    assert len(problems) == 1, problems
    return problems[0]


def _typed_cell(kind, column, value):
    typed, problems = validate(_table(kind, [GOOD_ROW[kind] | {column: value}]))
    assert problems == []
    return typed.at[2, column]


# -- the typed frame ------------------------------------------------------------------------------------------


def test_a_good_projects_table_becomes_typed_values_with_every_layout_column_in_order():
    rows = [PROJECT | {"name_en": " Riverside Park ", "lat": "31.2", "lon": 121.5, "manager": "zhang"},
            PROJECT | {"code": 1001.0, "budget": 88.25, "planned_start": dt.datetime(2026, 1, 5),
                       "planned_end": 46203, "status": translate("status.suspended", "en"), "description": "  "}]
    typed, problems = validate(_table("projects", rows, first_row=3))
    assert problems == []
    expected = pd.DataFrame({
        "code": ["P-001", "1001"], "name_zh": ["滨江公园", "滨江公园"], "name_en": ["Riverside Park", None],
        "category": ["CULT", "CULT"], "region": ["310101", "310101"], "department": [None, None],
        "manager": ["zhang", None], "budget": [Decimal("1200.50"), Decimal("88.25")],
        "planned_start": [dt.date(2026, 3, 1), dt.date(2026, 1, 5)],
        "planned_end": [dt.date(2027, 6, 30), dt.date(2026, 6, 30)],
        "status": ["active", "suspended"], "lat": [31.2, np.nan], "lon": [121.5, np.nan],
        "description": [None, None],
    }, index=[3, 4], dtype=object).astype({"lat": float, "lon": float})
    pd.testing.assert_frame_equal(typed, expected)
    assert type(typed.at[3, "budget"]) is Decimal and str(typed.at[3, "budget"]) == "1200.50"
    assert type(typed.at[3, "planned_start"]) is dt.date


def test_a_good_observations_table_becomes_months_and_floats():
    rows = [OBSERVATION | {"period": period, "value": value} for period, value in [
        ("2026-03", "12.5"), ("2026/4", " 1,234.5 "), ("2026年5月", 7), ("2026-6", "１２"), (202607, "-3"),
        ("2026-08-17", "0"), (dt.datetime(2026, 9, 1), 2.25), (46296, "1e3")]]
    typed, problems = validate(_table("observations", rows))
    assert problems == []
    assert typed["period"].tolist() == [dt.date(2026, month, 1) for month in range(3, 11)]
    assert typed["value"].tolist() == [12.5, 1234.5, 7.0, 12.0, -3.0, 0.0, 2.25, 1000.0]
    assert typed.dtypes.to_dict() == {"project_code": object, "indicator_code": object, "period": object,
                                      "value": np.float64}
    assert typed.index.tolist() == list(range(2, 10))


@pytest.mark.parametrize("written", ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", "20260301", 20260301,
                                     46082, 46082.75, "46082", dt.datetime(2026, 3, 1, 8, 30), dt.date(2026, 3, 1),
                                     "２０２６-０３-０１", "2026-03-01 00:00:00"])
def test_a_day_is_read_from_every_common_form(written):
    assert _typed_cell("projects", "planned_start", written) == dt.date(2026, 3, 1)


@pytest.mark.parametrize("written", ["2026-03", "2026/3", "2026年3月", "2026-3", "2026.03", "202603", 202603,
                                     "2026-03-17", "2026年3月17日", 46098, dt.datetime(2026, 3, 31)])
def test_a_month_is_read_from_every_common_form_and_any_day_of_it(written):
    assert _typed_cell("observations", "period", written) == dt.date(2026, 3, 1)


@pytest.mark.parametrize(("written", "number"), [("1,234.5", 1234.5), (" 42 ", 42.0), ("１，２３４", 1234.0),
                                                 ("1 234", 1234.0), (-7, -7.0), ("0.125", 0.125)])
def test_numbers_accept_thousands_separators_spaces_and_full_width_digits(written, number):
    assert _typed_cell("targets", "target_value", written) == number


@pytest.mark.parametrize(("written", "percent"), [("12%", 12.0), ("12.5 %", 12.5), ("100％", 100.0), (0, 0.0)])
def test_a_percent_may_carry_its_sign(written, percent):
    assert _typed_cell("milestones", "percent_complete", written) == percent


@pytest.mark.parametrize("code", ["planned", "active", "suspended", "completed"])
def test_a_status_is_its_code_or_the_label_the_pages_show_in_either_language(code):
    """Labels come from the catalog (status.<code>), so renaming one there renames it here."""
    for written in (code, code.upper(), translate(f"status.{code}", "zh"), f" {translate(f'status.{code}', 'zh')} ",
                    translate(f"status.{code}", "en"), translate(f"status.{code}", "en").upper()):
        assert _typed_cell("projects", "status", written) == code


def test_money_keeps_every_written_digit():
    assert _typed_cell("projects", "budget", "12,345,678.123456") == Decimal("12345678.123456")
    assert _typed_cell("projects", "budget", 0.1) == Decimal("0.1")


def test_an_entirely_empty_row_is_dropped_without_a_problem():
    rows = [OBSERVATION, dict.fromkeys(OBSERVATION, None), {"project_code": "  ", "value": float("nan")},
            OBSERVATION | {"period": "2026-04"}]
    typed, problems = validate(_table("observations", rows))
    assert problems == []
    assert typed.index.tolist() == [2, 5]


# -- one problem per failure, in both languages ---------------------------------------------------------------


def test_an_empty_required_cell():
    assert _only_problem("projects", name_zh="  ") == Problem(
        "Sheet1", 2, "name_zh", "「项目名称」不能为空。", "Project name (Chinese) is required; this cell is empty.", "")


def test_a_required_column_the_file_lacks_is_not_reported_again_on_every_row():
    row = {k: v for k, v in OBSERVATION.items() if k != "value"}
    typed, problems = validate(_table("observations", [row, row | {"period": "2026-04"}]))
    assert problems == []  # the reader reports the missing column once
    assert typed["value"].isna().all()


def test_a_cell_that_is_not_a_number():
    assert _only_problem("observations", value="十二") == Problem(
        "Sheet1", 2, "value", "「数值」须为数字，此处为「十二」。", "Value must be a number; this cell holds \"十二\".",
        "十二")


@pytest.mark.parametrize("written", [True, "12%", "n/a", "inf", dt.datetime(2026, 1, 1)])
def test_other_things_that_are_not_numbers(written):
    assert _only_problem("observations", value=written).column == "value"


def test_a_percent_above_100():
    assert _only_problem("milestones", percent_complete=120) == Problem(
        "Sheet1", 2, "percent_complete", "「完成百分比」须在 0 到 100 之间，此处为 120。",
        "Percent complete must be between 0 and 100; this cell holds 120.", "120")


def test_a_negative_percent_keeps_what_the_user_wrote():
    problem = _only_problem("milestones", percent_complete="-5%")
    assert problem.message_zh == "「完成百分比」须在 0 到 100 之间，此处为 -5%。"


def test_negative_money():
    assert _only_problem("projects", budget="-1,000") == Problem(
        "Sheet1", 2, "budget", "「总投资（万元）」不能为负数，此处为 -1,000。",
        "Budget (10k CNY) cannot be negative; this cell holds -1,000.", "-1,000")


def test_a_negative_weight():
    assert _only_problem("targets", weight_override=-0.5) == Problem(
        "Sheet1", 2, "weight_override", "「权重」不能为负数，此处为 -0.5。",
        "Weight cannot be negative; this cell holds -0.5.", "-0.5")


def test_a_latitude_and_a_longitude_off_the_globe():
    typed, problems = validate(_table("projects", [PROJECT | {"lat": "91", "lon": -180.5}]))
    assert problems == [
        Problem("Sheet1", 2, "lat", "「纬度」须在 -90 到 90 之间，此处为 91。",
                "Latitude must be between -90 and 90; this cell holds 91.", "91"),
        Problem("Sheet1", 2, "lon", "「经度」须在 -180 到 180 之间，此处为 -180.5。",
                "Longitude must be between -180 and 180; this cell holds -180.5.", "-180.5"),
    ]
    assert np.isnan(typed.at[2, "lat"]) and np.isnan(typed.at[2, "lon"])


def test_text_that_is_too_long():
    name = "长" * 121
    assert _only_problem("projects", name_zh=name) == Problem(
        "Sheet1", 2, "name_zh", "「项目名称」最多 120 个字符，此处有 121 个。",
        "Project name (Chinese) may have at most 120 characters; this cell has 121.", "长" * 49 + "…")


def test_a_status_that_is_none_of_the_choices():
    statuses = ("planned", "active", "suspended", "completed")  # archived is no status a file may set
    zh = "、".join(translate(f"status.{code}", "zh") for code in statuses)
    en = ", ".join(translate(f"status.{code}", "en") for code in statuses)
    assert _only_problem("projects", status="进展顺利") == Problem(
        "Sheet1", 2, "status", f"「状态」须为以下之一：{zh}，此处为「进展顺利」。",
        f"Status must be one of: {en}; this cell holds \"进展顺利\".", "进展顺利")


def test_archived_cannot_be_imported():
    assert _only_problem("projects", status="archived").column == "status"


@pytest.mark.parametrize("written", ["2026-13-01", "2026/2/30", "next week", "26/3/1", 3_000_000, "3.1"])
def test_a_cell_that_is_not_a_date(written):
    problem = _only_problem("projects", planned_start=written)
    assert (problem.row, problem.column) == (2, "planned_start")
    assert problem.message_en.startswith("Planned start is not a date")


@pytest.mark.parametrize("day", [dt.datetime(9999, 12, 31), dt.date(1, 1, 1), dt.date(1949, 12, 31)])
def test_a_date_cell_outside_perfdashs_years_is_a_problem_not_a_crash(day):
    """A spreadsheet's (or an API push's) date object of year 9999 would overflow pandas' datetime type."""
    problem = _only_problem("milestones", actual_end=day)
    assert (problem.row, problem.column, problem.value) == (2, "actual_end", day.isoformat()[:10])
    assert problem.message_en.startswith("Actual end is not a date")


@pytest.mark.parametrize("written", ["1000-01", "2300-01", "9999年1月", "1000/1/5"])
def test_a_written_month_outside_perfdashs_years_is_a_problem_not_a_crash(written):
    """pandas cannot hold a day before 1677 or after 2262; such a month is not even parsed."""
    problem = _only_problem("observations", period=written)
    assert (problem.row, problem.column, problem.value) == (2, "period", written)


def test_the_not_a_date_message():
    assert _only_problem("milestones", actual_end="明天") == Problem(
        "Sheet1", 2, "actual_end",
        "「实际完成日期」不是日期，此处为「明天」；请写成 2026-03-01、2026/3/1 或 2026年3月1日。",
        "Actual end is not a date: \"明天\"; write it as 2026-03-01, 2026/3/1 or 2026年3月1日.", "明天")


def test_a_cell_that_is_not_a_month():
    assert _only_problem("observations", period="2026-13") == Problem(
        "Sheet1", 2, "period", "「月份」不是月份，此处为「2026-13」；请写成 2026-03、2026/3 或 2026年3月。",
        "Month is not a month: \"2026-13\"; write it as 2026-03, 2026/3 or 2026年3月.", "2026-13")


def test_a_date_in_chinese_numerals_asks_for_digits():
    assert _only_problem("observations", period="二〇二六年三月") == Problem(
        "Sheet1", 2, "period", "「月份」请用阿拉伯数字书写日期，如 2026年3月，此处为「二〇二六年三月」。",
        "Month: please write dates with digits, e.g. 2026-03; this cell holds \"二〇二六年三月\".", "二〇二六年三月")


def test_an_end_before_the_start_is_a_problem_on_the_end():
    assert _only_problem("projects", planned_start="2026/5/1", planned_end=46113) == Problem(
        "Sheet1", 2, "planned_end", "「计划完工日期」（2026-04-01）早于「计划开工日期」（2026-05-01）。",
        "Planned end (2026-04-01) is before Planned start (2026-05-01).", "46113")


def test_an_end_before_the_start_of_a_milestone_names_its_own_columns():
    problem = _only_problem("milestones", planned_end="2026-02-28")
    assert problem.message_zh == "「计划完成日期」（2026-02-28）早于「计划开始日期」（2026-03-01）。"


def test_an_end_on_the_start_day_is_fine():
    assert _typed_cell("projects", "planned_end", "2026-03-01") == dt.date(2026, 3, 1)


def test_each_repeated_key_names_the_first_row_with_it():
    rows = [OBSERVATION, OBSERVATION | {"period": "2026-04"}, OBSERVATION | {"period": "2026/3"},
            OBSERVATION | {"period": "2026年4月"}, OBSERVATION | {"period": 46082}]
    typed, problems = validate(_table("observations", rows))
    assert problems == [
        Problem("Sheet1", 4, None, "与第 2 行的「项目编码」、「指标编码」、「月份」相同。",
                "Same key (Project code / Indicator code / Month) as row 2.", "P-001 / K01 / 2026-03-01"),
        Problem("Sheet1", 5, None, "与第 3 行的「项目编码」、「指标编码」、「月份」相同。",
                "Same key (Project code / Indicator code / Month) as row 3.", "P-001 / K01 / 2026-04-01"),
        Problem("Sheet1", 6, None, "与第 2 行的「项目编码」、「指标编码」、「月份」相同。",
                "Same key (Project code / Indicator code / Month) as row 2.", "P-001 / K01 / 2026-03-01"),
    ]


def test_rows_with_an_incomplete_key_are_not_duplicates():
    rows = [MILESTONE | {"seq": "x"}, MILESTONE | {"seq": "y"}]
    _, problems = validate(_table("milestones", rows))
    assert [(p.row, p.column) for p in problems] == [(2, "seq"), (3, "seq")]


@pytest.mark.parametrize("written", ["1.5", 0, "1000"])
def test_a_milestone_number_is_a_whole_number_from_1_to_999(written):
    problem = _only_problem("milestones", seq=written)
    assert problem == Problem("Sheet1", 2, "seq", f"「序号」须为 1 到 999 之间的整数，此处为 {written}。",
                              f"No. must be a whole number from 1 to 999; this cell holds {written}.", str(written))


def test_bad_cells_are_empty_in_the_typed_frame():
    typed, _ = validate(_table("milestones", [MILESTONE | {"percent_complete": 120, "actual_end": "x",
                                                           "name_zh": "长" * 121}]))
    assert np.isnan(typed.at[2, "percent_complete"])
    assert typed.at[2, "actual_end"] is None and typed.at[2, "name_zh"] is None
    assert typed.at[2, "planned_start"] == dt.date(2026, 3, 1)


# -- every problem at once ------------------------------------------------------------------------------------


def test_a_hundred_bad_cells_are_a_hundred_problems():
    rows = [OBSERVATION | {"period": f"2026-{1 + i % 12:02d}", "indicator_code": f"K{i}"} for i in range(100)]
    for i in range(0, 100, 4):
        rows[i] |= {"value": "abc", "period": "2026-13", "project_code": None}
        rows[i + 1] |= {"value": "1.2.3"}
    typed, problems = validate(_table("observations", rows))
    assert len(problems) == 100
    assert [(p.row, p.column) for p in problems[:4]] == [(2, "project_code"), (2, "period"), (2, "value"),
                                                         (3, "value")]
    assert {p.column for p in problems} == {"project_code", "period", "value"}
    assert len(typed) == 100


def test_problems_come_in_row_order_then_column_order():
    rows = [PROJECT | {"lat": 100}, PROJECT | {"code": "P-2", "status": "x", "budget": -1}]
    _, problems = validate(_table("projects", rows, sheet="项目"))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("项目", 2, "lat"), ("项目", 3, "budget"),
                                                              ("项目", 3, "status")]


def test_the_message_follows_the_language():
    problem = _only_problem("observations", value="x")
    assert problem.message("en") == "Value must be a number; this cell holds \"x\"."
    assert problem.message("zh") == "「数值」须为数字，此处为「x」。"


def test_a_month_typed_into_excel_as_a_decimal_number_is_refused_not_read_as_a_serial_in_1905():
    assert _only_problem("observations", period=2026.03).message_zh == (
        "「月份」不是月份，此处为「2026.03」；请写成 2026-03、2026/3 或 2026年3月。")


def test_an_empty_table_validates_to_an_empty_typed_frame():
    typed, problems = validate(RawTable("observations", "csv", pd.DataFrame(index=pd.RangeIndex(2, 2)), ()))
    assert problems == []
    assert typed.columns.tolist() == ["project_code", "indicator_code", "period", "value"]
    assert typed.empty


# -- as the reader hands tables over --------------------------------------------------------------------------


def test_an_xlsx_read_and_validated_keeps_excel_row_numbers_and_excel_dates():
    rows = [["P-001", 1, "开工", None, dt.datetime(2026, 3, 1), "2026/4/30", None, 40, None],
            ["P-001", 2, "主体", "Main works", 46143, dt.datetime(2026, 4, 1), None, "120", "wang"]]
    table, read_problems = read_upload("里程碑.xlsx", xlsx_bytes(rows, header=header_rows("milestones")),
                                       "milestones")
    assert read_problems == []
    typed, problems = validate(table)
    assert typed.index.tolist() == [3, 4]  # two header rows above the data
    assert typed["planned_start"].tolist() == [dt.date(2026, 3, 1), dt.date(2026, 5, 1)]
    assert typed["seq"].tolist() == [1.0, 2.0]
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "planned_end", "2026-04-01"),
                                                              (4, "percent_complete", "120")]


def test_a_gbk_csv_read_and_validated():
    rows = [["P-001", "K01", "2026年3月", "1,234.5"], ["P-001", "K01", "二〇二六年四月", "x"]]
    content = csv_bytes(rows, header=header_rows("observations", "zh"), encoding="gbk")
    table, read_problems = read_upload("月度数据.csv", content, "observations")
    assert read_problems == []
    typed, problems = validate(table)
    assert typed.at[2, "period"] == dt.date(2026, 3, 1) and typed.at[2, "value"] == 1234.5
    assert [(p.sheet, p.row, p.column) for p in problems] == [("csv", 3, "period"), ("csv", 3, "value")]


def test_a_key_with_a_bad_cell_is_not_also_a_duplicate():
    rows = [MILESTONE | {"seq": "1.5"}, MILESTONE | {"seq": 1.5}]
    _, problems = validate(_table("milestones", rows))
    assert [(p.row, p.column) for p in problems] == [(2, "seq"), (3, "seq")]
