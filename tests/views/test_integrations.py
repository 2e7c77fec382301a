"""开放接口: an admin makes a token (its secret shown once), sees it listed, revokes it; others have no such page."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from data_access.api_tokens import TokenRefused, authenticate
from data_access.db import transaction
from data_access.models import ApiToken, ImportBatch

PAGE = "views/integrations.py"


@pytest.fixture
def engine(app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def _make(at, name: str, *, write_figures: bool = True):
    at.text_input(key="integrations_name").input(name)
    if write_figures:
        at.checkbox(key="integrations_scope_write_observations").check()
    return next(button for button in at.button if button.label == "生成令牌").click().run()


def _secrets(at) -> list[str]:
    return [code.value for code in at.code if code.value.startswith("pdk_")]


def test_a_token_is_shown_once_works_for_the_api_and_is_gone_after_the_next_rerun(logged_in, engine):
    at = _make(logged_in("admin", PAGE), "市财政局 <b>预算</b>")
    assert not at.exception
    [secret] = _secrets(at)
    assert at.warning[0].value.startswith("令牌“市财政局 \\<b\\>预算\\</b\\>”已生成。")  # the name is text, not markup
    example = next(code.value for code in at.code if code.value.startswith("curl"))
    assert f"Authorization: Bearer {secret}" in example and "Idempotency-Key: 2026-11-finance" in example
    assert "/api/v1/observations/batch" in example
    actor = authenticate(engine, secret)
    assert actor.name == "市财政局 <b>预算</b>" and actor.scopes == {"read", "write_observations"}
    assert actor.viewer.region_path is None and actor.rate_per_minute == 600
    assert at.text_input(key="integrations_name").value == ""  # the form is empty for the next token
    tokens = at.dataframe[0].value
    assert tokens["名称"].tolist() == ["市财政局 <b>预算</b>"] and tokens["状态"].tolist() == ["● 有效"]
    assert tokens["权限"].tolist() == ["读取、写入月度数据"] and tokens["区域"].tolist() == ["全部区域"]
    assert tokens["最近使用"].tolist() == ["从未使用"]  # drawn before the call above

    at.run()  # any rerun: the secret is gone for good, and the call shows at once (it moved no data version)
    assert _secrets(at) == [] and not any(code.value.startswith("curl") for code in at.code)
    assert at.dataframe[0].value["名称"].tolist() == ["市财政局 <b>预算</b>"]
    [last_used] = at.dataframe[0].value["最近使用"].tolist()
    assert last_used != "从未使用" and last_used.startswith(f"{dt.datetime.now(dt.UTC).year}-")


def test_a_token_is_revoked_only_once_chosen_and_confirmed_and_is_then_refused(logged_in, engine):
    at = _make(logged_in("admin", PAGE), "OA 系统")
    [secret] = _secrets(at)
    revoke = next(button for button in at.button if button.label == "吊销")
    revoke.click().run()
    assert at.warning[0].value == "请先选择要吊销的令牌。"
    at.selectbox(key="integrations_revoke_choice").select(authenticate(engine, secret).token_id)
    next(button for button in at.button if button.label == "吊销").click().run()
    assert at.warning[0].value == "请勾选确认后再吊销。"
    authenticate(engine, secret)  # still good
    at.checkbox(key="integrations_revoke_sure").check()
    next(button for button in at.button if button.label == "吊销").click().run()
    assert at.success[0].value == "令牌“OA 系统”已吊销。"
    assert at.dataframe[0].value["状态"].tolist() == ["✕ 已吊销"]
    assert not any(button.label == "吊销" for button in at.button)  # nothing left to revoke
    with pytest.raises(TokenRefused, match="revoked"):
        authenticate(engine, secret)


def test_a_blank_name_gets_its_message_and_makes_no_token(logged_in, engine):
    at = _make(logged_in("admin", PAGE), "   ")
    assert [error.value for error in at.error] == ["名称须为 1 到 80 个字符，且不含控制字符"]
    assert _secrets(at) == []
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(ApiToken)).scalar_one() == 0


def test_the_pushes_of_the_last_30_days_are_listed_with_their_token(logged_in, engine):
    at = _make(logged_in("admin", PAGE), "财政")
    token_id = authenticate(engine, _secrets(at)[0]).token_id
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:  # as the API's push does: the data version moves, pages see it
        session.add_all([ImportBatch(filename="api", source="api", uploaded_at=now - dt.timedelta(days=days),
                                     api_token_id=token_id, idempotency_key=key, kind="observations", row_count=12,
                                     new_rows=10, changed_rows=2, unchanged_rows=0, status="applied")
                         for days, key in ((1, "2026-11-finance"), (40, "2026-09-finance"))])
    at.run()
    pushes = at.dataframe[1].value
    assert pushes["Idempotency-Key"].tolist() == ["2026-11-finance"]
    assert pushes[["令牌", "类型", "新增", "修改", "状态"]].values.tolist() == [["财政", "月度数据", 10, 2, "已生效"]]


@pytest.mark.parametrize("username", ["analyst", "leader", "official_longting"])
def test_only_admins_have_the_page(logged_in, username):
    at = logged_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
