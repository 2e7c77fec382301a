"""Sending feedback with a screenshot: the type decided by the bytes, the size limit, and nothing stored when
the file or the text is refused (SQLite and PostgreSQL)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data_access.errors import NotFound, ValidationError
from data_access.models import Feedback
from services import feedback, photos
from tests.conftest import as_viewer
from tests.photos import photo


@pytest.fixture
def settings(tmp_path: Path) -> photos.PhotoSettings:
    return photos.PhotoSettings(upload_dir=tmp_path / "uploads", photo_max_mb=1, attachment_max_mb=2)


def _stored_files(settings: photos.PhotoSettings) -> list[Path]:
    return sorted(path for path in settings.upload_dir.rglob("*") if path.is_file())


def _rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Feedback)).scalar_one()


def test_a_screenshot_is_stored_under_its_hash_with_its_type_and_read_back_by_sender_and_admin(
        seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    image = photo(image_format="PNG", exif=False)
    sender = as_viewer(seeded_engine, "pm_kaifeng1")
    feedback_id = feedback.send_feedback(seeded_engine, sender, page="report", message="按钮被遮住了",
                                         screenshot=image, settings=settings)
    digest = hashlib.sha256(image).hexdigest()
    with Session(seeded_engine) as session:
        row = session.get(Feedback, feedback_id)
        assert (row.screenshot_name, row.screenshot_type, row.screenshot_bytes, row.screenshot_sha256) == (
            f"{digest[:2]}/{digest}.png", "image/png", len(image), digest)
    assert _stored_files(settings) == [settings.upload_dir / digest[:2] / f"{digest}.png"]
    for reader in (sender, as_viewer(seeded_engine, "admin")):
        assert feedback.screenshot_content(seeded_engine, reader, feedback_id, settings=settings) == (
            "image/png", image)
    with pytest.raises(NotFound):
        feedback.screenshot_content(seeded_engine, as_viewer(seeded_engine, "official_gulou"), feedback_id,
                                    settings=settings)


@pytest.mark.parametrize(("data", "words"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "截图须为图片：JPEG、PNG 或 WebP"),
    (b"%PDF-1.4\n%%EOF\n", "截图须为图片：JPEG、PNG 或 WebP"),
    (b"\x89PNG\r\n\x1a\n but not really a picture", "截图须为图片：JPEG、PNG 或 WebP"),
    (b"", "截图文件为空"),
    (b"\xff\xd8\xff" + b"0" * (1024 * 1024), "照片过大（1.0 MB），最大 1 MB"),
])
def test_a_bad_screenshot_gets_a_clear_error_and_nothing_is_stored(seeded_engine: Engine,
                                                                   settings: photos.PhotoSettings,
                                                                   data: bytes, words: str) -> None:
    before = _rows(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        feedback.send_feedback(seeded_engine, as_viewer(seeded_engine, "official_gulou"), page="map",
                               message="地图不显示", screenshot=data, settings=settings)
    assert caught.value.message_zh == words
    assert _rows(seeded_engine) == before
    assert _stored_files(settings) == []


def test_a_refused_text_stores_not_even_a_good_screenshot(seeded_engine: Engine,
                                                          settings: photos.PhotoSettings) -> None:
    with pytest.raises(ValidationError):
        feedback.send_feedback(seeded_engine, as_viewer(seeded_engine, "official_gulou"), page="map", message=" ",
                               screenshot=photo(), settings=settings)
    assert _stored_files(settings) == []
