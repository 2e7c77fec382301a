"""The issue's "done": a district official starts from the templates alone — creates their projects, imports
twelve months of figures, fixes the file that was refused, and sees the dashboard's portfolio fill."""
from __future__ import annotations

import datetime as dt

import pytest

from data_access.imports.choices import template_choices
from scoring.periods import add_months
from services.importing.pipeline import check_file, commit_file
from services.importing.templates import FIRST_DATA_ROW, template_workbook
from services.portfolio import portfolio
from tests.conftest import as_viewer
from tests.spreadsheets import filled_template

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"])
NEW = ["P410202-90001", "P410202-90002"]
FIRST_MONTH = dt.date(2025, 12, 1)


def test_an_official_creates_projects_imports_a_year_of_figures_fixes_a_refused_file_and_sees_them(seeded_engine):
    engine = seeded_engine
    official = as_viewer(engine, "official_longting")
    choices = template_choices(engine, official)

    projects = [[code, f"龙亭新项目{n}", f"New project {n}", "urban_renewal", "410202", None, "pm_kaifeng1", 1200,
                 dt.date(2025, 12, 1), dt.date(2027, 6, 30), "active", None, None, "从模板导入"]
                for n, code in enumerate(NEW, start=1)]
    template = template_workbook("projects", lang="zh", choices=choices)
    checked = check_file(engine, official, "项目.xlsx", filled_template(template, projects), "projects")
    assert checked.problems == [] and dict(checked.plan.counts) == {"new": 2, "changed": 0, "unchanged": 0}
    commit_file(engine, official, checked)

    months = [add_months(FIRST_MONTH, n) for n in range(12)]
    figures = [[code, kpi, month.strftime("%Y-%m"), value]
               for code in NEW for n, month in enumerate(months)
               for kpi, value in (("PROG_ACTUAL", 5.0 * (n + 1)), ("SPEND_CUM", 80.0 * (n + 1)))]
    figures[5][3] = "三十"  # a typing slip: the file is refused, with the cell named
    template = template_workbook("observations", lang="zh", choices=template_choices(engine, official))
    refused = check_file(engine, official, "月报.xlsx", filled_template(template, figures), "observations")
    assert [(p.row, p.column, p.value) for p in refused.problems] == [(FIRST_DATA_ROW + 5, "value", "三十")]

    figures[5][3] = 15.0
    fixed = check_file(engine, official, "月报.xlsx", filled_template(template, figures), "observations")
    assert fixed.problems == [] and dict(fixed.plan.counts) == {"new": 48, "changed": 0, "unchanged": 0}
    commit_file(engine, official, fixed)

    shown = portfolio(engine, official, months[-1])
    new = shown[shown["code"].isin(NEW)]
    assert sorted(new["code"]) == NEW
    assert new["progress"].tolist() == [60.0, 60.0] and new["spend"].tolist() == [960.0, 960.0]
