"""Exports: formula-like text is defused in CSV and xlsx, numbers stay numbers, and every page exports through
components.tables."""
import ast
import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from components.tables import FORMULA_START, to_csv, to_xlsx

ROOT = Path(__file__).resolve().parents[2]
DANGEROUS = ['=HYPERLINK("http://elsewhere.invalid","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"name": [*DANGEROUS, "普通项目"], "value": [-5.5, -1, 0, 1, 2, 3, 4],
                         "=header": ["a"] * 7})


def test_csv_cells_starting_with_a_formula_character_get_a_leading_apostrophe_and_numbers_stay_numbers():
    rows = list(csv.reader(io.StringIO(to_csv(_frame()).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "value", "'=header"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in DANGEROUS] + ["普通项目"]
    assert [row[1] for row in rows[1:]] == ["-5.5", "-1.0", "0.0", "1.0", "2.0", "3.0", "4.0"]


def test_xlsx_cells_starting_with_a_formula_character_are_string_cells_keeping_their_text():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(_frame(), "projects")))["projects"]
    assert sheet["C1"].value == "=header" and sheet["C1"].data_type == "s"
    names = [sheet.cell(row=r, column=1) for r in range(2, 9)]
    # XML reads a lone CR back as LF; the text is otherwise kept
    assert [cell.value for cell in names] == [text.replace("\r", "\n") for text in DANGEROUS] + ["普通项目"]
    assert all(cell.data_type == "s" for cell in names)
    values = [sheet.cell(row=r, column=2) for r in range(2, 9)]
    assert [cell.value for cell in values] == [-5.5, -1, 0, 1, 2, 3, 4]
    assert all(cell.data_type == "n" for cell in values)


@pytest.mark.parametrize("start", FORMULA_START)
def test_every_formula_start_character_is_defused(start):
    text = f"{start}cmd|' /C calc'!A0"
    csv_text = to_csv(pd.DataFrame({"x": [text]})).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(csv_text, newline=""))) == [["x"], [f"'{text}"]]
    cell = openpyxl.load_workbook(io.BytesIO(to_xlsx(pd.DataFrame({"x": [text]}))))["data"]["A2"]
    assert (cell.value, cell.data_type) == (text.replace("\r", "\n"), "s")


def _calls_to(name: str) -> list[str]:
    found = []
    for path in sorted([*ROOT.glob("views/*.py"), *ROOT.glob("webapp/*.py"), *ROOT.glob("components/*.py"),
                        ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                function = node.func
                called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
                if called == name:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_page_offers_a_download_except_through_components_tables():
    assert {place.split(":")[0] for place in _calls_to("download_button")} == {"components/tables.py"}
    assert not [place for place in _calls_to("to_csv") + _calls_to("to_excel")
                if not place.startswith("components/tables.py")]
