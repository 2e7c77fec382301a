"""The demo's site photos: their rows say what their bytes say, every check-in finding appears, and the files
are in the upload folder for the app to show."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.demo.generator import build
from data_access.demo.synthesis import DEMO_CHECKIN_DISTANCE_M, DEMO_DUE_DAY
from data_access.models import Attachment
from scoring.checkin import check_in, report_window
from services import photos
from services.file_types import sniff
from services.photo_exif import photo_facts
from tests.conftest import as_viewer


@pytest.fixture(scope="module")
def demo():
    return build(projects=300, months=24, seed=11, until=dt.date(2026, 11, 1))


def test_each_demo_photo_is_a_jpeg_whose_exif_gives_the_finding_its_row_has(demo) -> None:
    projects = {row["id"]: row for row in demo.tables["projects"]}
    periods = {row["id"]: row["period"] for row in demo.tables["reports"]}
    for row in demo.tables["attachments"]:
        data = demo.files[row["sha256"]]
        assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == row["size_bytes"]
        assert sniff(data).content_type == row["content_type"] == "image/jpeg"
        site = (projects[row["project_id"]]["lat"], projects[row["project_id"]]["lon"])
        verdict = check_in(photo_facts(data), site=site, window=report_window(periods[row["report_id"]], DEMO_DUE_DAY),
                           max_distance_m=DEMO_CHECKIN_DISTANCE_M)
        assert verdict.finding == row["finding"], row["filename"]


def test_the_demo_shows_reviewers_every_kind_of_finding_on_the_latest_reports(demo) -> None:
    findings = Counter(row["finding"] for row in demo.tables["attachments"])
    assert set(findings) == {"ok", "far", "no_metadata", "outside_period"}
    reviewed = {row["report_id"] for row in demo.tables["attachments"]}
    waiting = {row["id"] for row in demo.tables["reports"] if row["status"] == "submitted"}
    assert waiting and waiting <= reviewed


def test_the_seeded_demo_photos_can_be_read_back(shared_seeded_engine: Engine) -> None:
    with Session(shared_seeded_engine) as session:
        first = session.execute(select(Attachment).order_by(Attachment.id)).scalars().first()
    assert first is not None
    name, content_type, data = photos.attachment_content(shared_seeded_engine,
                                                         as_viewer(shared_seeded_engine, "admin"), first.id)
    assert (name, content_type, hashlib.sha256(data).hexdigest()) == (first.filename, "image/jpeg", first.sha256)
