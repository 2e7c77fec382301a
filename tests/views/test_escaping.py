"""User-written text reaches every page as plain text: no Markdown image or link, no HTML anchor or image in
Streamlit text or in plotly labels, whoever wrote it (project and milestone names, rule names, display names,
rectification plan, evidence and attachment name, inbox messages)."""
import json
import re

import pytest
from sqlalchemy import create_engine, text

from components.text import plain

PAYLOAD = '![x](http://elsewhere.invalid/x.png) <a href="http://elsewhere.invalid">x</a> <img src=x>'
# Streamlit shows these as plain text; everything else renders Markdown (labels too).
PLAIN_TYPES = {"selectbox", "multiselect", "arrow_data_frame", "dataframe", "plotly_chart", "deck_gl_json_chart",
               "text", "code", "text_input", "text_area"}


@pytest.fixture
def payload(app_env):
    """The payload in every name (projects, milestones, rules, users, indicators, goals), inbox subject and one
    rectification (plan, evidence, attachment name)."""
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.begin() as connection:
        for table, columns in (("projects", ("name_zh", "name_en")), ("milestones", ("name_zh", "name_en")),
                               ("alert_rules", ("name_zh", "name_en")), ("users", ("display_name",)),
                               ("notifications", ("subject_zh", "subject_en")),
                               ("indicators", ("name_zh", "name_en")), ("goals", ("title_zh", "title_en"))):
            connection.execute(text(f"UPDATE {table} SET " + ", ".join(f"{c} = :p || {c}" for c in columns)),
                               {"p": PAYLOAD})
        alert_id, project_id, owner = connection.execute(text(
            "SELECT a.id, a.project_id, u.id FROM alerts a JOIN users u ON u.username = 'official_longting' "
            "JOIN projects p ON p.id = a.project_id JOIN regions r ON r.id = p.region_id "
            "WHERE r.code = '410202' ORDER BY a.id LIMIT 1")).one()
        connection.execute(text(
            "INSERT INTO rectifications (alert_id, owner_id, plan, due_date, evidence_note, attachment_name,"
            " attachment) VALUES (:a, :o, :p, '2026-12-31', :p, :p, :file)"), {"a": alert_id, "o": owner, "p": PAYLOAD,
                                                                  "file": b"evidence"})
        connection.execute(text("UPDATE alerts SET status = 'resolved' WHERE id = :a"), {"a": alert_id})
        region = connection.execute(text("SELECT id FROM regions WHERE code = '410202'")).scalar_one()
    engine.dispose()
    return {"alert": alert_id, "project": project_id, "region": region}


def _elements(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    yield node
    for child in children.values():
        yield from _elements(child)


def _assert_plain(at) -> tuple[int, int]:
    """No element shows the payload unescaped; returns (text elements, plotly figures) that carry it."""
    assert not at.exception, at.exception
    shown = figures = 0
    for element in _elements(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None:
            continue
        kind = getattr(element, "type", "")
        if kind == "plotly_chart":
            spec = json.loads(proto.spec).__repr__()
            assert "<a " not in spec.lower() and "<img" not in spec.lower(), spec
            figures += "&lt;a href" in spec
        elif kind == "html":  # st.html renders no Markdown: user text must only be HTML-escaped
            assert not re.search(r"<(a |img)", proto.body), (kind, proto.body)
            shown += "&lt;a href" in proto.body
        elif kind not in PLAIN_TYPES:
            dump = str(proto)  # protobuf text: the escaped "\<a" reads "\\<a"
            assert "![x](" not in dump and "http://elsewhere" not in dump, (kind, dump)
            assert not re.search(r"(?<!\\)<(a |img)", dump), (kind, dump)
            shown += "\\\\<a href" in dump
    return shown, figures


def test_plain_escapes_every_markdown_and_html_construct_of_the_payload():
    joiner = "\u2060"  # invisible: keeps GFM from turning a bare URL or address into a link
    assert plain(PAYLOAD) == (f'\\!\\[x\\](http{joiner}\\://elsewhere.invalid/x.png) \\<a href="http{joiner}\\://'
                              f'elsewhere.invalid"\\>x\\</a\\> \\<img src=x\\>')
    assert plain("第一行\n## 第二行  :red[x] $y$ *b* ~s~ `c` a|b &lt;") == (
        "第一行 \\#\\# 第二行 \\:red\\[x\\] \\$y\\$ \\*b\\* \\~s\\~ \\`c\\` a\\|b \\&lt;")
    assert plain("www.elsewhere.invalid pm@elsewhere.invalid") == (
        f"www{joiner}.elsewhere.invalid pm{joiner}@elsewhere.invalid")


def test_plain_escapes_list_markers_at_the_start_and_underscores_only_where_they_could_emphasise():
    assert [plain(text) for text in ("- a", "+ a", "12. a", "3) a", "a - b 1. c")] == [
        "\\- a", "\\+ a", "12\\. a", "3\\) a", "a - b 1. c"]
    assert plain("PERFDASH_AUDIT_KEY=1 _x_ __y__") == "PERFDASH_AUDIT_KEY=1 \\_x\\_ \\_\\_y\\_\\_"


@pytest.mark.parametrize(("username", "page", "params", "texts", "charts"), [
    ("leader", "views/overview.py", {}, 2, 0),
    ("leader", "views/projects.py", {"project": "project"}, 2, 0),
    ("leader", "views/alerts.py", {"alert": "alert"}, 6, 0),
    ("leader", "views/scorecards.py", {"region": "region"}, 1, 0),  # projects are table rows, not links
    ("leader", "views/scorecards.py", {"project": "project"}, 2, 1),
    ("leader", "views/rectification.py", {}, 2, 0),
    ("leader", "views/gantt.py", {}, 1, 1),
    ("leader", "views/heatmaps.py", {}, 1, 1),
    ("leader", "views/whatif.py", {}, 1, 1),
    ("leader", "views/big_screen.py", {}, 2, 0),  # names in the warning ticker (html); the charts rank districts
    ("official_tongxu", "views/goals.py", {}, 0, 1),
    ("pm_kaifeng2", "views/inbox.py", {}, 2, 0),
])
def test_user_text_reaches_the_page_only_as_plain_text(logged_in, payload, username, page, params, texts, charts):
    at = logged_in(username, page)
    for name, key in params.items():
        at.query_params[name] = str(payload[key])
    at.run()
    shown, figures = _assert_plain(at)
    assert shown >= texts and figures >= charts
