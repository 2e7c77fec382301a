"""The drop-downs of an import template offer only what the person downloading it may use."""
from __future__ import annotations

import io

import openpyxl

from data_access.imports.choices import template_choices
from services.importing.templates import LISTS_SHEET, template_workbook
from tests.conftest import as_viewer


def test_an_officials_template_offers_their_districts_projects_regions_and_people_only(shared_seeded_engine):
    choices = template_choices(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_longting"))
    assert choices["region"] == ["410202"]
    assert choices["project_code"] and all(code.startswith("P410202-") for code in choices["project_code"])
    assert choices["manager"] == ["pm_kaifeng1", "pm_kaifeng2"]  # the managers of Longting's projects
    assert choices["owner"] == ["official_longting", "pm_kaifeng1", "pm_kaifeng2"]
    assert len(choices["indicator_code"]) == 30 and "PROG_ACTUAL" in choices["indicator_code"]


def test_an_analysts_template_offers_every_project_region_and_the_admins(shared_seeded_engine):
    official = template_choices(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_longting"))
    analyst = template_choices(shared_seeded_engine, as_viewer(shared_seeded_engine, "analyst"))
    assert len(analyst["project_code"]) == 80 and set(official["project_code"]) < set(analyst["project_code"])
    assert "410204" in analyst["region"] and "admin" in analyst["owner"]
    assert "official_gulou" in analyst["owner"] and "official_gulou" not in official["owner"]


def test_the_officials_template_file_lists_no_other_districts_codes(shared_seeded_engine):
    choices = template_choices(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_longting"))
    book = openpyxl.load_workbook(io.BytesIO(template_workbook("observations", lang="zh", choices=choices)))
    listed = {cell for row in book[LISTS_SHEET].iter_rows(values_only=True) for cell in row if cell}
    assert set(choices["project_code"]) <= listed
    assert not any(str(value).startswith("P410204-") for value in listed)
