"""The catalog is pure: components get the language as an argument and never read the Streamlit session."""
import ast
import string

import pandas as pd
import pytest

from components.i18n import CATALOG, OTHER_CATALOGS, translate
from components.i18n_th import THAI
from components.i18n_vi import VIETNAMESE
from components.rating_charts import breakdown_bars
from tests.source_tree import imports, python_files, syntax_tree


def test_no_component_reads_the_streamlit_session_state():
    readers = sorted(f"{path.name}:{node.lineno}" for path in python_files("components")
                     for node in ast.walk(syntax_tree(path))
                     if (isinstance(node, ast.Attribute) and node.attr == "session_state")
                     or (isinstance(node, ast.Name) and node.id == "session_state"))
    assert readers == []


def test_the_catalog_imports_nothing_from_streamlit_or_the_webapp():
    (path,) = [path for path in python_files("components") if path.name == "i18n.py"]
    assert [found.module for found in imports(path) if found.module.split(".")[0] in {"streamlit", "webapp"}] == []


def test_translate_gives_english_only_for_en_and_fills_the_placeholders():
    assert translate("gantt.late", "en", days=3) == "3 days late"
    assert translate("gantt.late", "zh", days=3) == "逾期 3 天"
    assert translate("gantt.late", "fr", days=3) == "逾期 3 天"  # anything but English is Chinese, the default
    assert translate("chart.with_unit", "zh", label="投资完成率", unit="%") == "投资完成率（%）"
    assert translate("chart.with_unit", "en", label="Spend", unit="%") == "Spend (%)"
    assert CATALOG["warning.none"] == ("无预警", "No warning")


def _groups() -> pd.DataFrame:
    return pd.DataFrame({"rater_type": ["expert", "superior"], "mean": [75.0, 90.0], "responded": [2, 1],
                         "assigned": [2, 1], "weight": [0.4, 0.6]})


def test_a_chart_built_for_english_carries_english_labels_from_the_catalog():
    english, chinese = breakdown_bars(_groups(), 84.0, "en"), breakdown_bars(_groups(), 84.0, "zh")
    assert list(english.data[0].y) == ["Superior", "Expert"]
    assert english.layout.annotations[0].text == "combined 84.0"
    assert english.layout.xaxis.title.text == "Rating (points)"
    assert english.data[0].hovertemplate == ("%{y}<br>%{x:.1f} pts<br>Weight: %{customdata[1]:.2f}"
                                             "<br>Rated / asked: %{customdata[2]} / %{customdata[3]}<extra></extra>")
    assert list(chinese.data[0].y) == ["上级", "专家"]
    assert chinese.layout.annotations[0].text == "综合 84.0"
    assert chinese.layout.xaxis.title.text == "评分（分）"


def test_vietnamese_and_thai_come_from_their_own_catalogs_and_fall_back_to_english(monkeypatch):
    monkeypatch.setitem(OTHER_CATALOGS, "vi", {"gantt.late": "Trễ {days} ngày"})
    monkeypatch.setitem(OTHER_CATALOGS, "th", {"gantt.late": "ล่าช้า {days} วัน"})
    assert translate("gantt.late", "vi", days=3) == "Trễ 3 ngày"
    assert translate("gantt.late", "th", days=3) == "ล่าช้า 3 วัน"
    assert translate("warning.none", "vi") == "No warning"  # not translated yet: English, never Chinese
    assert translate("warning.none", "th") == "No warning"
    assert translate("gantt.late", "zh", days=3) == "逾期 3 天"


def test_the_vietnamese_and_thai_catalogs_are_the_dicts_their_files_declare():
    assert OTHER_CATALOGS["vi"] is VIETNAMESE
    assert OTHER_CATALOGS["th"] is THAI


@pytest.mark.parametrize("lang", sorted(OTHER_CATALOGS))
def test_each_translation_has_every_key_in_the_catalogs_order_with_the_same_placeholders(lang):
    texts = OTHER_CATALOGS[lang]
    assert list(texts) == list(CATALOG)
    assert [key for key, text in texts.items() if not text.strip()] == []

    def fields(text: str) -> list[str]:
        return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)

    assert [key for key, (_, english) in CATALOG.items() if fields(texts[key]) != fields(english)] == []
