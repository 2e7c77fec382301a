"""The xlsx templates: both header rows, drop-downs from the choices given, an instructions sheet with the
example row, and a filled template reads back exactly the values put in."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from data_access.imports.layouts import LAYOUTS
from data_access.imports.problems import Problem
from services.importing.reading import read_upload
from services.importing.templates import template_workbook
from tests.spreadsheets import header_rows


def opened(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def filled(content: bytes, rows: list[list[object]]) -> bytes:
    """The template with ``rows`` typed into its data sheet from row 3, as a person would."""
    book = opened(content)
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def drop_downs(sheet: Worksheet) -> dict[str, str]:
    return {str(validation.sqref): validation.formula1 for validation in sheet.data_validations.dataValidation
            if validation.type == "list"}


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
@pytest.mark.parametrize(("lang", "instructions"), [("zh", "说明"), ("en", "Instructions")])
def test_every_template_has_the_data_sheet_with_both_header_rows_frozen_and_then_the_instructions(
        kind: str, lang: str, instructions: str) -> None:
    layout = LAYOUTS[kind]
    book = opened(template_workbook(kind, lang=lang, choices={}))
    data = book.worksheets[0]
    assert data.title == (layout.title_en if lang == "en" else layout.title_zh)
    assert book.sheetnames[1] == instructions
    assert [[cell.value for cell in row] for row in data.iter_rows(min_row=1, max_row=2)] == header_rows(kind)
    assert data.max_row == 2
    assert data.freeze_panes == "A3"


def test_required_columns_have_their_own_header_colour_and_columns_their_formats() -> None:
    data = opened(template_workbook("projects", lang="zh", choices={})).worksheets[0]
    colours = {cell.value: cell.fill.fgColor.rgb for cell in data[1]}
    assert colours["项目编码"] == colours["总投资（万元）"] != colours["英文名称"] == colours["纬度"]
    formats = {cell.value: data.column_dimensions[cell.column_letter].number_format for cell in data[1]}
    assert (formats["项目编码"], formats["总投资（万元）"], formats["计划开工日期"]) == ("@", "#,##0.00", "yyyy-mm-dd")


def test_drop_downs_list_the_choices_from_a_hidden_sheet_even_when_they_are_longer_than_255_characters() -> None:
    codes = [f"P320102-{number:05d}" for number in range(300)]
    book = opened(template_workbook("observations", lang="zh", choices={"project_code": codes,
                                                                        "indicator_code": ["BUDGET_EXEC"]}))
    assert drop_downs(book.worksheets[0]) == {"A3:A1048576": "'lists'!$A$1:$A$300",
                                              "B3:B1048576": "'lists'!$B$1:$B$1"}
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    assert [cell.value for cell in lists["A"]] == codes


def test_enumerations_get_their_layouts_choices_without_being_asked() -> None:
    book = opened(template_workbook("projects", lang="en", choices={"region": ["320102", "320104"]}))
    assert drop_downs(book.worksheets[0]) == {"E3:E1048576": "'lists'!$A$1:$A$2",
                                              "K3:K1048576": "'lists'!$B$1:$B$4"}
    assert [cell.value for cell in book["lists"]["B"]] == ["planned", "active", "suspended", "completed"]


def test_a_choice_that_looks_like_a_formula_is_written_as_text() -> None:
    book = opened(template_workbook("observations", lang="zh", choices={"project_code": ["=HYPERLINK(\"x\")"]}))
    cell = book["lists"]["A1"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"x\")", "s")


def test_the_instructions_explain_every_column_and_show_the_example_row_below_the_header_search() -> None:
    book = opened(template_workbook("observations", lang="en", choices={"project_code": ["P320102-00011"]}))
    rows = [[value for value in row if value is not None] for row in book["Instructions"].iter_rows(values_only=True)]
    table = rows.index(["Chinese header", "English header", "Type", "Required", "Example", "Notes"])
    assert rows[table + 1] == ["项目编码", "Project code", "Code", "yes", "P320102-00011",
                               "must exist in the system; pick from the drop-down; the header may also read: 项目编号"]
    assert rows[table + 3][:4] == ["月份", "Month", "Month: 2026-03, 2026/3, 2026年3月, or any day of it", "yes"]
    example = rows.index(["Example (for illustration only; never imported)"])
    assert example > 10
    assert rows[example + 1: example + 4] == [*header_rows("observations"), ["P320102-00011", "BUDGET_EXEC",
                                                                               "2026-03", 87.5]]


def test_the_example_row_is_never_imported_even_without_the_data_sheet() -> None:
    book = opened(template_workbook("observations", lang="zh", choices={}))
    book.remove(book.worksheets[0])
    buffer = io.BytesIO()
    book.save(buffer)
    table, problems = read_upload("t.xlsx", buffer.getvalue(), "observations")
    assert table is None
    assert [problem.message_en.split(":")[0] for problem in problems] == ["No “Monthly figures” header found"]


def test_an_empty_template_reads_as_its_data_sheet_with_no_data() -> None:
    table, problems = read_upload("t.xlsx", template_workbook("targets", lang="zh", choices={}), "targets")
    assert table is not None and table.sheet == "项目目标"
    assert problems == [Problem("项目目标", None, None, "工作表“项目目标”的表头下面没有数据",
                                "The sheet “项目目标” has no data below its header")]


PROJECT_ROWS: list[list[object]] = [
    ["P320102-00901", "滨江文化中心", "Riverside Culture Centre", "culture_tourism", "320102", "fgw", "zhangsan",
     12500.5, dt.date(2026, 3, 1), dt.date(2027, 6, 30), "active", 32.041, 118.784, "一期：场馆与广场"],
    ["P320102-00902", "城东学校（二期）", None, "education", "320104", None, None, 800.0, dt.date(2026, 5, 1),
     dt.date(2026, 12, 31), None, None, None, None],
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filled_template_reads_back_exactly_the_values_put_in(lang: str) -> None:
    layout = LAYOUTS["projects"]
    template = template_workbook("projects", lang=lang, choices={"region": ["320102", "320104"]})
    content = filled(template, PROJECT_ROWS)
    table, problems = read_upload("projects.xlsx", content, "projects")
    assert problems == []
    assert table is not None
    assert (table.sheet, table.unknown_columns) == ((layout.title_en if lang == "en" else layout.title_zh), ())
    assert list(table.frame.index) == [3, 4]
    assert table.frame.values.tolist() == PROJECT_ROWS


def test_a_filled_observations_template_reads_back_months_codes_and_numbers() -> None:
    rows: list[list[object]] = [["P320102-00011", "BUDGET_EXEC", dt.date(2026, 3, 1), 87.5],
                                ["P320102-00011", "COMPLAINTS", "2026年4月", 3.0]]
    table, problems = read_upload("o.xlsx", filled(template_workbook("observations", lang="zh", choices={}), rows),
                                  "observations")
    assert problems == []
    assert table is not None
    assert table.frame.values.tolist() == rows
