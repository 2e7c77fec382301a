"""Length and shape of user-typed values are checked before writing, the same on SQLite and PostgreSQL
(issue 10, item 16): PostgreSQL refuses an over-long VARCHAR with a database error, SQLite stores it."""
import pytest
from sqlalchemy import func, select

from data_access import alerts as store
from data_access import schemes, users
from data_access.errors import NotFound, ValidationError
from data_access.models import AlertRule, AuditEntry, User
from tests.conftest import as_viewer

RULE = {"name_zh": "进度滞后", "name_en": "Progress lag", "rule_type": "progress_lag", "severity": "orange",
        "params": {"periods": 2}, "scope_kind": "all", "scope_value": None, "enabled": True}


def _count(engine, model):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar()


@pytest.mark.parametrize(("fields", "message"), [
    ({"display_name": "名" * 5000}, "姓名不能超过 100 个字符"),
    ({"display_name": "   "}, "姓名不能为空"),
    ({"display_name": 42}, "姓名不能为空"),
    ({"email": "x" * 195 + "@a.example"}, "电子邮箱格式不正确（形如 name@example.com，最多 200 个字符）"),
    ({"email": "not an address"}, "电子邮箱格式不正确（形如 name@example.com，最多 200 个字符）"),
    ({"region_id": 2**31}, "区域不存在或您无权访问"),
])
def test_create_user_refuses_values_the_columns_cannot_hold_on_both_databases(seeded_engine, fields, message):
    engine = seeded_engine
    before = _count(engine, User)
    arguments = {"username": "new_person", "display_name": "新同事", "role": "analyst",
                 "password": "Strong#Pass2026"} | fields
    with pytest.raises(ValidationError) as caught:  # the 5,000-character name was a DataError on PostgreSQL
        users.create_user(engine, as_viewer(engine, "admin"), **arguments)
    assert caught.value.message_zh == message
    assert _count(engine, User) == before and _count(engine, AuditEntry) == 0


def test_update_user_refuses_an_over_long_display_name_and_an_impossible_id(seeded_engine):
    engine = seeded_engine
    admin = as_viewer(engine, "admin")
    analyst = as_viewer(engine, "analyst")
    with pytest.raises(ValidationError) as caught:
        users.update_user(engine, admin, analyst.user_id, 1, {"display_name": "名" * 101})
    assert caught.value.message_zh == "姓名不能超过 100 个字符"
    with pytest.raises(NotFound):
        users.update_user(engine, admin, 2**40, 1, {"display_name": "x"})


@pytest.mark.parametrize(("changes", "message"), [
    ({"name_zh": "   "}, "规则的中文名称不能为空"),
    ({"name_en": "r" * 121}, "规则的英文名称不能超过 120 个字符"),
    ({"params": [1, 2]}, '规则参数：须为 JSON 对象，例如 {"periods": 3}'),
    ({"params": {"periods": {"deep": {"er": 1}}}}, "规则参数：'periods' 须为数字、文字或 true/false"),
    ({"params": {"note": "x" * 2100}}, "规则参数：超过 2000 个字符"),
    ({"severity": "purple"}, "未知的预警级别"),
    ({"scope_value": "/" * 201}, "范围取值须为不超过 200 个字符的文字"),
    ({"enabled": "yes"}, "“启用”须为是或否"),
    ({"owner": "me"}, "规则字段有误：未知 ['owner']，缺少 []"),
])
def test_save_rule_refuses_the_wrong_shape_before_writing_on_both_databases(seeded_engine, changes, message):
    engine = seeded_engine
    before = _count(engine, AlertRule)
    with pytest.raises(ValidationError) as caught:
        store.save_rule(engine, as_viewer(engine, "admin"), RULE | changes)
    assert caught.value.message_zh == message
    assert _count(engine, AlertRule) == before and _count(engine, AuditEntry) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 999 + "]" * 999, "规则参数：不是有效的 JSON"),
    ("[" * 400 + "]" * 400, '规则参数：须为 JSON 对象，例如 {"periods": 3}'),
    ("[" * 1500 + "]" * 1500, "规则参数：最多 2000 个字符的 JSON"),
    ("null", '规则参数：须为 JSON 对象，例如 {"periods": 3}'),
])
def test_rule_parameters_typed_as_text_are_parsed_within_bounds(text, message):
    with pytest.raises(ValidationError) as caught:  # deep nesting was a RecursionError
        store.parse_rule_params(text)
    assert caught.value.message_zh == message


def test_rule_parameters_typed_as_text_round_trip():
    assert store.parse_rule_params(' {"periods": 3, "points": 5.5} ') == {"periods": 3, "points": 5.5}
    assert store.parse_rule_params("") == {}


@pytest.mark.parametrize(("arguments", "message"), [
    ({"name": 42}, "请填写方案名称"),
    ({"name": "方" * 81}, "名称不能超过 80 个字符"),
    ({"description": ["not", "text"]}, "说明须为不超过 5000 个字符的文字"),
    ({"description": "说" * 5001}, "说明须为不超过 5000 个字符的文字"),
])
def test_a_scenario_with_a_wrongly_typed_or_over_long_name_or_description_is_refused(seeded_engine, arguments,
                                                                                     message):
    from tests.data_access.test_schemes import WEIGHTS

    with pytest.raises(ValidationError) as caught:  # a number as name or a list as description was a raw error
        schemes.save_scenario(seeded_engine, as_viewer(seeded_engine, "analyst"),
                              **({"name": "试算", "weights": WEIGHTS} | arguments))
    assert caught.value.message_zh == message
    assert _count(seeded_engine, AuditEntry) == 0


def test_a_scheme_id_no_integer_column_can_hold_is_refused_like_an_unknown_one(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    for call in (lambda: schemes.promote_scheme(seeded_engine, analyst, 2**31),
                 lambda: schemes.delete_scenario(seeded_engine, analyst, 10**20)):
        with pytest.raises(NotFound) as caught:  # a DataError on PostgreSQL
            call()
        assert caught.value.message_zh == "权重方案不存在"
