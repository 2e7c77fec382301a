"""纸质表 on the report page through AppTest: a photo of the printed sheet is read (tesseract, for real) into the
form, each value with its confidence and crop; a value not read surely enough stays empty and is highlighted;
saving is the form's own save and keeps the photo as the report's attachment; a foreign page fills nothing."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data_access.db import create_database_engine
from data_access.models import Attachment, Project, Report, User
from data_access.reports import open_report
from services import paper
from services.paper.layout import sheet_layout
from tests.conftest import as_viewer
from tests.paper_sheets import page_image, photographed, write_values
from webapp import paper_intake

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
PAGE = "views/report.py"
READ_TIMEOUT = 180  # tesseract on a busy 2-core machine


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PERFDASH_UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def _sheet_photo(app_env: Path, project_id: int, period: dt.date, values: dict[str, str]) -> bytes:
    engine = create_database_engine(f"sqlite:///{app_env}")
    viewer = as_viewer(engine, "pm_kaifeng1")
    pdf = paper.template_pdf(engine, viewer, project_id=project_id, period=period)
    codes = list(open_report(engine, viewer, project_id=project_id, period=period).kpis["code"])
    engine.dispose()
    return photographed(write_values(page_image(pdf), sheet_layout(codes), values), degrees=2.5, seed=11)


def _choose(monkeypatch: pytest.MonkeyPatch, name: str, data: bytes) -> None:
    """What the file chooser returns (AppTest cannot upload a file)."""
    monkeypatch.setattr(paper_intake, "chosen_file", lambda _key: (name, data))

OCTOBER = dt.date(2026, 10, 1)


def _opened(logged_in):
    at = logged_in("pm_kaifeng1", PAGE)
    assert not at.exception and not at.error
    return at, at.selectbox(key="report_project").value, at.selectbox(key="report_period").value


def _by_suffix(widgets, suffix):
    found = [widget for widget in widgets if str(widget.key).endswith(suffix)]
    assert len(found) == 1, [widget.key for widget in widgets]
    return found[0]


def _unreported(app_env: Path, period: dt.date) -> int:
    """An active project of pm_kaifeng1 without a report for ``period``."""
    with Session(create_database_engine(f"sqlite:///{app_env}")) as session:
        reported = select(Report.project_id).where(Report.period == period)
        return session.scalars(select(Project.id).join(User, User.id == Project.manager_id).where(
            User.username == "pm_kaifeng1", Project.status == "active", Project.id.not_in(reported))
            .order_by(Project.id)).first()


def test_a_photo_of_the_sheet_fills_the_form_to_confirm_and_is_kept_with_the_report(logged_in, app_env, monkeypatch,
                                                                                   uploads):  # noqa: ARG001
    at, _, _ = _opened(logged_in)
    period = OCTOBER  # the month whose plan 62.5 % is far from (the month offered first moves with the date)
    project_id = _unreported(app_env, period)
    at.query_params["project"] = str(project_id)
    at.run()
    at.selectbox(key="report_period").set_value(period).run()
    assert at.selectbox(key="report_project").value == project_id
    assert at.selectbox(key="report_period").value == period
    photo = _sheet_photo(app_env, project_id, period, {"PROG_ACTUAL": "62.5", "RESIDENT_SAT": "88",
                                                       "note": "外墙保温材料已进场"})
    _choose(monkeypatch, "进度表.jpg", photo)
    at.run()
    at.button(key=f"paper_read_{project_id}_{period:%Y%m}").click().run(timeout=READ_TIMEOUT)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "已从纸质表识别 3 项，请逐项核对后保存；标黄的项未能可靠识别，请手工填写。"
    assert _by_suffix(at.number_input, "_s1_kpi_PROG_ACTUAL").value == 62.5
    assert _by_suffix(at.number_input, "_s1_kpi_RESIDENT_SAT").value == 88
    assert _by_suffix(at.text_area, "_s1_note").value == "外墙保温材料已进场"
    confidences = [caption.value for caption in at.caption if caption.value.startswith("识别可信度 ")]
    assert len(confidences) == 3 and len(at.get("image")) == 3  # each value with its confidence and crop
    with Session(create_database_engine(f"sqlite:///{app_env}")) as session:
        assert session.scalars(select(Report).where(Report.project_id == project_id,
                                                    Report.period == period)).first() is None  # nothing saved
    _by_suffix(at.button, "_s1_save_draft").click().run()
    assert at.warning[0].value == "以下数值需说明原因，填写后再次保存即可："  # far from the month's plan
    _by_suffix(at.text_input, "_s1_reason_PROG_ACTUAL").input("按纸质表原件填报")
    _by_suffix(at.button, "_s1_save_draft").click().run()  # the values read are still there
    assert not at.exception and not at.error, [e.value for e in at.error]
    with Session(create_database_engine(f"sqlite:///{app_env}")) as session:
        report = session.scalars(select(Report).where(Report.project_id == project_id,
                                                      Report.period == period)).one()
        attached = session.scalars(select(Attachment).where(Attachment.report_id == report.id)).all()
        assert report.note == "外墙保温材料已进场" and report.status == "draft"
        assert [(a.kind, a.filename, a.content_type) for a in attached] == [("photo", "进度表.jpg", "image/jpeg")]
    assert paper_intake.SCAN_KEY not in at.session_state


def test_a_value_not_read_surely_is_left_empty_and_highlighted(logged_in, app_env):
    at, project_id, period = _opened(logged_in)
    engine = create_database_engine(f"sqlite:///{app_env}")
    sheet = open_report(engine, as_viewer(engine, "pm_kaifeng1"), project_id=project_id, period=period)
    crop = _png(Image.new("L", (20, 10), 255))
    reading = paper.SheetReading(
        code=paper.SheetCode(project_id, "x", period, "0"), seconds=1.5,
        fields={"PROG_ACTUAL": paper.SheetValue("PROG_ACTUAL", "62.5", 62.5, 0.93, crop),
                "SPEND_CUM": paper.SheetValue("SPEND_CUM", "<b>18</b>", None, 0.0, crop),
                "COMPLAINTS": paper.SheetValue("COMPLAINTS", "", None, 0.0, crop)})
    at.session_state[paper_intake.SCAN_KEY] = paper_intake.Scan(project_id, period, sheet.version, 4, reading,
                                                                "s.png", b"")
    at.run()
    assert not at.exception and not at.error
    assert _by_suffix(at.number_input, "_s4_kpi_PROG_ACTUAL").value == 62.5
    assert _by_suffix(at.number_input, "_s4_kpi_SPEND_CUM").value is None
    assert _by_suffix(at.number_input, "_s4_kpi_COMPLAINTS").value is None  # in a fold, opened
    assert [w.value for w in at.warning] == [
        "未能可靠识别（可信度 0%，识别为“\\<b\\>18\\</b\\>”），已留空，请对照原件手工填写",
        "框内有字迹，但未能识别，已留空，请对照原件手工填写"]
    opened = [expander.label for expander in at.expander if expander.proto.expanded]
    assert opened == ["纸质表填报（拍照识别）", "满意度 · 2 项指标（已填 1 项）"]
    assert "识别可信度 93%" in [caption.value for caption in at.caption]


def _png(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["blank", "other_project"])
def test_a_foreign_page_or_another_projects_sheet_fills_nothing(logged_in, app_env, monkeypatch, kind):
    at, project_id, period = _opened(logged_in)
    if kind == "blank":
        upload = _png(Image.new("RGB", (800, 1100), "white"), "JPEG")
        expected = "未能识别：图中没有找到本系统的填报表二维码，未填入任何内容。请拍摄整页、保持清晰后重试。"
    else:
        engine = create_database_engine(f"sqlite:///{app_env}")
        with Session(engine) as session:
            other = session.scalars(select(Project).join(User, User.id == Project.manager_id).where(
                User.username == "pm_kaifeng1", Project.status == "active", Project.id != project_id)).first()
            code = other.code
            other_id = other.id
        upload = _sheet_photo(app_env, other_id, period, {"PROG_ACTUAL": "40"})
        expected = (f"这张表属于 {code}（{period.year}年{period.month}月 / "
                    f"{period:%b} {period.year}），与当前打开的项目和月份不符，未填入任何内容。")
    _choose(monkeypatch, "scan.jpg", upload)
    at.run()
    at.button(key=f"paper_read_{project_id}_{period:%Y%m}").click().run(timeout=READ_TIMEOUT)
    assert not at.exception
    assert [re.sub(r"\\(.)", r"\1", e.value) for e in at.error] == [expected]
    assert paper_intake.SCAN_KEY not in at.session_state
    assert not [w for w in at.number_input if "_s" in str(w.key).split("_v", 1)[-1]]


def test_on_the_import_page_a_photo_of_the_sheet_is_checked_like_a_file_and_imported_once_confirmed(
        logged_in, app_env, monkeypatch):
    period = dt.date(2026, 10, 1)
    project_id = _unreported(app_env, period)
    photo = _sheet_photo(app_env, project_id, period, {"RESIDENT_SAT": "88", "COMPLAINTS": "3", "note": "已进场"})
    _choose(monkeypatch, "paper.jpg", photo)
    at = logged_in("admin", "views/data_import.py")
    at.radio(key="import_kind").set_value("observations").run()
    at.button(key="paper_import_read").click().run(timeout=READ_TIMEOUT)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "未发现问题。确认后才会写入数据。"
    preview = at.dataframe[0].value
    assert dict(zip(preview["指标编码"], map(float, preview["数值"]), strict=True)) == {"RESIDENT_SAT": 88.0,
                                                                                 "COMPLAINTS": 3.0}
    at.button(key="import_confirm").click().run()
    assert not at.exception and at.success[0].value.startswith("已导入批次 ")
    with Session(create_database_engine(f"sqlite:///{app_env}")) as session:
        batch = session.execute(text("SELECT filename FROM import_batches ORDER BY id DESC")).first()
        assert batch.filename == "paper.jpg.csv"
