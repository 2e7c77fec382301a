"""Site photos and files: the type by the bytes, size limits, EXIF check-in findings, storage under the hash,
the same bytes once per report, scoped reads of the bytes and upright JPEG thumbnails."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data_access.attachments import AlreadyAttached
from data_access.audit import verify_chain
from data_access.errors import ConfigurationError, NotFound, PermissionDenied, ValidationError
from data_access.models import Attachment, AuditEntry, Project, Report, User
from services import photos
from services.file_types import sniff
from services.photo_exif import photo_facts
from tests.conftest import as_viewer
from tests.photos import photo

DECEMBER = dt.date(2026, 12, 1)
IN_DECEMBER = dt.datetime(2026, 12, 3, 10, 30)


@pytest.fixture
def settings(tmp_path: Path) -> photos.PhotoSettings:
    return photos.PhotoSettings(upload_dir=tmp_path / "uploads", photo_max_mb=1, attachment_max_mb=2,
                                checkin_distance_m=1000, report_due_day=5)


def _project(engine: Engine) -> tuple[int, float, float]:
    """pm_kaifeng1's first project: id and site."""
    with Session(engine) as session:
        row = session.execute(select(Project.id, Project.lat, Project.lon).join(User, User.id == Project.manager_id)
                              .where(User.username == "pm_kaifeng1").order_by(Project.id)).first()
    return row.id, row.lat, row.lon


def _report(engine: Engine, project_id: int, period: dt.date = DECEMBER) -> int:
    with Session(engine) as session, session.begin():
        report = Report(project_id=project_id, period=period, status="draft",
                        created_at=dt.datetime.now(dt.UTC))
        session.add(report)
        session.flush()
        return report.id


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _office(main_part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return out.getvalue()


# -- the type by the bytes (no database) ------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "kind", "content_type"), [
    (photo(), "photo", "image/jpeg"),
    (photo(image_format="PNG"), "photo", "image/png"),
    (photo(image_format="WEBP"), "photo", "image/webp"),
    (_pdf(), "file", "application/pdf"),
    (_office("xl/workbook.xml"), "file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (_office("word/document.xml"), "file",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_the_type_is_read_from_the_bytes(data: bytes, kind: str, content_type: str) -> None:
    found = sniff(data)
    assert (found.kind, found.content_type) == (kind, content_type)


@pytest.mark.parametrize("data", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"<!DOCTYPE html><html><body onload=alert(1)></body></html>",
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",  # a Windows program
    b"just some text that someone renamed to photo.jpg",
    b"\xff\xd8\xff\xe0 a JPEG signature and then nothing an image is made of",
    _office("some/other.xml"),  # a zip, but no Office document
    photo()[:200],  # a photo cut short
])
def test_anything_else_is_refused_whatever_it_is_called(data: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        sniff(data)
    assert refused.value.message_zh == "不支持的文件类型：照片须为 JPEG、PNG 或 WebP，文件须为 PDF、xlsx 或 docx"


def test_a_stripped_photo_has_no_exif_and_a_camera_photo_says_when_and_where() -> None:
    assert photo_facts(photo(exif=False)).has_exif is False
    facts = photo_facts(photo(taken=IN_DECEMBER, offset="-05:00", lat=-33.8568, lon=-151.2153))
    assert facts.taken_at == dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.UTC)
    assert (facts.lat, facts.lon) == (pytest.approx(-33.8568, abs=1e-6), pytest.approx(-151.2153, abs=1e-6))


def test_a_time_without_an_offset_is_china_time() -> None:
    assert photo_facts(photo(taken=IN_DECEMBER)).taken_at == dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)


def test_a_zero_gps_fix_is_no_position() -> None:
    facts = photo_facts(photo(taken=IN_DECEMBER, lat=0.0, lon=0.0))
    assert (facts.has_exif, facts.lat, facts.lon) == (True, None, None)


def test_the_filename_is_data_without_folders_or_control_characters() -> None:
    assert photos.clean_filename("../../etc/passwd\x00.jpg", "jpg") == "passwd.jpg"
    assert photos.clean_filename("C:\\Users\\me\\现场 1.jpg", "jpg") == "现场 1.jpg"
    assert photos.clean_filename("", "png") == "upload.png"
    long = photos.clean_filename("长" * 300 + ".jpeg", "jpg")
    assert (len(long), long[-5:]) == (200, ".jpeg")


