"""Bad input through the pages (issue 10, items 13 and 16): URL ids and the rules page (the monthly report's
refusals are in test_report.py)."""
import re
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

BAD_IDS = ["²", "99999999999999999999999", "7" * 5000, str(2**31), "0", "-3", "1e3", " 12"]
REFUSAL = {"project": "项目不存在或您无权访问", "alert": "预警不存在或您无权访问", "region": "区域不存在或您无权访问"}
PAGES = {"project": ["views/projects.py", "views/scorecards.py"], "alert": ["views/alerts.py"],
         "region": ["views/scorecards.py"]}


def _scalar(app_env, sql, **params):
    with create_engine(f"sqlite:///{app_env}").connect() as connection:
        return connection.execute(text(sql), params).scalar()


def _errors(at):
    """The error texts as read on screen (user-written text in them is markdown-escaped)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


@pytest.mark.parametrize(("name", "page"), [(name, page) for name, pages in PAGES.items() for page in pages])
def test_a_malformed_or_oversized_id_in_the_url_gives_one_clean_message(logged_in, name, page):
    at = logged_in("official_longting", page)
    for bad in BAD_IDS:
        at.query_params.clear()
        at.query_params[name] = bad
        at.run()
        assert not at.exception, (bad[:30], at.exception)
        assert _errors(at) == ["链接中的编号无效。"], bad[:30]
    at.button(key=f"bad_{name}_start_over").click().run()  # the way out: the page without the bad link
    assert not at.exception and not _errors(at) and name not in at.query_params


@pytest.mark.parametrize(("name", "page"), [(name, page) for name, pages in PAGES.items() for page in pages])
def test_a_foreign_and_an_unknown_id_in_the_url_get_the_same_words_naming_no_id(logged_in, app_env, name, page):
    foreign = {
        "project": "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id WHERE r.code = '410204'",
        "alert": "SELECT a.id FROM alerts a JOIN projects p ON p.id = a.project_id JOIN regions r "
                 "ON r.id = p.region_id WHERE r.code = '410204'",
        "region": "SELECT id FROM regions WHERE code = '410204'",
    }[name]
    foreign_id = _scalar(app_env, foreign + " LIMIT 1")
    at = logged_in("official_longting", page)
    answers = []
    for some_id in (foreign_id, 99_999):
        at.query_params.clear()
        at.query_params[name] = str(some_id)
        at.run()
        assert not at.exception
        answers.append(_errors(at))
        assert not any(str(some_id) in e for e in _errors(at))
    assert answers == [[REFUSAL[name]]] * 2


def _rules_form(logged_in):
    at = logged_in("admin", "views/rules.py")
    at.text_input[0].input("新规则")
    at.text_input[1].input("New rule")
    return at


def _save_rule(at):
    next(b for b in at.button if b.form_id == "rule_form" and b.label == "保存规则").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize(("params", "message"), [
    ("[1,2]", '规则参数：须为 JSON 对象，例如 {"periods": 3}'),
    ("[" * 1500 + "]" * 1500, "规则参数：最多 2000 个字符的 JSON"),
    ("[" * 999 + "]" * 999, "规则参数：不是有效的 JSON"),
    ('{"periods": [3]}', "规则参数：'periods' 须为数字、文字或 true/false"),
    ("{not json", "规则参数：不是有效的 JSON"),
])
def test_rule_parameters_of_the_wrong_shape_are_explained_and_nothing_is_saved(logged_in, app_env, params, message):
    before = _scalar(app_env, "SELECT COUNT(*) FROM alert_rules")
    at = _rules_form(logged_in)
    at.text_area[0].input(params)
    _save_rule(at)
    assert _errors(at) == [message]
    assert _scalar(app_env, "SELECT COUNT(*) FROM alert_rules") == before


def test_a_rule_without_a_name_is_not_saved(logged_in, app_env):
    before = _scalar(app_env, "SELECT COUNT(*) FROM alert_rules")
    at = _rules_form(logged_in)
    at.text_input[0].input("   ")
    _save_rule(at)
    assert _errors(at) == ["规则的中文名称不能为空"]
    assert _scalar(app_env, "SELECT COUNT(*) FROM alert_rules") == before


def test_users_never_see_a_stack_trace_or_an_exceptions_text(tmp_path):
    root = Path(__file__).resolve().parents[2]
    settings = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["showErrorDetails"] == "none"
    script = tmp_path / "boom.py"
    script.write_text('raise ValueError("secret detail")\n', encoding="utf-8")
    at = AppTest.from_file(str(script)).run()  # the suite runs from the project root, which holds the config
    assert len(at.exception) == 1
    assert "secret detail" not in at.exception[0].message and not at.exception[0].stack_trace
