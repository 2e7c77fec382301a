"""Reading uploads: the raw table under its headers, and the exact problem of every file that cannot be read."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
import tomllib
import zipfile
import zlib

import pytest

from data_access.imports.problems import Problem
from services.importing.limits import MEGABYTE, ImportLimits, import_limits
from services.importing.reading import read_upload, sha256_of
from services.importing.safety import open_workbook_archive
from tests.source_tree import ROOT
from tests.spreadsheets import (
    FIRST_SHEET_PART,
    add_part,
    csv_bytes,
    good_xlsx,
    header_rows,
    replace_part,
    small_observations,
    xls_bytes,
    xlsx_bytes,
    xml_entity_xlsx,
    zip_bomb_xlsx,
)

OBSERVATIONS = [
    {"project_code": "P001", "indicator_code": "K01", "period": "2026-01", "value": 12.5},
    {"project_code": "P001", "indicator_code": "K02", "period": "2026-01", "value": 80.0},
    {"project_code": "P002", "indicator_code": "K01", "period": "2026-02", "value": 3.0},
]
DAMAGED = Problem("", None, None, "文件已损坏，无法打开：请在 Excel 中打开并重新保存为 .xlsx 后上传",
                  "The file is damaged and cannot be opened: open it in Excel, save it as .xlsx again and upload that")


def records(content: bytes, kind: str = "observations", name: str = "upload.xlsx") -> list[dict[str, object]]:
    table, problems = read_upload(name, content, kind)
    assert problems == []
    assert table is not None
    return table.frame.to_dict("records")


def refusal(content: bytes, kind: str = "observations", *, name: str = "upload.xlsx",
            limits: ImportLimits | None = None) -> list[Problem]:
    table, problems = read_upload(name, content, kind, limits=limits)
    assert table is None
    return problems


# -- xlsx: headers ---------------------------------------------------------------------------------------------

def test_a_template_shaped_workbook_gives_the_values_under_canonical_names_indexed_by_excel_row() -> None:
    table, problems = read_upload("figures.xlsx", good_xlsx(), "observations")
    assert problems == []
    assert table is not None
    assert (table.kind, table.sheet, table.unknown_columns) == ("observations", "Sheet1", ())
    assert list(table.frame.columns) == ["project_code", "indicator_code", "period", "value"]
    assert list(table.frame.index) == [3, 4, 5]  # two header rows (Chinese, English) above the data
    assert table.frame.to_dict("records") == OBSERVATIONS


@pytest.mark.parametrize("header", [
    ["项目编码", "指标编码", "月份", "数值"],
    ["Project code", "Indicator code", "Month", "Value"],
    ["项目编号", "指标", "统计月份", "实际值"],
    ["  PROJECT CODE ", "indicator_code", "period", "ＶＡＬＵＥ"],  # case, spaces, full-width letters
    ["*项目编码", "*指标编码", "*月份", "*数值"],  # required marks
])
def test_headers_match_in_chinese_english_by_alias_and_by_canonical_name(header: list[str]) -> None:
    content = xlsx_bytes(small_observations(), header=[header])
    assert records(content) == OBSERVATIONS


def test_full_width_brackets_and_line_breaks_in_a_header_cell_still_match() -> None:
    header = ["项目编码", "项目名称", "项目类别", "所属区域", "总投资(万元)", "计划开工\n日期", "计划完工日期"]
    table, problems = read_upload("p.xlsx", xlsx_bytes([["XM-1", "馆", "culture", "310101", 100,
                                                         dt.date(2026, 1, 1), dt.date(2026, 12, 31)]],
                                                       header=[header]), "projects")
    assert problems == []
    assert table is not None
    assert list(table.frame.columns) == ["code", "name_zh", "category", "region", "budget", "planned_start",
                                         "planned_end"]
    assert table.frame.loc[2, "planned_start"] == dt.date(2026, 1, 1)


def test_columns_come_in_layout_order_whatever_the_file_order() -> None:
    content = xlsx_bytes([[1.5, "2026-03", "K01", "P001"]], header=[["数值", "月份", "指标编码", "项目编码"]])
    table, _ = read_upload("x.xlsx", content, "observations")
    assert table is not None
    assert list(table.frame.columns) == ["project_code", "indicator_code", "period", "value"]
    assert table.frame.loc[2].tolist() == ["P001", "K01", "2026-03", 1.5]


def test_unknown_header_texts_and_unlabelled_columns_with_data_are_listed_not_dropped_silently() -> None:
    header = [["项目编码", "备注", "指标编码", "月份", "数值", "", "填报人"],
              ["Project code", "Note", "Indicator code", "Month", "Value", "", ""]]
    rows = [["P001", "首月", "K01", "2026-01", 1, "stray", ""], ["P001", "", "K02", "2026-01", 2, "", ""]]
    table, problems = read_upload("x.xlsx", xlsx_bytes(rows, header=header), "observations")
    assert problems == []
    assert table is not None
    assert table.unknown_columns == ("备注 / Note", "填报人", "(F)")
    assert list(table.frame.columns) == ["project_code", "indicator_code", "period", "value"]


def test_a_missing_required_column_is_a_problem_naming_the_column_and_the_table_is_still_read() -> None:
    content = xlsx_bytes([["P001", "2026-01", 3]], header=[["项目编码", "月份", "数值"]], sheet="数据")
    table, problems = read_upload("x.xlsx", content, "observations")
    assert table is not None
    assert problems == [Problem("数据", None, "indicator_code", "缺少必填列“指标编码”（Indicator code）",
                                "The required column “Indicator code” (指标编码) is missing")]


def test_a_column_given_twice_is_a_problem_at_the_header_row() -> None:
    content = xlsx_bytes([["P001", "K01", "2026-01", 3, 4]], header=[["项目编码", "指标编码", "月份", "数值", "值"]],
                         above=[["2026 年 1 月"]])
    _, problems = read_upload("x.xlsx", content, "observations")
    assert problems == [Problem("Sheet1", 2, "value", "“数值”列出现了不止一次（第 D、E 列）：请只保留一列",
                                "The column “Value” appears more than once (columns D, E); keep only one")]


def test_titles_above_the_header_and_an_instructions_sheet_before_it_are_skipped_and_the_sheet_is_named() -> None:
    content = xlsx_bytes(small_observations(), header=header_rows("observations"), sheet="月度数据",
                         above=[["某区 2026 年月度数据"], []], merged=["A1:D1"],
                         sheets_before={"说明": [["请在“月度数据”表中填写"], ["项目编码：项目的编码"]]})
    table, problems = read_upload("x.xlsx", content, "observations")
    assert problems == []
    assert table is not None
    assert table.sheet == "月度数据"
    assert list(table.frame.index) == [5, 6, 7]


def test_a_hidden_sheet_is_never_imported() -> None:
    hidden_rows = [*header_rows("observations"), ["P009", "K09", "2026-09", 9]]
    content = xlsx_bytes(small_observations(), header=header_rows("observations"), sheet="可见",
                         sheets_before={"隐藏": hidden_rows}, hidden=["隐藏"])
    table, problems = read_upload("x.xlsx", content, "observations")
    assert problems == []
    assert table is not None
    assert (table.sheet, table.frame.to_dict("records")) == ("可见", OBSERVATIONS)


def test_a_workbook_without_the_layouts_header_names_its_sheets_and_the_expected_columns() -> None:
    content = xlsx_bytes([["a", "b"]], header=[["名称", "金额"]], sheet="汇总")
    assert refusal(content) == [Problem(
        "", None, None,
        "没有找到“月度数据”的表头：工作表 “汇总” 的前 10 行里没有 项目编码、指标编码、月份、数值 等列名"
        "（请使用下载的模板）",
        "No “Monthly figures” header found: the first 10 rows of sheet(s) “汇总” do not name the columns "
        "Project code, Indicator code, Month, Value (use the downloaded template)")]


def test_a_workbook_of_empty_sheets_is_refused_as_empty() -> None:
    assert refusal(xlsx_bytes([], sheets_before={"Sheet0": []})) == [Problem(
        "", None, None, "工作簿是空的：没有一个工作表有内容", "The workbook is empty: no sheet has anything in it")]


def test_a_header_without_data_rows_is_a_problem_of_the_sheet() -> None:
    table, problems = read_upload("x.xlsx", xlsx_bytes([], header=header_rows("observations")), "observations")
    assert table is not None and table.frame.empty
    assert problems == [Problem("Sheet1", None, None, "工作表“Sheet1”的表头下面没有数据",
                                "The sheet “Sheet1” has no data below its header")]


def test_blank_rows_are_left_out_and_the_row_numbers_stay_those_excel_shows() -> None:
    rows = [["P001", "K01", "2026-01", 1], [None, "  ", None, None], [], ["P002", "K01", "2026-01", 2]]
    table, _ = read_upload("x.xlsx", xlsx_bytes(rows, header=header_rows("observations")), "observations")
    assert table is not None
    assert list(table.frame.index) == [3, 6]


def test_empty_cells_are_none_and_values_keep_their_excel_types() -> None:
    rows = [["P001", "K01", dt.datetime(2026, 3, 1), None], ["P001", 7, "2026年3月", True]]
    table, _ = read_upload("x.xlsx", xlsx_bytes(rows, header=header_rows("observations", "en")), "observations")
    assert table is not None
    assert table.frame.to_dict("records") == [
        {"project_code": "P001", "indicator_code": "K01", "period": dt.date(2026, 3, 1), "value": None},
        {"project_code": "P001", "indicator_code": 7.0, "period": "2026年3月", "value": True},
    ]


# -- xlsx: cells that cannot be used -------------------------------------------------------------------------

def test_merged_cells_in_the_data_area_are_a_problem_naming_the_range_and_a_merged_title_is_not() -> None:
    content = xlsx_bytes(small_observations(), header=header_rows("observations"), above=[["标题"]],
                         merged=["A1:D1", "B5:C6"])
    table, problems = read_upload("x.xlsx", content, "observations")
    assert table is not None
    assert problems == [Problem("Sheet1", 5, "indicator_code",
                                "单元格 B5:C6 是合并单元格：数据区不能合并单元格，请取消合并，每个单元格填写自己的值",
                                "The cells B5:C6 are merged: unmerge them and give every cell its own value",
                                "B5:C6")]


def test_merged_cells_beside_the_imported_columns_are_no_problem() -> None:
    header = [["项目编码", "指标编码", "月份", "数值", "备注"]]
    content = xlsx_bytes([[*row, "同上"] for row in small_observations()], header=header, merged=["E2:F4"])
    table, problems = read_upload("x.xlsx", content, "observations")
    assert problems == []
    assert table is not None
    assert (table.frame.to_dict("records"), table.unknown_columns) == (OBSERVATIONS, ("备注",))


def test_a_formula_with_a_cached_value_gives_the_value() -> None:
    content = xlsx_bytes(small_observations(), header=header_rows("observations"),
                         formulas={"D3": ("10+2.5", 12.5), "B4": ('"K"&"02"', "K02")})
    assert records(content) == OBSERVATIONS


def test_a_formula_without_a_cached_value_is_a_problem_at_its_cell() -> None:
    content = xlsx_bytes(small_observations(), header=header_rows("observations"), formulas={"D4": ("B4*2", None)})
    table, problems = read_upload("x.xlsx", content, "observations")
    assert table is not None
    assert problems == [Problem("Sheet1", 4, "value", "公式没有计算结果：请在 Excel 中打开并保存文件",
                                "A formula without a calculated value: open and save the file in Excel", "=B4*2")]


def test_a_formula_whose_cached_result_is_an_error_is_a_problem_at_its_cell() -> None:
    content = xlsx_bytes(small_observations(), header=header_rows("observations"),
                         formulas={"D5": ("1/0", "#DIV/0!")})
    _, problems = read_upload("x.xlsx", content, "observations")
    assert problems == [Problem("Sheet1", 5, "value", "公式的结果是错误值 #DIV/0!：请更正公式或填写数值",
                                "The formula's result is the error #DIV/0!: correct it or type the value", "=1/0")]


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_shared_formulas_as_excel_writes_them_are_read_and_one_without_its_value_is_found(prefix: str) -> None:
    """Excel writes a formula filled down once, with its children pointing at it (``<f t="shared" si="0"/>``);
    a namespace prefix on the tags (valid XML, rare) must not hide a missing value either."""
    def shared(xml: bytes) -> bytes:
        cells = {3: f'<{prefix}f t="shared" ref="D3:D5" si="0">ROUND(C3,1)</{prefix}f><{prefix}v>12.5</{prefix}v>',
                 4: f'<{prefix}f t="shared" si="0"/><{prefix}v>80</{prefix}v>', 5: f'<{prefix}f t="shared" si="0"/>'}
        for row, inside in cells.items():
            xml = re.sub(rf'<c r="D{row}"[^>]*>.*?</c>'.encode(), f'<c r="D{row}">{inside}</c>'.encode(), xml)
        if prefix:
            xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/'
                                              b'spreadsheetml/2006/main" ', 1)
        return xml
    table, problems = read_upload("x.xlsx", replace_part(good_xlsx(), FIRST_SHEET_PART, shared), "observations")
    assert table is not None
    assert table.frame["value"].tolist() == [12.5, 80.0, None]
    assert problems == [Problem("Sheet1", 5, "value", "公式没有计算结果：请在 Excel 中打开并保存文件",
                                "A formula without a calculated value: open and save the file in Excel", "")]


def test_formulas_outside_the_imported_columns_are_ignored() -> None:
    header = [["项目编码", "指标编码", "月份", "数值", "合计"]]
    content = xlsx_bytes([["P001", "K01", "2026-01", 1, None]], header=header, formulas={"E2": ("D2*2", None)})
    table, problems = read_upload("x.xlsx", content, "observations")
    assert problems == []
    assert table is not None and table.unknown_columns == ("合计",)


# -- hostile and wrong files -----------------------------------------------------------------------------------

def entity_attack(part: str) -> Problem:
    return Problem("", None, None,
                   f"工作簿的部件“{part}”含有 DTD 或实体声明（XML 实体攻击的手法），为安全起见未读取；"
                   "请在 Excel 中重新保存后上传",
                   f"The workbook part “{part}” declares a DTD or XML entities (the XML entity attack); it was not "
                   "read, for safety: save the file again in Excel and upload that", part)


def test_an_xml_entity_attack_is_refused_before_parsing() -> None:
    assert refusal(xml_entity_xlsx()) == [entity_attack("xl/worksheets/sheet1.xml")]


@pytest.mark.parametrize("part", [FIRST_SHEET_PART, "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels"])
@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',  # an external entity
    "<!doctype x>",  # a bare DTD, in lower case
])
def test_a_dtd_or_entity_in_any_xml_part_is_refused(part: str, declaration: str) -> None:
    content = replace_part(good_xlsx(), part, lambda xml: declaration.encode() + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))
    assert refusal(content) == [entity_attack(part)]


def test_a_dtd_is_found_in_a_sheet_part_encoded_in_utf16_or_named_without_xml() -> None:
    def utf16_with_dtd(xml: bytes) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'
                + re.sub(rb"^<\?xml[^>]*\?>", b"", xml).decode()).encode("utf-16")
    assert refusal(replace_part(good_xlsx(), FIRST_SHEET_PART, utf16_with_dtd)) == [entity_attack(FIRST_SHEET_PART)]
    assert refusal(add_part(good_xlsx(), "xl/worksheets/data", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet/>')) == [
        entity_attack("xl/worksheets/data")]


def test_a_zip_bomb_is_refused_by_its_compression_ratio() -> None:
    [problem] = refusal(zip_bomb_xlsx(20))
    assert problem.message_zh.startswith("工作簿的部件“xl/media/padding0.bin”压缩比为 ")
    assert problem.message_zh.endswith(":1，超过上限 100:1（可能是“压缩炸弹”），未读取")
    assert "over the limit of 100:1 (a zip bomb?); the file was not read" in problem.message_en


def test_a_zip_bomb_is_refused_by_its_total_unpacked_size() -> None:
    assert refusal(zip_bomb_xlsx(250)) == [Problem(
        "", None, None, "工作簿解压后有 250 MB，超过上限 200 MB（可能是“压缩炸弹”），未读取",
        "The workbook unpacks to 250 MB, over the limit of 200 MB (a zip bomb?); the file was not read")]


def test_an_archive_with_too_many_parts_is_refused() -> None:
    content = good_xlsx()
    for number in range(5):
        content = add_part(content, f"xl/media/image{number}.png", b"x")
    [problem] = refusal(content, limits=ImportLimits(max_members=10))
    assert problem.message_en == ("The workbook has 14 parts, over the limit of 10 (a zip bomb?); "
                                  "the file was not read")


def test_a_part_whose_header_understates_its_size_is_refused_as_damaged() -> None:
    """Parts are unpacked no further than their declared size and CRC-checked, and the parser only gets the
    repacked parts: a member lying about its size (to pass the ratio check) cannot unpack further anywhere."""
    content = add_part(good_xlsx(), "xl/media/padding.bin", bytes(30 * MEGABYTE))
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo("xl/media/padding.bin")
    with_lie = content.replace(info.file_size.to_bytes(4, "little"), (1024).to_bytes(4, "little"))
    assert refusal(with_lie) == [DAMAGED]  # the CRC of the first 1024 bytes does not match


def test_a_lone_cell_far_away_is_refused_before_the_parser_allocates_the_area() -> None:
    """calamine holds a sheet as one dense block: a 5 KB file with a cell at XFD1048576 would make it allocate
    17 billion cells and abort the whole server."""
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    content = replace_part(good_xlsx(), FIRST_SHEET_PART, lambda xml: xml.replace(b"</sheetData>", far))
    assert refusal(content) == [Problem(
        "Sheet1", None, None,
        "工作表“Sheet1”用到的区域 A1:XFD1048576 有 17,179,869,184 个单元格，超过上限 5,000,000："
        "请删除表格右侧和下方多余的内容（包括格式）",
        "The sheet “Sheet1” reaches A1:XFD1048576, 17,179,869,184 cells, over the limit of 5,000,000: delete "
        "whatever lies right of or below the table, formatting included", "A1:XFD1048576")]


@pytest.mark.parametrize(("wide_line", "line_read"), [(2, 10), (14, 14)])  # within the header search, or after
def test_a_csv_wider_than_the_cell_limit_is_refused_before_its_rows_are_padded(wide_line: int, line_read: int) -> None:
    rows: list[list[object]] = [["P001", "K01", "2026-01", 1]] * 20
    rows[wide_line - 2] = ["P001", *[""] * 1_000_000]
    [problem] = refusal(csv_bytes(rows, header=header_rows("observations", "en")), name="o.csv")
    assert problem == Problem(
        "csv", line_read, None,
        f"CSV 文件超过 5,000,000 个单元格（读到第 {line_read} 行时已有 1,000,001 列）：请删除多余的列",
        f"The csv file exceeds 5,000,000 cells (1,000,001 columns by line {line_read}): delete the extra columns")


def test_a_csv_with_data_past_column_zzz_names_the_column_by_its_number() -> None:
    rows = [["P001", "K01", "2026-01", 1, *[""] * 18_300, "x"]]
    table, problems = read_upload("o.csv", csv_bytes(rows, header=header_rows("observations", "en")), "observations")
    assert problems == []
    assert table is not None and table.unknown_columns == ("(#18305)",)


def test_a_sheet_with_cells_that_do_not_say_where_they_are_is_refused() -> None:
    unplaced = b'<row r="9"><c t="n"><v>1</v></c></row></sheetData>'
    content = replace_part(good_xlsx(), FIRST_SHEET_PART, lambda xml: xml.replace(b"</sheetData>", unplaced))
    assert refusal(content) == [Problem(
        "Sheet1", None, None, "工作表“Sheet1”有单元格没有注明位置，无法安全读取：请在 Excel 中打开并重新保存",
        "Some cells of the sheet “Sheet1” do not say where they are, so it cannot be read safely: open it in Excel "
        "and save it again")]


def test_a_part_lying_about_its_size_and_checksum_reaches_the_parser_only_as_far_as_declared() -> None:
    content = add_part(good_xlsx(), "xl/media/padding.bin", bytes(30 * MEGABYTE))
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/media/padding.bin")
    lie = content.replace(info.file_size.to_bytes(4, "little"), (1024).to_bytes(4, "little")).replace(
        info.CRC.to_bytes(4, "little"), zlib.crc32(bytes(1024)).to_bytes(4, "little"))
    archive, problems = open_workbook_archive(lie, ImportLimits())
    assert problems == []
    assert archive is not None
    assert archive.parts["xl/media/padding.bin"] == bytes(1024)
    repacked = zipfile.ZipFile(io.BytesIO(archive.repacked()))
    assert repacked.getinfo("xl/media/padding.bin").file_size == 1024


def test_a_file_over_the_size_limit_is_refused_naming_the_limit() -> None:
    content = good_xlsx() + random.Random(12).randbytes(int(1.5 * MEGABYTE))
    assert refusal(content, limits=ImportLimits(max_bytes=MEGABYTE)) == [Problem(
        "", None, None, "文件大小 1.5 MB，超过上限 1 MB：请拆分成几个文件分批导入",
        "The file is 1.5 MB, over the limit of 1 MB: split it into several files and import them one by one")]


def test_the_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (import_limits().max_bytes, import_limits().max_rows, import_limits().max_cells) == (
        20 * MEGABYTE, 200_000, 5_000_000)
    monkeypatch.setenv("PERFDASH_IMPORT_MAX_MB", "1")
    monkeypatch.setenv("PERFDASH_IMPORT_MAX_ROWS", "2")
    assert (import_limits().max_bytes, import_limits().max_rows, import_limits().max_cells) == (MEGABYTE, 2, 50)
    assert refusal(good_xlsx(), limits=None) == [Problem(
        "Sheet1", None, None, "工作表“Sheet1”的表头下有 3 行，超过上限 2 行：请拆分后分批导入",
        "The sheet “Sheet1” has 3 rows below its header, over the limit of 2: split it and import the parts one "
        "by one")]
    csv_rows = [*small_observations(), [], []]  # blank lines are not rows
    assert refusal(csv_bytes(csv_rows, header=header_rows("observations")), name="o.csv")[0].message_en == (
        "The sheet “csv” has 3 rows below its header, over the limit of 2: split it and import the parts one by one")
    assert records(csv_bytes(small_observations()[:2] + [[], []], header=header_rows("observations")))


def test_the_uploaders_limit_in_the_streamlit_config_is_the_default_file_size_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == ImportLimits().max_megabytes == 20


def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx() -> None:
    assert refusal(xls_bytes(), name="old.xls") == [Problem(
        "", None, None, "这是旧版 Excel（.xls）文件或设置了密码的工作簿：请在 Excel 中另存为 .xlsx（不设密码）后上传",
        "This is an old Excel file (.xls) or a password-protected workbook: save it as .xlsx (without a password) "
        "in Excel and upload that")]


def test_the_format_is_told_by_content_not_by_the_name() -> None:
    assert records(csv_bytes(small_observations(), header=header_rows("observations")), name="renamed.xlsx")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert refusal(png, name="figures.csv") == [Problem(
        "", None, None, "无法识别的文件：请上传 .xlsx 文件，或 UTF-8 / GBK 编码的 .csv 文件",
        "This file is not a spreadsheet we can read: upload an .xlsx file, or a .csv file in UTF-8 or GBK")]


def test_a_zip_that_is_not_a_workbook_and_a_truncated_workbook_are_refused() -> None:
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refusal(other.getvalue(), name="x.docx") == [Problem(
        "", None, None, "这个压缩文件不是 Excel 工作簿（.xlsx）：请在 Excel 中另存为 .xlsx 后上传",
        "This archive is not an Excel workbook (.xlsx): save it as .xlsx in Excel and upload that")]
    assert refusal(good_xlsx()[:2000]) == [DAMAGED]


def test_an_archive_asking_for_a_newer_zip_version_is_refused_as_damaged() -> None:
    content = bytearray(good_xlsx())
    directory = content.index(b"PK\x01\x02")  # the first central directory entry; +6: version needed
    content[directory + 6: directory + 8] = (255).to_bytes(2, "little")
    assert refusal(bytes(content)) == [DAMAGED]


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"", name="empty.csv") == [Problem("", None, None, "文件“empty.csv”是空的",
                                                       "The file “empty.csv” is empty")]


# -- csv -------------------------------------------------------------------------------------------------------

CHINESE_ROWS = [["XM-001", "滨江文化中心", "culture"], ["XM-002", "城东学校（二期）", "education"]]
CSV_OBSERVATIONS = [{key: None if value is None else str(value).removesuffix(".0") for key, value in row.items()}
                    for row in OBSERVATIONS]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_utf8_with_or_without_bom_gbk_gb18030_and_utf16_reads_the_same_values(encoding: str) -> None:
    header = [["项目编码", "项目名称", "项目类别"]]
    table, problems = read_upload("p.csv", csv_bytes(CHINESE_ROWS, header=header, encoding=encoding), "projects")
    assert table is not None
    assert table.sheet == "csv"
    assert table.frame.to_dict("records") == [
        {"code": "XM-001", "name_zh": "滨江文化中心", "category": "culture"},
        {"code": "XM-002", "name_zh": "城东学校（二期）", "category": "education"},
    ]
    assert [problem.column for problem in problems] == ["region", "budget", "planned_start", "planned_end"]


def test_a_gb18030_csv_keeps_characters_gbk_lacks() -> None:
    rows = [["XM-003", "𠮷野家改造（€）", "culture"]]
    with pytest.raises(UnicodeEncodeError):
        csv_bytes(rows, encoding="gbk")
    table, _ = read_upload("p.csv", csv_bytes(rows, header=[["项目编码", "项目名称", "项目类别"]], encoding="gb18030"),
                           "projects")
    assert table is not None
    assert table.frame.loc[2, "name_zh"] == "𠮷野家改造（€）"


def test_csv_values_are_text_row_numbers_count_the_header_lines_and_empty_cells_are_none() -> None:
    rows = [["P001", "K01", "2026-01", "12.5"], [], ["P001", "K02", "2026-01", "80"], ["P002", "K01", "2026-02", "3"],
            ["P003", "NA", "2026-02", " "]]
    table, problems = read_upload("o.csv", csv_bytes(rows, header=header_rows("observations")), "observations")
    assert problems == []
    assert table is not None
    assert list(table.frame.index) == [3, 5, 6, 7]
    assert table.frame.to_dict("records") == [*CSV_OBSERVATIONS, {
        "project_code": "P003", "indicator_code": "NA", "period": "2026-02", "value": None}]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_split_by_commas_tabs_or_semicolons(delimiter: str) -> None:
    rows = [["P001", "K01", "2026-01", "1,5"]]
    content = csv_bytes(rows, header=header_rows("observations", "en"), delimiter=delimiter)
    assert records(content, name="o.csv") == [
        {"project_code": "P001", "indicator_code": "K01", "period": "2026-01", "value": "1,5"}]


def test_a_csv_with_a_title_line_and_a_ragged_row_lists_the_extra_column() -> None:
    rows = [["P001", "K01", "2026-01", "1"], ["P001", "K02", "2026-01", "2", "多余"]]
    table, problems = read_upload("o.csv", csv_bytes(rows, header=[["2026 年月度数据"], *header_rows("observations")]),
                                  "observations")
    assert problems == []
    assert table is not None
    assert list(table.frame.index) == [4, 5]
    assert table.unknown_columns == ("(E)",)


def test_undecodable_bytes_are_refused() -> None:
    assert refusal(b"\x81\xff\xfe\x80 project", name="o.csv")[0].message_en.startswith(
        "This file is not a spreadsheet we can read")


def test_sha256_of_is_the_hex_digest_of_the_bytes() -> None:
    assert sha256_of(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256_of(good_xlsx()) != sha256_of(good_xlsx() + b" ")
