"""Site photos on pages: the scorecard's gallery (thumbnails, the finding as a word and a colour, file names as
plain text) and store_photos reporting each refused file by name."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.db import create_database_engine
from data_access.models import Attachment, Project, Region, Report
from services import photos
from tests.conftest import as_viewer
from tests.photos import photo

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setenv("PERFDASH_UPLOAD_DIR", str(folder))
    return folder


def _longting_project(app_env: Path) -> tuple[int, float, float]:
    engine = create_database_engine(f"sqlite:///{app_env}")
    with Session(engine) as session:
        row = session.execute(select(Project.id, Project.lat, Project.lon).join(Region)
                              .where(Region.code == "410202", Project.status == "active")
                              .order_by(Project.id)).first()
    engine.dispose()
    return row.id, row.lat, row.lon


def _attach(app_env: Path, project_id: int, files: dict[str, bytes], *, with_report: bool = True) -> None:
    engine = create_database_engine(f"sqlite:///{app_env}")
    report_id = None
    if with_report:
        with Session(engine) as session, session.begin():
            report = Report(project_id=project_id, period=DECEMBER, status="submitted",
                            created_at=dt.datetime.now(dt.UTC))
            session.add(report)
            session.flush()
            report_id = report.id
    official = as_viewer(engine, "official_longting")
    for name, data in files.items():
        photos.add_attachment(engine, official, project_id=project_id, report_id=report_id, period=DECEMBER,
                              filename=name, data=data)
    engine.dispose()


def _scorecard(logged_in: Callable[..., AppTest], username: str, project_id: int) -> AppTest:
    at = logged_in(username, "views/scorecards.py")
    at.query_params["project"] = str(project_id)
    return at.run()


@pytest.mark.usefixtures("uploads")
def test_the_scorecard_shows_the_latest_reports_photos_with_their_findings(logged_in, app_env) -> None:
    project_id, lat, lon = _longting_project(app_env)
    taken = dt.datetime(2026, 12, 3, 10, 30)
    _attach(app_env, project_id, {
        "[点我](www.evil.invalid) *现场*.jpg": photo(taken=taken, lat=lat, lon=lon),
        "far.jpg": photo(taken=taken, lat=lat + 0.027, lon=lon, colour="olive"),
        "stripped.jpg": photo(exif=False, colour="gray"),
        "验收单.pdf": b"%PDF-1.4\n%%EOF\n",
    })
    at = _scorecard(logged_in, "official_longting", project_id)
    assert not at.exception and not at.error
    assert "现场照片" in [header.value for header in at.subheader]
    texts = [element.value for element in at.markdown] + [element.value for element in at.caption]
    assert any("现场核验通过" in text and "green" in text for text in texts)
    assert any("距项目地点 3.0 公里" in text and "orange" in text for text in texts)
    assert any("无拍摄信息" in text and "orange" in text for text in texts)
    captions = [caption.value.split("  \n") for caption in at.caption]
    assert ["拍摄于 2026-12-03 10:30", "距项目地点 0 米", "\\[点我\\](www\u2060.evil.invalid) \\*现场\\*.jpg",
            "龙亭区督查专员 上传于 "] in [[*lines[:3], lines[3][:-16]] for lines in captions if len(lines) == 4]
    cards = [lines for lines in captions if "上传于" in lines[-1]]
    assert [lines[0] for lines in cards][-1] == "验收单.pdf" and len(cards) == 4  # files after the photos
    assert "2026-12月报的现场照片与附件" in texts
    assert len(at.get("image")) == 3  # thumbnails of the three photos, not of the PDF
    assert len(at.get("download_button")) == 4 + 2  # each original, and the page's own xlsx and csv


@pytest.mark.usefixtures("uploads")
def test_a_scorecard_without_photos_says_so(logged_in, app_env) -> None:
    engine = create_database_engine(f"sqlite:///{app_env}")
    with Session(engine) as session:
        project_id = session.execute(select(Project.id).where(Project.status == "active", Project.id.not_in(
            select(Attachment.project_id))).order_by(Project.id)).scalars().first()
    engine.dispose()
    at = _scorecard(logged_in, "leader", project_id)
    assert not at.exception and "暂无现场照片或附件。" in [caption.value for caption in at.caption]


def _store_script() -> None:
    import datetime as dt
    from dataclasses import dataclass

    import streamlit as st

    from tests.conftest import as_viewer
    from tests.photos import photo
    from webapp.photo_upload import store_photos
    from webapp.session import shared_engine

    @dataclass
    class Upload:  # what store_photos reads of Streamlit's UploadedFile
        name: str
        data: bytes

        def getvalue(self) -> bytes:
            return self.data

    files = [Upload("ok.jpg", photo()), Upload("*evil*.jpg", b"<svg onload=alert(1)>"), Upload("again.jpg", photo())]
    viewer = as_viewer(shared_engine(), "official_longting")
    for problem in store_photos(viewer, project_id=st.session_state["project_id"], report_id=None,
                                period=dt.date(2026, 12, 1), files=files):
        st.warning(problem)


def test_store_photos_names_each_refused_file_and_stores_the_rest(app_env, uploads) -> None:
    project_id, _, _ = _longting_project(app_env)
    at = AppTest.from_function(_store_script, default_timeout=30)
    at.session_state["project_id"] = project_id
    at.run()
    assert not at.exception
    assert [warning.value for warning in at.warning] == [
        "\\*evil\\*.jpg：不支持的文件类型：照片须为 JPEG、PNG 或 WebP，文件须为 PDF、xlsx 或 docx",
        "again.jpg：此文件已添加过，无需重复上传",
    ]
    assert len(list(uploads.rglob("*.jpg"))) == 1
