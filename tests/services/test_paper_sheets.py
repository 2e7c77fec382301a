"""Paper monthly sheets: the printed template, and photos of filled ones read back (tesseract, for real).

The photos are made here from the real template: values written into its boxes with the CJK font, the page
turned 2–3°, speckled and JPEG-compressed. Stated accuracy on these sheets: every figure written is read back
exactly and sure enough to fill the form (none wrong, none missing), and the Chinese note is read exactly. A
blank page, another document and another district's sheet fill nothing.
"""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.errors import PermissionDenied, ValidationError
from data_access.models import Project, Region, User
from data_access.reports import open_report
from services import paper
from services.paper import engine as ocr_engine
from services.paper import reading
from services.paper.layout import NOTE, SheetCode, sheet_layout
from tests.conftest import as_viewer
from tests.paper_sheets import FONT, page_image, photographed, random_values, write_values

pytestmark = [pytest.mark.parametrize("db_backend", ["sqlite"]),  # the reading is the same on both databases
              pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")]
PERIOD = dt.date(2026, 10, 1)
NOTE_TEXT = "本月完成主体结构施工，外墙保温材料进场。"


def _project(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        return session.scalars(select(Project.id).join(User, User.id == Project.manager_id)
                               .where(User.username == username, Project.status == "active")
                               .order_by(Project.id)).first()


def _other_district_project(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalars(select(Project.id).join(Region, Region.id == Project.region_id)
                               .where(Region.name_zh != "龙亭区", Project.status == "active")
                               .order_by(Project.id)).first()


def _filled(engine: Engine, username: str, project_id: int, values: dict[str, str], *, degrees: float,
            seed: int) -> bytes:
    viewer = as_viewer(engine, username)
    pdf = paper.template_pdf(engine, viewer, project_id=project_id, period=PERIOD)
    codes = list(open_report(engine, viewer, project_id=project_id, period=PERIOD).kpis["code"])
    return photographed(write_values(page_image(pdf), sheet_layout(codes), values), degrees=degrees, seed=seed)


def _codes(engine: Engine, project_id: int) -> list[str]:
    return list(open_report(engine, as_viewer(engine, "admin"), project_id=project_id, period=PERIOD).kpis["code"])


def test_the_printed_sheet_names_its_project_month_and_fields_and_carries_the_code(shared_seeded_engine):
    engine = shared_seeded_engine
    project_id = _project(engine, "pm_kaifeng1")
    pdf = paper.template_pdf(engine, as_viewer(engine, "pm_kaifeng1"), project_id=project_id, period=PERIOD)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "s.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", f"{folder}/s.pdf", "-"], capture_output=True,
                              check=True, text=True).stdout
    with Session(engine) as session:
        code = session.get(Project, project_id).code
    assert code in text and "2026年10月" in text and "Oct 2026" in text and "月度进度填报表" in text
    assert "实际形象进度（%）" in text and "累计完成投资（万元）" in text
    assert text.count("\f") == 1  # one page
    found = reading.find_sheet(page_image(pdf).convert("L"))
    assert found is not None
    assert found.code == SheetCode(project_id, code, PERIOD, sheet_layout(_codes(engine, project_id)).version)


def test_photos_of_filled_sheets_are_read_back_exactly(shared_seeded_engine):
    engine = shared_seeded_engine
    viewer = as_viewer(engine, "pm_kaifeng1")
    project_id = _project(engine, "pm_kaifeng1")
    codes = _codes(engine, project_id)
    for seed, degrees in ((1, 2.5), (2, -2.0), (3, 3.0)):
        values = {**random_values(codes, seed), NOTE: NOTE_TEXT}
        photo = _filled(engine, "pm_kaifeng1", project_id, values, degrees=degrees, seed=seed)
        result = paper.read_sheet(engine, viewer, photo, project_id=project_id, period=PERIOD)
        assert result.values == {code: float(text) for code, text in values.items() if code != NOTE}
        assert result.note == NOTE_TEXT
        assert set(result.fields) == set(values)  # an empty box yields nothing
        assert all(field.crop.startswith(b"\x89PNG") for field in result.fields.values())


def test_a_scanned_pdf_is_read_like_a_photo(shared_seeded_engine):
    engine = shared_seeded_engine
    project_id = _project(engine, "pm_kaifeng1")
    values = {"PROG_ACTUAL": "62.5", "SPEND_CUM": "1830"}
    photo = _filled(engine, "pm_kaifeng1", project_id, values, degrees=-2.5, seed=7)
    scan = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(scan, format="PDF", resolution=150)
    result = paper.read_sheet(engine, as_viewer(engine, "pm_kaifeng1"), scan.getvalue(), project_id=project_id,
                              period=PERIOD)
    assert result.values == {"PROG_ACTUAL": 62.5, "SPEND_CUM": 1830.0} and result.note is None


def _page(text: str | None) -> bytes:
    page = Image.new("RGB", (1240, 1754), "white")
    if text:
        ImageDraw.Draw(page).text((120, 200), text, fill="black", font=ImageFont.truetype(FONT, 40))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("upload", [
    _page(None), _page("关于开展城市更新项目检查的通知\n各区住建局：请于11月底前报送材料。"),
    b"not an image at all", b"%PDF-1.4 broken"])
def test_a_blank_or_foreign_page_is_not_recognised(shared_seeded_engine, upload):
    engine = shared_seeded_engine
    project_id = _project(engine, "pm_kaifeng1")
    with pytest.raises(ValidationError) as refused:
        paper.read_sheet(engine, as_viewer(engine, "pm_kaifeng1"), upload, project_id=project_id, period=PERIOD)
    assert refused.value.message_zh.startswith("未能识别：")
    assert str(refused.value).startswith("Not recognised:")


def test_another_projects_sheet_fills_nothing(shared_seeded_engine):
    engine = shared_seeded_engine
    first = _project(engine, "pm_kaifeng1")
    photo = _filled(engine, "pm_kaifeng1", first, {"PROG_ACTUAL": "40"}, degrees=2.0, seed=4)
    viewer = as_viewer(engine, "admin")
    with Session(engine) as session:
        code = session.get(Project, first).code
    with pytest.raises(ValidationError) as refused:
        paper.read_sheet(engine, viewer, photo, project_id=first + 1, period=PERIOD)
    assert refused.value.message_zh == (f"这张表属于 {code}（2026年10月 / Oct 2026），"
                                        "与当前打开的项目和月份不符，未填入任何内容。")
    with pytest.raises(ValidationError, match="not to the project and month open here"):
        paper.read_sheet(engine, viewer, photo, project_id=first, period=dt.date(2026, 9, 1))


def test_an_official_cannot_read_or_print_another_districts_sheet(shared_seeded_engine):
    engine = shared_seeded_engine
    foreign = _other_district_project(engine)
    photo = _filled(engine, "admin", foreign, {"PROG_ACTUAL": "40"}, degrees=2.0, seed=5)
    official = as_viewer(engine, "official_longting")
    with pytest.raises(PermissionDenied):
        paper.read_sheet(engine, official, photo, project_id=foreign, period=PERIOD)
    with pytest.raises(PermissionDenied):
        paper.template_pdf(engine, official, project_id=foreign, period=PERIOD)


def test_without_the_ocr_engine_the_user_is_told_so_in_both_languages(shared_seeded_engine, monkeypatch):
    engine = shared_seeded_engine
    project_id = _project(engine, "pm_kaifeng1")
    photo = _filled(engine, "pm_kaifeng1", project_id, {"PROG_ACTUAL": "40"}, degrees=2.0, seed=6)
    monkeypatch.setattr(ocr_engine.shutil, "which", lambda name: None if name == "tesseract" else shutil.which(name))
    with pytest.raises(ValidationError) as refused:
        paper.read_sheet(engine, as_viewer(engine, "pm_kaifeng1"), photo, project_id=project_id, period=PERIOD)
    assert refused.value.message_zh == "本服务器未安装文字识别引擎（tesseract），请联系管理员；可先在线填报。"
    assert str(refused.value).startswith("The OCR engine (tesseract) is not installed")