# -- storing and the check-in (both databases) ------------------------------------------------------------------
def _add(engine: Engine, settings: photos.PhotoSettings, data: bytes, *, username: str = "pm_kaifeng1",
         report_id: int | None = None, period: dt.date = DECEMBER, filename: str = "site.jpg",
         project_id: int | None = None) -> int:
    return photos.add_attachment(engine, as_viewer(engine, username), project_id=project_id or _project(engine)[0],
                                 report_id=report_id, period=period, filename=filename, data=data,
                                 settings=settings)


def _row(engine: Engine, attachment_id: int) -> Attachment:
    with Session(engine) as session:
        row = session.get(Attachment, attachment_id)
        assert row is not None
        return row


def test_check_in_findings_are_stored_with_the_photo(seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    project_id, lat, lon = _project(seeded_engine)
    report_id = _report(seeded_engine, project_id)
    cases = {
        "stripped.jpg": (photo(exif=False), "no_metadata"),
        "no-time.jpg": (photo(lat=lat, lon=lon), "no_time"),
        "no-gps.jpg": (photo(taken=IN_DECEMBER), "no_position"),
        "far.jpg": (photo(taken=IN_DECEMBER, lat=lat + 0.027, lon=lon), "far"),
        "november.jpg": (photo(taken=IN_DECEMBER.replace(month=11), lat=lat, lon=lon), "outside_period"),
        "ok.jpg": (photo(taken=IN_DECEMBER, lat=lat, lon=lon), "ok"),
        "ok.png": (photo(taken=IN_DECEMBER, lat=lat, lon=lon, image_format="PNG"), "ok"),
    }
    rows = {}
    for name, (data, _) in cases.items():
        row = rows[name] = _row(seeded_engine, _add(seeded_engine, settings, data, report_id=report_id,
                                                    filename=name))
        assert (row.kind, row.report_id, row.filename, row.size_bytes) == ("photo", report_id, name, len(data))
    assert {name: row.finding for name, row in rows.items()} == {name: finding for name, (_, finding) in cases.items()}
    far = rows["far.jpg"]
    assert far.distance_m == pytest.approx(3002.263, abs=0.5)  # the EXIF seconds are rounded to a thousandth
    assert far.taken_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)
    assert verify_chain(seeded_engine).ok
    with Session(seeded_engine) as session:
        audited = session.execute(select(func.count()).where(AuditEntry.action == "attachment.create")).scalar()
    assert audited == len(cases)


