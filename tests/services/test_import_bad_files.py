"""Bad spreadsheets end to end: each is reported at the right sheet, row and column, refused, and leaves the
database exactly as it was (a checksum of every table before and after). And the good ones: GBK and BOM csv,
and a template filled in, imported and read back with the same values.

Codes are the small demo's (seed 7): P410202-00007 is an active Longting (龙亭区) project from 2025-07 to
2028-07; P410204-00004 is in Gulou (鼓楼区), outside Longting's official's scope.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access import ValidationError, load_observations
from data_access.imports import commit_import
from scoring.periods import add_months
from services.importing.pipeline import check_file, commit_file
from services.importing.templates import template_workbook
from tests.conftest import as_viewer
from tests.db_checksum import changed_tables, table_checksums
from tests.spreadsheets import (
    csv_bytes,
    filled_template,
    header_rows,
    xls_bytes,
    xlsx_bytes,
    xml_entity_xlsx,
    zip_bomb_xlsx,
)

LATEST = add_months(dt.date.today(), 12)  # no month after this one is taken (the project's span ends later)

P = "P410202-00007"
H = header_rows("observations")
GOOD = [P, "PROG_ACTUAL", "2026-10", 40]

# name → (file, filename, kind, username, the first problem: (sheet, row, column, message_zh, *the other cells))
BAD_FILES = {
    "zip bomb": (lambda: zip_bomb_xlsx(), "o.xlsx", "observations", "admin", (
        "", None, None, "工作簿的部件“xl/media/padding0.bin”压缩比为 229:1，超过上限 100:1"
                        "（可能是“压缩炸弹”），未读取")),
    "xml entity attack": (xml_entity_xlsx, "o.xlsx", "observations", "admin", (
        "", None, None, "工作簿的部件“xl/worksheets/sheet1.xml”含有 DTD 或实体声明（XML 实体攻击的手法），"
                        "为安全起见未读取；请在 Excel 中重新保存后上传")),
    "old xls": (xls_bytes, "o.xls", "observations", "admin", (
        "", None, None, "这是旧版 Excel（.xls）文件或设置了密码的工作簿：请在 Excel 中另存为 .xlsx（不设密码）后上传")),
    "formula without a cached value": (
        lambda: xlsx_bytes([GOOD, [P, "SPEND_CUM", "2026-10", None]], header=H, formulas={"D4": ("1+1", None)}),
        "o.xlsx", "observations", "admin", ("Sheet1", 4, "value", "公式没有计算结果：请在 Excel 中打开并保存文件")),
    "formula with an error result": (
        lambda: xlsx_bytes([GOOD, [P, "SPEND_CUM", "2026-10", None]], header=H, formulas={"D4": ("1/0", "#DIV/0!")}),
        "o.xlsx", "observations", "admin", ("Sheet1", 4, "value", "公式的结果是错误值 #DIV/0!：请更正公式或填写数值")),
    "merged cells": (lambda: xlsx_bytes([GOOD, [P, "SPEND_CUM", "2026-10", 2]], header=H, merged=["C4:D4"]),
                     "o.xlsx", "observations", "admin", (  # merging emptied D4, which is said too
        "Sheet1", 4, "period", "单元格 C4:D4 是合并单元格：数据区不能合并单元格，请取消合并，每个单元格填写自己的值",
        ("Sheet1", 4, "value"))),
    "empty sheet": (lambda: xlsx_bytes([], header=H), "o.xlsx", "observations", "admin", (
        "Sheet1", None, None, "工作表“Sheet1”的表头下面没有数据")),
    "missing required column": (lambda: xlsx_bytes([[P, "2026-10", 1]], header=[["项目编码", "月份", "数值"]]),
                                "o.xlsx", "observations", "admin", (
        "Sheet1", None, "indicator_code", "缺少必填列“指标编码”（Indicator code）")),
    "text in a number column": (lambda: xlsx_bytes([[P, "PROG_ACTUAL", "2026-10", "四十"]], header=H),
                                "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "value", "「数值」须为数字，此处为「四十」。")),
    "percent over 100": (lambda: xlsx_bytes([[P, "PROG_ACTUAL", "2026-10", 120]], header=H),
                         "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "value", "PROG_ACTUAL 的数值须在 0 到 100 之间（填写的是 120）")),
    "negative money": (lambda: xlsx_bytes([[P, "SPEND_CUM", "2026-10", -5]], header=H),
                       "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "value", "SPEND_CUM 的数值须在 0 到 10,000,000,000 之间（填写的是 -5）")),
    "a date in Chinese numerals": (lambda: xlsx_bytes([[P, "PROG_ACTUAL", "二〇二六年三月", 40]], header=H),
                                   "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "period", "「月份」请用阿拉伯数字书写日期，如 2026年3月，此处为「二〇二六年三月」。")),
    "a month outside the project's span": (lambda: xlsx_bytes([[P, "PROG_ACTUAL", "2020-01", 40]], header=H),
                                           "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "period", f"月份 2020-01 不在项目 P410202-00007 的填报期间 2025-07 至 {LATEST:%Y-%m} 内"
                               f"（开工当月至完工后 12 个月，且不晚于 {LATEST:%Y-%m}）")),
    "the same key twice": (lambda: xlsx_bytes([GOOD, [P, "PROG_ACTUAL", "2026年10月", 41]], header=H),
                           "o.xlsx", "observations", "admin", (
        "Sheet1", 4, None, "与第 3 行的「项目编码」、「指标编码」、「月份」相同。")),
    "a row outside the uploader's scope": (
        lambda: xlsx_bytes([["P410204-00004", "PROG_ACTUAL", "2026-10", 40]], header=H),
        "o.xlsx", "observations", "official_longting", (
        "Sheet1", 3, "project_code", "项目编码 P410204-00004 不存在或不在您的管辖范围内")),
    "an unknown project code": (lambda: xlsx_bytes([["P999999-00001", "PROG_ACTUAL", "2026-10", 40]], header=H),
                                "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "project_code", "项目编码 P999999-00001 不存在或不在您的管辖范围内")),
    "an unknown indicator code": (lambda: xlsx_bytes([[P, "NO_SUCH", "2026-10", 40]], header=H),
                                  "o.xlsx", "observations", "admin", (
        "Sheet1", 3, "indicator_code", "指标编码 NO_SUCH 不存在，或不是可填报数据的三级指标")),
    "a milestone ending before it starts": (
        lambda: xlsx_bytes([[P, 1, "开工", "Start", "2026-05-01", "2026-04-01", None, 10, None]],
                           header=header_rows("milestones")), "m.xlsx", "milestones", "admin", (
            "Sheet1", 3, "planned_end", "「计划完成日期」（2026-04-01）早于「计划开始日期」（2026-05-01）。")),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_reported_at_its_cell_refused_and_the_database_left_unchanged(shared_seeded_engine, name):
    build, filename, kind, username, (sheet, row, column, message_zh, *others) = BAD_FILES[name]
    engine = shared_seeded_engine
    actor = as_viewer(engine, username)
    before = table_checksums(engine)
    checked = check_file(engine, actor, filename, build(), kind)
    assert [(p.sheet, p.row, p.column) for p in checked.problems] == [(sheet, row, column), *others]
    assert checked.problems[0].message_zh == message_zh
    assert checked.problems[0].message_en and not checked.committable
    with pytest.raises(ValidationError):
        commit_file(engine, actor, checked)
    if checked.typed is not None and not checked.typed.empty and checked.table is not None:  # the store too
        with pytest.raises(ValidationError):
            commit_import(engine, actor, kind, checked.typed, sheet=checked.table.sheet, filename=filename,
                          sha256=checked.sha256)
    assert changed_tables(before, table_checksums(engine)) == []


@pytest.mark.parametrize("db_backend", ["sqlite"])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_from_chinese_excel_and_with_a_bom_is_imported(seeded_engine, encoding):
    admin = as_viewer(seeded_engine, "admin")
    content = csv_bytes([[P, "PROG_ACTUAL", "2026年10月", 41.5]], header=header_rows("observations", "zh"),
                        encoding=encoding)
    checked = check_file(seeded_engine, admin, "数据.csv", content, "observations")
    assert checked.problems == [] and dict(checked.plan.counts) == {"new": 0, "changed": 1, "unchanged": 0}
    commit_file(seeded_engine, admin, checked)
    stored = load_observations(seeded_engine, admin, project_ids=[_project_id(seeded_engine, admin)],
                               indicator_codes=["PROG_ACTUAL"], since=dt.date(2026, 10, 1),
                               until=dt.date(2026, 10, 1))
    assert stored["value"].tolist() == [41.5]


def _project_id(engine, viewer) -> int:
    from data_access import list_projects

    projects = list_projects(engine, viewer)
    return int(projects.loc[projects["code"] == P, "id"].iloc[0])


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_a_filled_template_imports_and_reads_back_with_the_same_values(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    template = template_workbook("observations", lang="zh", choices={"project_code": [P]})
    rows = [[P, "PROG_ACTUAL", dt.datetime(2026, 12, 1), 47.25], [P, "SPEND_CUM", "2026-12", 4100.125],
            [P, "PROG_PLAN", "2027年1月", 52]]
    checked = check_file(seeded_engine, official, "filled.xlsx", filled_template(template, rows), "observations")
    assert checked.problems == [] and dict(checked.plan.counts) == {"new": 3, "changed": 0, "unchanged": 0}
    commit_file(seeded_engine, official, checked)
    stored = load_observations(seeded_engine, official, project_ids=[_project_id(seeded_engine, official)],
                               since=dt.date(2026, 12, 1), until=dt.date(2027, 1, 1))
    read_back = sorted((row.indicator_code, pd.Timestamp(row.period).date(), row.value) for row in stored.itertuples())
    assert read_back == [("PROG_ACTUAL", dt.date(2026, 12, 1), 47.25), ("PROG_PLAN", dt.date(2027, 1, 1), 52.0),
                         ("SPEND_CUM", dt.date(2026, 12, 1), 4100.125)]
