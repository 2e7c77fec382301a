import datetime as dt

import pandas as pd
import pytest

from data_access import users
from data_access.auth import check_password, session_viewer
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from tests.conftest import as_viewer


def _user(engine, username):
    frame = users.list_users(engine, as_viewer(engine, "admin"))
    return frame[frame["username"] == username].iloc[0]


@pytest.mark.parametrize(("password", "problem"), [
    ("Ab1!", "至少 8 位"), ("abcdefghij", "至少三类"), ("Newuser#2026", "不能包含用户名"),
])
def test_weak_passwords_are_refused_with_the_reason(seeded_engine, password, problem):
    with pytest.raises(ValidationError) as caught:
        users.create_user(seeded_engine, as_viewer(seeded_engine, "admin"), username="newuser", display_name="新用户",
                          role="analyst", password=password)
    assert problem in caught.value.message_zh


def test_a_password_over_72_bytes_is_refused_with_a_clear_reason_in_both_languages(seeded_engine):
    long_password = "Aa1!" + "密" * 23  # 4 + 69 = 73 bytes, otherwise a strong password
    assert users.password_problems(long_password) == [
        ("密码不能超过 72 字节（一个汉字占 3 字节，最多约 24 个汉字）",
         "at most 72 bytes (a Chinese character takes 3, so about 24 of them)")]
    assert users.password_problems("Aa1!" + "密" * 22) == []  # 70 bytes
    with pytest.raises(ValidationError) as caught:
        users.create_user(seeded_engine, as_viewer(seeded_engine, "admin"), username="newuser", display_name="新用户",
                          role="analyst", password=long_password)
    assert "72 字节" in caught.value.message_zh and "72 bytes" in str(caught.value)


def test_admin_creates_a_user_who_can_log_in(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    regions = users.list_users(seeded_engine, admin)
    users.create_user(seeded_engine, admin, username="Official_New", display_name="新专员", role="district_official",
                      region_id=2, password="Strong#Pass2026")
    created = _user(seeded_engine, "official_new")
    assert created["role"] == "district_official" and created["region_id"] == 2
    assert len(users.list_users(seeded_engine, admin)) == len(regions) + 1
    assert check_password(seeded_engine, "official_new", "Strong#Pass2026")


def test_district_official_needs_a_region(seeded_engine):
    with pytest.raises(ValidationError, match="region"):
        users.create_user(seeded_engine, as_viewer(seeded_engine, "admin"), username="x_official", display_name="x",
                          role="district_official", password="Strong#Pass2026")


@pytest.mark.parametrize("username", ["leader", "auditor", "official_longting"])
def test_only_admins_manage_users(seeded_engine, username):
    with pytest.raises(PermissionDenied):
        users.list_users(seeded_engine, as_viewer(seeded_engine, username))


def test_whoever_opens_rating_rounds_picks_from_the_active_experts_only(seeded_engine):
    experts = users.list_experts(seeded_engine, as_viewer(seeded_engine, "analyst"))
    assert list(experts["username"]) == ["expert01", "expert02", "expert03", "expert04", "expert05"]  # not expert06
    assert list(experts.columns) == ["id", "username", "display_name"]
    assert experts["display_name"].str.endswith("（评审专家）").all()
    for username in ("leader", "official_longting", "pm_kaifeng1", "expert01"):
        with pytest.raises(PermissionDenied):
            users.list_experts(seeded_engine, as_viewer(seeded_engine, username))


def test_role_change_ends_the_users_sessions(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    target = _user(seeded_engine, "analyst")
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert session_viewer(seeded_engine, "analyst", started) is not None
    users.update_user(seeded_engine, admin, int(target["id"]), int(target["version"]), {"role": "leader"})
    assert session_viewer(seeded_engine, "analyst", started) is None


def test_display_name_change_keeps_sessions(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    target = _user(seeded_engine, "analyst")
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    users.update_user(seeded_engine, admin, int(target["id"]), int(target["version"]), {"display_name": "李娜"})
    assert session_viewer(seeded_engine, "analyst", started) is not None


def test_the_last_admin_cannot_be_deactivated_or_demoted(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    me = _user(seeded_engine, "admin")
    for change in ({"is_active": False}, {"role": "leader"}):
        with pytest.raises(ValidationError) as caught:
            users.update_user(seeded_engine, admin, int(me["id"]), int(me["version"]), change)
        assert "最后一位系统管理员" in caught.value.message_zh
    assert _user(seeded_engine, "admin")["is_active"]


def test_stale_user_edit_is_a_conflict(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    target = _user(seeded_engine, "auditor")
    users.update_user(seeded_engine, admin, int(target["id"]), int(target["version"]), {"display_name": "甲"})
    with pytest.raises(VersionConflict):
        users.update_user(seeded_engine, admin, int(target["id"]), int(target["version"]), {"display_name": "乙"})


def test_password_reset_unlocks_and_ends_sessions_and_is_never_logged(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    for _ in range(5):
        check_password(seeded_engine, "auditor", "wrong")
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    users.reset_password(seeded_engine, admin, int(_user(seeded_engine, "auditor")["id"]), "Fresh#Secret42")
    assert session_viewer(seeded_engine, "auditor", started) is None
    assert check_password(seeded_engine, "auditor", "Fresh#Secret42")
    from data_access.audit import list_entries
    entries = list_entries(seeded_engine, admin)
    reset = entries[entries["action"] == "user.password_reset"].iloc[0]
    assert pd.isna(reset["after"]) and pd.isna(reset["before"])
    assert not entries["after"].fillna("").str.contains("Fresh#Secret42").any()