def test_the_original_bytes_are_stored_under_their_hash_and_read_back(
        seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    data = photo(taken=IN_DECEMBER, orientation=6)
    attachment_id = _add(seeded_engine, settings, data, filename="<img src=x onerror=alert(1)>现场.jpg")
    digest = hashlib.sha256(data).hexdigest()
    row = _row(seeded_engine, attachment_id)
    assert row.stored_name == f"{digest[:2]}/{digest}.jpg"
    assert (settings.upload_dir / row.stored_name).read_bytes() == data  # not re-encoded: evidence
    assert photos.attachment_content(seeded_engine, as_viewer(seeded_engine, "admin"), attachment_id,
                                     settings=settings) == ("<img src=x onerror=alert(1)>现场.jpg", "image/jpeg", data)


def test_a_pdf_is_stored_as_a_file_without_a_finding(seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    row = _row(seeded_engine, _add(seeded_engine, settings, _pdf(), filename="验收报告.pdf"))
    assert (row.kind, row.content_type, row.finding, row.taken_at) == ("file", "application/pdf", None, None)


def test_a_renamed_text_file_is_refused_and_nothing_is_stored(seeded_engine: Engine,
                                                             settings: photos.PhotoSettings) -> None:
    def attachments() -> int:
        with Session(seeded_engine) as session:
            return session.execute(select(func.count()).select_from(Attachment)).scalar()

    before = attachments()
    with pytest.raises(ValidationError, match="Unsupported file type"):
        _add(seeded_engine, settings, b"<script>alert(1)</script>", filename="photo.jpg")
    assert attachments() == before
    assert not settings.upload_dir.exists()


def test_too_big_is_refused_with_the_limit_in_the_message(seeded_engine: Engine,
                                                         settings: photos.PhotoSettings) -> None:
    big_photo = photo(size=(1200, 1200), colour="white")
    big_photo += b"\x00" * (1024 * 1024 + 1 - len(big_photo))  # 1 MB and a byte: over the photo limit
    with pytest.raises(ValidationError) as refused:
        _add(seeded_engine, settings, big_photo)
    assert refused.value.message_zh == "照片过大（1.0 MB），最大 1 MB"
    big_pdf = _pdf() + b"%" * (2 * 1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        _add(seeded_engine, settings, big_pdf, filename="big.pdf")
    assert refused.value.message_zh == "文件过大（2.0 MB），最大 2 MB"
    with pytest.raises(ValidationError) as refused:
        _add(seeded_engine, settings, b"", filename="empty.jpg")
    assert refused.value.message_zh == "文件为空"


def test_the_same_bytes_twice_for_one_report_are_one_attachment(seeded_engine: Engine,
                                                               settings: photos.PhotoSettings) -> None:
    project_id, lat, lon = _project(seeded_engine)
    report_id = _report(seeded_engine, project_id)
    data = photo(taken=IN_DECEMBER, lat=lat, lon=lon)
    first = _add(seeded_engine, settings, data, report_id=report_id)
    with pytest.raises(AlreadyAttached) as again:
        _add(seeded_engine, settings, data, report_id=report_id, filename="again.jpg")
    assert (again.value.attachment_id, again.value.message_zh) == (first, "此文件已添加过，无需重复上传")
    other_month = _report(seeded_engine, project_id, dt.date(2027, 1, 1))
    _add(seeded_engine, settings, data, report_id=other_month, period=dt.date(2027, 1, 1))  # another report: fine
    assert len(list(settings.upload_dir.rglob("*.jpg"))) == 1  # one file on disk all the same


def test_a_report_of_another_project_or_period_is_refused(seeded_engine: Engine,
                                                          settings: photos.PhotoSettings) -> None:
    project_id, _, _ = _project(seeded_engine)
    report_id = _report(seeded_engine, project_id)
    with pytest.raises(ValidationError) as refused:
        _add(seeded_engine, settings, photo(), report_id=report_id, period=dt.date(2027, 1, 1))
    assert refused.value.message_zh == "该月报的填报期是 2026-12，不是 2027-01"
    with Session(seeded_engine) as session:
        other = session.execute(select(Project.id).where(Project.id != project_id)).scalars().first()
    other_report = _report(seeded_engine, other)
    with pytest.raises(ValidationError, match="does not belong"):
        _add(seeded_engine, settings, photo(), username="admin", report_id=other_report)


def test_only_reporters_in_scope_may_attach(seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    with pytest.raises(PermissionDenied) as refused:
        _add(seeded_engine, settings, photo(), username="official_yuhu")  # Xiangtan, the project is in Kaifeng
    assert refused.value.message_zh == "项目不存在或您无权访问"
    with pytest.raises(PermissionDenied, match="may not enter progress data"):
        _add(seeded_engine, settings, photo(), username="auditor")
    assert not settings.upload_dir.exists()


def test_an_official_of_another_district_cannot_read_the_bytes(seeded_engine: Engine,
                                                               settings: photos.PhotoSettings) -> None:
    attachment_id = _add(seeded_engine, settings, photo(taken=IN_DECEMBER))
    foreign = as_viewer(seeded_engine, "official_yuhu")
    with pytest.raises(PermissionDenied) as refused:
        photos.attachment_content(seeded_engine, foreign, attachment_id, settings=settings)
    with pytest.raises(NotFound) as unknown:
        photos.attachment_content(seeded_engine, foreign, attachment_id + 1000, settings=settings)
    assert str(refused.value) == str(unknown.value) == "No such photo or file, or you may not access it"
    assert refused.value.message_zh == unknown.value.message_zh == "照片或附件不存在或您无权访问"
    with pytest.raises(PermissionDenied):
        photos.thumbnail(seeded_engine, foreign, attachment_id, settings=settings)
    with pytest.raises(PermissionDenied):
        photos.list_attachments(seeded_engine, foreign, project_id=_project(seeded_engine)[0])
    with Session(seeded_engine) as session:
        denied = session.execute(select(AuditEntry.entity_id).where(AuditEntry.action == "access.denied")).scalars()
        assert str(_project(seeded_engine)[0]) in set(denied)


def test_changed_bytes_on_disk_are_never_served(seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    attachment_id = _add(seeded_engine, settings, photo(taken=IN_DECEMBER))
    (settings.upload_dir / _row(seeded_engine, attachment_id).stored_name).write_bytes(photo(colour="red"))
    with pytest.raises(photos.AttachmentFileMissing) as refused:
        photos.attachment_content(seeded_engine, as_viewer(seeded_engine, "admin"), attachment_id, settings=settings)
    assert refused.value.message_zh == "附件文件缺失或已损坏，请联系管理员"


def test_the_thumbnail_is_an_upright_jpeg_no_bigger_than_asked(seeded_engine: Engine,
                                                              settings: photos.PhotoSettings) -> None:
    # 640 × 480 stored with orientation 6 (turn 90° clockwise to view): upright it is 480 wide and 640 high
    attachment_id = _add(seeded_engine, settings, photo(orientation=6, size=(640, 480), taken=IN_DECEMBER))
    thumb = photos.thumbnail(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"), attachment_id, 100,
                             settings=settings)
    image = Image.open(io.BytesIO(thumb))
    assert (image.format, image.size) == ("JPEG", (75, 100))
    red, green, _ = image.getpixel((image.width - 3, 2))[:3]  # the top-left marker, turned to the top right
    assert red > 150 and green < 120
    png = _add(seeded_engine, settings, photo(image_format="PNG", size=(50, 20)), filename="small.png")
    small = Image.open(io.BytesIO(photos.thumbnail(seeded_engine, as_viewer(seeded_engine, "admin"), png, 320,
                                                   settings=settings)))
    assert (small.format, small.size) == ("JPEG", (50, 20))  # never enlarged


def test_a_file_has_no_thumbnail(seeded_engine: Engine, settings: photos.PhotoSettings) -> None:
    attachment_id = _add(seeded_engine, settings, _pdf(), filename="a.pdf")
    with pytest.raises(ValidationError, match="Only photos"):
        photos.thumbnail(seeded_engine, as_viewer(seeded_engine, "admin"), attachment_id, settings=settings)


def test_the_list_is_the_projects_newest_first_with_the_uploader(seeded_engine: Engine,
                                                                settings: photos.PhotoSettings) -> None:
    project_id, lat, lon = _project(seeded_engine)
    report_id = _report(seeded_engine, project_id)
    first = _add(seeded_engine, settings, photo(taken=IN_DECEMBER, lat=lat, lon=lon), report_id=report_id)
    second = _add(seeded_engine, settings, _pdf(), filename="plan.pdf")
    listing = photos.list_attachments(seeded_engine, as_viewer(seeded_engine, "admin"), project_id=project_id)
    assert list(listing["id"])[:2] == [second, first]  # newest first (before any demo photo)
    assert list(listing.columns) == ["id", "report_id", "period", "kind", "filename", "content_type", "size_bytes",
                                     "taken_at", "lat", "lon", "distance_m", "finding", "uploaded_by_name",
                                     "uploaded_at"]
    assert listing.set_index("id").at[first, "finding"] == "ok"
    assert listing.set_index("id").at[first, "period"] == DECEMBER
    with Session(seeded_engine) as session:
        name = session.execute(select(User.display_name).where(User.username == "pm_kaifeng1")).scalar()
    assert set(listing["uploaded_by_name"]) == {name}
    only_report = photos.list_attachments(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"),
                                          project_id=project_id, report_id=report_id)
    assert list(only_report["id"]) == [first]


def test_values_a_camera_writes_when_it_knows_nothing_count_as_absent() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "camera"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "0000:00:00 00:00:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLongitudeRef] = "N", "E"
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(34, 1), IFDRational(0, 0), IFDRational(0, 0))
    gps[ExifTags.GPS.GPSLongitude] = (IFDRational(114, 1), IFDRational(18, 1), IFDRational(0, 1))
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif.tobytes())
    facts = photo_facts(out.getvalue())
    assert (facts.has_exif, facts.taken_at, facts.lat, facts.lon) == (True, None, None, None)


def test_an_impossible_offset_falls_back_to_china_time() -> None:
    facts = photo_facts(photo(taken=IN_DECEMBER, offset="+99:00"))
    assert facts.taken_at == dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)


def test_the_settings_come_from_the_environment_and_a_bad_one_is_refused_by_name(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PERFDASH_UPLOAD_DIR", str(tmp_path))
    monkeypatch.setenv("PERFDASH_PHOTO_MAX_MB", "2.5")
    monkeypatch.setenv("PERFDASH_CHECKIN_DISTANCE_M", "300")
    monkeypatch.delenv("PERFDASH_ATTACHMENT_MAX_MB", raising=False)
    monkeypatch.delenv("PERFDASH_REPORT_DUE_DAY", raising=False)
    assert photos.photo_settings() == photos.PhotoSettings(tmp_path, 2.5, 20, 300, 5)
    monkeypatch.setenv("PERFDASH_PHOTO_MAX_MB", "ten")
    with pytest.raises(ConfigurationError) as refused:
        photos.photo_settings()
    assert refused.value.message_zh == "设置 PERFDASH_PHOTO_MAX_MB 须为 0.1 到 200 之间的数，当前为 'ten'"
