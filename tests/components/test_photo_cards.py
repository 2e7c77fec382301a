"""The words under a site photo: the finding as a word and a colour, China time, the file name as plain text."""
import datetime as dt

import pandas as pd
import pytest

from components.photo_cards import FINDING_KEYS, finding_badge, photo_details
from scoring.checkin import FINDINGS


def test_every_finding_has_words() -> None:
    assert sorted(FINDING_KEYS) == sorted(FINDINGS)


@pytest.mark.parametrize(("finding", "distance", "lang", "badge"), [
    ("ok", 12.0, "zh", ("现场核验通过", "green")),
    ("far", 1000.4, "zh", ("距项目地点 1.0 公里", "orange")),
    ("far", 960.0, "en", ("960 m from the project's site", "orange")),  # a limit below a kilometre
    ("ok", None, "en", ("Site check-in passed", "green")),
    ("far", 3240.0, "zh", ("距项目地点 3.2 公里", "orange")),
    ("far", 3240.0, "en", ("3.2 km from the project's site", "orange")),
    ("outside_period", 20.0, "zh", ("拍摄时间不在填报期内", "orange")),
    ("no_metadata", None, "zh", ("无拍摄信息（照片可能经过处理）", "orange")),
    ("no_time", 5.0, "en", ("No time in the photo", "orange")),
    ("no_position", None, "zh", ("照片无位置信息", "orange")),
])
def test_only_a_passed_check_in_is_green_and_the_others_say_why(finding, distance, lang, badge) -> None:
    assert finding_badge(finding, distance, lang) == badge


def test_the_details_are_in_china_time_and_the_file_name_is_plain_text() -> None:
    photo = {"kind": "photo", "taken_at": pd.Timestamp("2026-12-03 02:30", tz="UTC"), "distance_m": 12.4,
             "filename": "[click](http://evil.invalid) *现场*.jpg", "uploaded_by_name": "王_经理",
             "uploaded_at": dt.datetime(2026, 12, 3, 16, 5)}  # a naive time from SQLite is UTC
    assert photo_details(photo, "zh") == [
        "拍摄于 2026-12-03 10:30",
        "距项目地点 12 米",
        "\\[click\\](http\u2060\\://evil.invalid) \\*现场\\*.jpg",
        "王_经理 上传于 2026-12-04 00:05",
    ]


def test_a_photo_without_time_or_position_says_so_and_a_file_has_no_photo_lines() -> None:
    stripped = {"kind": "photo", "taken_at": pd.NaT, "distance_m": float("nan"), "filename": "a.jpg",
                "uploaded_by_name": None, "uploaded_at": pd.Timestamp("2026-12-03 01:00", tz="UTC")}
    assert photo_details(stripped, "en") == ["Time taken unknown", "a.jpg", "Uploaded by — on 2026-12-03 09:00"]
    far = {**stripped, "taken_at": pd.Timestamp("2026-12-03 01:00", tz="UTC"), "distance_m": 3240.0, "finding": "far"}
    assert photo_details(far, "en")[:2] == ["Taken 2026-12-03 09:00", "a.jpg"]  # the badge says how far
    pdf = {**stripped, "kind": "file", "filename": "plan.pdf"}
    assert photo_details(pdf, "en") == ["plan.pdf", "Uploaded by — on 2026-12-03 09:00"]
