"""The 权重调优 what-if page through AppTest: live re-ranking, the AHP consistency gate, scenarios, promotion."""
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from components.kpi import rank_text
from data_access.models import WeightScheme
from services import whatif
from tests.conftest import as_viewer

PAGE = "views/whatif.py"


@pytest.fixture
def engine(app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    yield engine
    engine.dispose()


def _movers(at):
    """The tuning tab's movers table (the first table with a new-rank column)."""
    return next(d for d in at.dataframe if "新排名" in d.value.columns).value


def _slider(at, label):
    return next(s for s in at.slider if s.label == label)


def test_a_dimension_weight_reranks_the_projects_live(logged_in, engine):
    at = logged_in("analyst", PAGE)
    assert not at.exception and not at.error
    movers = _movers(at)
    base = whatif.load_base(engine, as_viewer(engine, "analyst"))
    assert len(movers) == len(base.scores) > 0
    assert set(movers["排名变化"]) == {"— 0"}  # the sliders start at the default scheme: nothing moved
    assert [m.value for m in at.metric][:1] == [f"0 / {len(base.scores)}"]

    # What the page must show after 进度管理 goes from 25 % to 60 %, computed independently of the page.
    dims, shares = whatif.to_percent(base.tree)
    tree = whatif.from_percent(dims | {"progress": 60.0}, shares, base.indicators["dimension"])
    expected = whatif.compare(base.scores, base.weights, whatif.flat_weights(tree, base.indicators.index))
    project = expected.index[0]  # the biggest mover
    row = expected.loc[project]
    assert row["rank_change"] != 0

    _slider(at, "进度管理").set_value(60.0).run()
    assert not at.exception
    movers = _movers(at)
    shown = movers.loc[project]
    n = len(base.scores)
    assert shown["原排名"] == rank_text(row["base_rank"], n) == rank_text(base.dashboard.at[project, "rank"], n)
    assert shown["新排名"] == rank_text(row["new_rank"], n) != shown["原排名"]
    arrow = "▲" if row["rank_change"] > 0 else "▼"
    assert shown["排名变化"] == f"{arrow} {abs(int(row['rank_change']))}"
    assert shown["新得分"].startswith(f"{row['new_total']:.1f} 分")
    assert movers.index[0] == project  # biggest movers first
    assert "维度合计 135.0 % — 计算时按比例换算为 100 %" in [w.value for w in at.warning]
    assert at.get("plotly_chart"), "rank uncertainty and weight stability charts"


def test_the_ahp_form_shows_the_cr_and_refuses_an_inconsistent_matrix(logged_in):
    at = logged_in("analyst", PAGE)
    before = [_slider(at, name).value for name in ("进度管理", "资金管理", "质量管理")]
    # progress ≫ finance ≫ quality, yet quality ≫ progress: circular, hence inconsistent
    at.select_slider(key="whatif_ahp_progress_finance").set_value(9)
    at.select_slider(key="whatif_ahp_finance_quality").set_value(9)
    at.select_slider(key="whatif_ahp_progress_quality").set_value(1 / 9)
    next(b for b in at.button if b.label == "计算 AHP 权重").click().run()
    assert not at.exception
    judgements = {("progress", "finance"): 9, ("finance", "quality"): 9, ("progress", "quality"): 1 / 9}
    result = whatif.ahp(judgements, ["progress", "finance", "quality", "safety", "satisfaction", "benefit"])
    assert result.cr >= 0.1
    assert next(m for m in at.metric if m.label == "一致性比率 CR").value == f"{result.cr:.3f}"
    assert f"CR = {result.cr:.3f} ≥ 0.1，判断矩阵不一致，不能应用。请调整比较。" in [e.value for e in at.error]
    assert at.button(key="whatif_ahp_apply").disabled
    assert [_slider(at, name).value for name in ("进度管理", "资金管理", "质量管理")] == before

    at.checkbox(key="whatif_ahp_override").check().run()  # the explicit override applies it
    assert not at.button(key="whatif_ahp_apply").disabled
    at.button(key="whatif_ahp_apply").click().run()
    assert _slider(at, "进度管理").value == pytest.approx(100 * result.weights["progress"])
    assert "已应用：层次分析法（AHP）" in [s.value for s in at.success]


def test_a_saved_scenario_appears_in_the_load_list_and_an_analyst_promotes_it(logged_in, engine):
    at = logged_in("analyst", PAGE)
    _slider(at, "安全管理").set_value(30.0).run()
    at.text_input(key="whatif_save_name").input("安全优先")
    next(b for b in at.button if b.label == "保存方案").click().run()
    assert not at.exception
    assert "已保存方案“安全优先” v1。" in [s.value for s in at.success]
    load_list = at.selectbox(key="whatif_load_choice")
    assert "安全优先 v1" in load_list.options
    with Session(engine) as session:
        saved = session.execute(select(WeightScheme).where(WeightScheme.name == "安全优先")).scalar_one()
    assert not saved.is_default and saved.created_by == as_viewer(engine, "analyst").user_id

    at.selectbox(key="whatif_manage_choice").set_value(saved.id).run()
    at.checkbox(key="whatif_promote_confirm").check().run()
    at.button(key="whatif_promote").click().run()
    assert not at.exception
    assert "安全优先 v1 已设为默认方案。" in [s.value for s in at.success]
    with engine.connect() as connection:
        defaults = connection.execute(select(WeightScheme.id).where(WeightScheme.is_default.is_(True))).scalars()
        assert list(defaults) == [saved.id]
    assert "基准：默认方案 安全优先 v1" in at.caption[0].value


def test_a_leader_saves_but_sees_no_promote_button(logged_in, engine):
    at = logged_in("leader", PAGE)
    assert not at.exception
    assert "whatif_promote" not in [b.key for b in at.button]
    assert "仅系统管理员和分析师可以设置默认方案。" in [c.value for c in at.caption]
    at.text_input(key="whatif_save_name").input("领导试算")
    next(b for b in at.button if b.label == "保存方案").click().run()
    assert "领导试算 v1" in at.selectbox(key="whatif_load_choice").options
    with engine.connect() as connection:
        defaults = connection.execute(select(WeightScheme.name).where(WeightScheme.is_default.is_(True))).scalars()
        assert list(defaults) == ["标准方案 Standard"]


def test_presets_set_the_sliders(logged_in, engine):
    at = logged_in("analyst", PAGE)
    names = ["进度管理", "资金管理", "质量管理", "安全管理", "满意度", "综合效益"]
    at.button(key="whatif_preset_equal").click().run()
    assert [_slider(at, n).value for n in names] == pytest.approx([100 / 6] * 6)
    assert "已应用：等权" in [s.value for s in at.success]
    at.button(key="whatif_preset_entropy").click().run()
    base = whatif.load_base(engine, as_viewer(engine, "analyst"))
    dims, _ = whatif.to_percent(whatif.entropy_tree(base.scores, base.indicators, base.categories))
    order = ["progress", "finance", "quality", "safety", "satisfaction", "benefit"]
    assert [_slider(at, n).value for n in names] == pytest.approx([dims[d] for d in order])
    at.button(key="whatif_preset_default").click().run()
    assert [_slider(at, n).value for n in names] == [25.0, 15.0, 20.0, 10.0, 15.0, 15.0]
    assert set(_movers(at)["排名变化"]) == {"— 0"}
