"""数据导入 Import through AppTest. AppTest cannot upload a file, so the tests check a file with the pipeline
(as the page does on upload) and seed the session with it; the browser test (tests/e2e/test_import.py) uploads."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access import create_database_engine
from data_access.api_tokens import authenticate, create_token
from services.api_pushes import push_observations
from services.importing.pipeline import check_file
from tests.conftest import as_viewer
from tests.services.test_import_pipeline import BAD_ROWS, GOOD_ROWS, csv_file
from webapp.import_data import CURRENT, state_key

PAGE = "views/data_import.py"


@pytest.fixture
def engine(app_env):
    engine = create_database_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def seeded_with(at, engine, username: str, content: bytes, kind: str = "observations"):
    """The page as it is after ``content`` was uploaded as ``kind`` (monthly figures) by ``username``."""
    checked = check_file(engine, as_viewer(engine, username), "figures.csv", content, kind)
    key = state_key(kind, checked.sha256)
    at.session_state[key] = checked
    at.session_state[CURRENT] = key
    at.radio(key="import_kind").set_value(kind)
    return at.run()


@pytest.mark.parametrize(("username", "batches"), [("admin", ["demo-seed"]), ("analyst", ["demo-seed"]),
                                                   ("official_longting", [])])
def test_the_page_opens_with_the_kinds_a_template_the_uploader_and_the_history(logged_in, username, batches):
    at = logged_in(username, PAGE)
    assert not at.exception
    assert at.title[0].value == "数据导入"
    assert at.radio(key="import_kind").options == ["项目", "里程碑", "项目目标", "月度数据"]
    assert len(at.get("download_button")) == 1  # the template
    assert at.get("file_uploader")
    if batches:  # admins and analysts see every batch (the demo data's own); an official only their uploads
        assert at.dataframe[0].value["文件名"].tolist() == batches
        assert not at.main.selectbox  # the demo's batch recorded no changes: nothing to roll back is offered
    else:
        assert at.main.caption[-1].value == "暂无导入记录。"


@pytest.mark.parametrize("username", ["leader", "auditor", "pm_kaifeng1"])
def test_roles_that_may_not_import_do_not_have_the_page(logged_in, username):
    at = logged_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_a_file_with_problems_lists_them_offers_them_for_download_and_cannot_be_confirmed(logged_in, engine):
    at = seeded_with(logged_in("official_longting", PAGE), engine, "official_longting", csv_file(*BAD_ROWS))
    assert not at.exception
    assert at.error[0].value == "发现 3 处问题，请修改文件后重新上传。未写入任何数据。"
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["工作表", "行号", "列", "问题", "单元格内容"]
    assert problems["行号"].tolist() == [2, 3, 4]
    assert problems["列"].tolist() == ["数值", "项目编码", "指标编码"]
    assert problems["单元格内容"].tolist()[:2] == ["abc", "P410204-00004"]
    assert len(at.get("download_button")) == 3  # the template and the problems as csv and xlsx
    preview = at.dataframe[1].value
    assert preview["数值"].tolist()[0] == "abc"  # a bad cell as the file had it
    assert set(preview["变化"]) == {"有问题"}
    assert at.button(key="import_confirm").disabled


def test_a_clean_file_is_confirmed_shown_as_a_batch_and_rolled_back(logged_in, engine):
    at = seeded_with(logged_in("official_longting", PAGE), engine, "official_longting", csv_file(*GOOD_ROWS))
    assert at.success[0].value == "未发现问题。确认后才会写入数据。"
    assert [m.value for m in at.metric] == ["1", "1", "1", "0"]
    preview = at.dataframe[0].value
    assert preview["变化"].tolist() == ["修改", "不变", "新增"]
    assert preview["原值"].tolist() == ["数值 38.779", "", ""]  # what the changed row replaces
    count = text("SELECT COUNT(*) FROM import_batches WHERE filename = 'figures.csv'")
    with engine.connect() as connection:
        assert connection.execute(count).scalar() == 0
    at.button(key="import_confirm").click().run()
    assert not at.exception
    with engine.connect() as connection:
        batch = connection.execute(text("SELECT id FROM import_batches WHERE filename = 'figures.csv'")).scalar()
    assert at.success[0].value == f"已导入批次 {batch}：新增 1 行，修改 1 行，不变 1 行。"
    history = at.dataframe[0].value
    assert history["批次"].tolist() == [batch] and history["状态"].tolist() == ["已生效"]

    rollback = next(button for button in at.button if button.label == "回退此批次")
    rollback.click().run()  # no batch is chosen beforehand, and nothing happens until one is
    assert at.warning[0].value == "请先选择要回退的批次。"
    at.selectbox(key="import_rollback_choice").select(batch)
    next(button for button in at.button if button.label == "回退此批次").click().run()
    assert at.warning[0].value == "请先勾选确认框。"  # nor until the box is ticked
    at.checkbox(key="import_rollback_sure").check()
    next(button for button in at.button if button.label == "回退此批次").click().run()
    assert at.success[0].value == f"批次 {batch} 已回退。 已重新评估 1 个相关项目的预警。"
    assert at.dataframe[-1].value["状态"].tolist() == ["已回退"]


def test_a_file_imported_before_needs_the_again_box_ticked(logged_in, engine):
    from services.importing.pipeline import commit_file

    official = as_viewer(engine, "official_longting")
    commit_file(engine, official, check_file(engine, official, "first.csv", csv_file(*GOOD_ROWS), "observations"))
    at = seeded_with(logged_in("official_longting", PAGE), engine, "official_longting", csv_file(*GOOD_ROWS))
    assert at.warning[0].value.startswith("此文件已于 ")
    assert at.button(key="import_confirm").disabled
    at.checkbox(key="import_again").check().run()
    assert not at.button(key="import_confirm").disabled


def test_the_page_in_english_names_columns_by_their_english_headers(logged_in, engine):
    at = logged_in("analyst", PAGE)
    at.sidebar.segmented_control(key="language_choice").set_value("en")
    at = seeded_with(at, engine, "analyst", csv_file(*BAD_ROWS))
    problems = at.dataframe[0].value
    assert problems["Column"].tolist() == ["Value", "Indicator code"]  # the analyst may import Gulou's figures
    assert at.title[0].value == "Import data"


def test_rolling_back_a_batch_whose_rows_changed_since_shows_the_refusal_and_keeps_it(logged_in, engine):
    import datetime as dt

    from data_access import record_observation
    from services.importing.pipeline import commit_file

    official = as_viewer(engine, "official_longting")
    batch = commit_file(engine, official, check_file(engine, official, "figures.csv", csv_file(*GOOD_ROWS),
                                                     "observations"))
    with engine.connect() as connection:
        project_id = connection.execute(text("SELECT id FROM projects WHERE code = 'P410202-00007'")).scalar()
    record_observation(engine, as_viewer(engine, "admin"), project_id=project_id, indicator_code="PROG_ACTUAL",
                       period=dt.date(2026, 10, 1), value=42)
    at = logged_in("official_longting", PAGE)
    at.selectbox(key="import_rollback_choice").select(batch.batch_id)
    at.checkbox(key="import_rollback_sure").check()
    next(button for button in at.button if button.label == "回退此批次").click().run()
    assert at.error[0].value.startswith("1 行在本次导入之后又被修改")
    assert at.error[0].value.endswith("未回退任何数据")
    assert at.dataframe[0].value.set_index("批次").loc[batch.batch_id, "状态"] == "已生效"


def test_an_official_imports_a_new_project_of_their_district_from_the_page(logged_in, engine):
    content = ("项目编码,项目名称,项目类别,所属区域,总投资（万元）,计划开工日期,计划完工日期,项目经理\r\n"
               "P410202-90001,龙亭新项目,urban_renewal,410202,1200,2026-01-01,2027-06-30,pm_kaifeng1\r\n").encode()
    at = seeded_with(logged_in("official_longting", PAGE), engine, "official_longting", content, "projects")
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "0", "0", "0"]
    assert at.dataframe[0].value["项目名称"].tolist() == ["龙亭新项目"]
    at.button(key="import_confirm").click().run()
    assert at.success[0].value.endswith("新增 1 行，修改 0 行，不变 0 行。")
    with engine.connect() as connection:
        budget = connection.execute(text("SELECT budget FROM projects WHERE code = 'P410202-90001'")).scalar()
    assert float(budget) == 12_000_000  # 1200 万元


def test_an_api_push_is_listed_by_its_token_and_key_and_an_admin_rolls_it_back_from_the_page(logged_in, engine):
    admin = as_viewer(engine, "admin")
    token = create_token(engine, admin, name="财政局", region_id=None, scopes=["write_observations"])
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": "2026-12", "value": 50.0}
    pushed = push_observations(engine, authenticate(engine, token.secret), [item], idempotency_key="2026-12-a",
                               body=item)
    at = logged_in("admin", PAGE)
    assert not at.exception
    history = at.dataframe[0].value.set_index("批次")
    assert history.loc[pushed.batch_id, "文件名"] == "api:财政局:2026-12-a"
    assert history.loc[pushed.batch_id, "状态"] == "已生效"
    at.selectbox(key="import_rollback_choice").select(pushed.batch_id)
    at.checkbox(key="import_rollback_sure").check()
    next(button for button in at.button if button.label == "回退此批次").click().run()
    assert at.success[0].value.startswith(f"批次 {pushed.batch_id} 已回退。")
    assert at.dataframe[-1].value.set_index("批次").loc[pushed.batch_id, "状态"] == "已回退"
