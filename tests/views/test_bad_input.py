"""Bad input through the pages (issue 10, items 13 and 16): URL ids, the progress form, the rules page."""
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


def _progress_form(logged_in, app_env):
    project_id = _scalar(app_env, "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id "
                                  "WHERE r.code = '410202' AND p.status = 'active' LIMIT 1")
    at = logged_in("official_longting", "views/projects.py")
    at.query_params["project"] = str(project_id)
    return at.run(), project_id


def _submit(at):
    next(b for b in at.button if b.form_id == "progress_report").click().run()
    assert not at.exception
    return at


def _manual_entries(app_env, project_id):
    return _scalar(app_env, "SELECT COUNT(*) FROM observations WHERE project_id = :p AND source = 'manual'",
                   p=project_id)


def test_an_empty_progress_report_is_not_called_saved(logged_in, app_env):
    at, project_id = _progress_form(logged_in, app_env)
    _submit(at)
    assert not at.success
    assert _errors(at) == ["未填写任何数值，未保存。"]
    assert _manual_entries(app_env, project_id) == 0


@pytest.mark.parametrize(("progress", "spend", "message"), [
    (150.0, None, "PROG_ACTUAL 须在 0 到 100 之间（填写的是 150）"),
    (-5.0, None, "PROG_ACTUAL 须在 0 到 100 之间（填写的是 -5）"),
    (50.0, 1e308, "SPEND_CUM 须在 0 到 10,000,000,000 之间（填写的是 1e+308）"),  # and the 50 is not stored either
])
def test_an_implausible_progress_report_is_explained_and_nothing_of_it_stored(logged_in, app_env, progress, spend,
                                                                              message):
    at, project_id = _progress_form(logged_in, app_env)
    at.number_input[0].set_value(progress)
    if spend is not None:
        at.number_input[1].set_value(spend)
    _submit(at)
    assert not at.success
    assert _errors(at) == [message]
    assert _manual_entries(app_env, project_id) == 0


def test_a_plausible_progress_report_is_stored_whole_and_says_what_was_saved(logged_in, app_env):
    at, project_id = _progress_form(logged_in, app_env)
    at.number_input[0].set_value(64.0)
    at.number_input[1].set_value(1200.0)
    _submit(at)
    assert [s.value for s in at.success] == [
        "已保存：实际形象进度（%） 64; 累计完成投资（万元） 1200；并已重新评估该项目的预警。"]
    assert _manual_entries(app_env, project_id) == 2


def test_a_stored_report_whose_warning_evaluation_fails_still_says_it_was_stored(logged_in, app_env,
                                                                                 monkeypatch):
    import services.alerts
    from data_access import DatabaseUnavailable

    def unavailable(*_args, **_kwargs):
        raise DatabaseUnavailable("evaluation failed", message_zh="预警评估失败")

    at, project_id = _progress_form(logged_in, app_env)
    monkeypatch.setattr(services.alerts, "evaluate", unavailable)
    at.number_input[0].set_value(64.0)
    _submit(at)
    assert [s.value for s in at.success] == [
        "已保存：实际形象进度（%） 64；但该项目的预警暂未能重新评估，将在下次定时评估时更新。"]
    assert [e.value for e in at.error] == ["预警评估失败"]
    assert _manual_entries(app_env, project_id) == 1


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
