"""The printed report: read back with poppler's tools (pdftotext, pdffonts, pdfimages, pdfinfo).

One browser draws the charts for the whole module (starting one takes ~2 s); it sends every request that would
leave the machine to a local recording proxy, so the network test can see what the others asked for too.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import http.server
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy import Engine, text

from components.colours import GREEN, ORANGE, RED
from data_access.db import create_database_engine
from services.report_center.assemble import assemble
from services.report_center.blocks import Highlight, ReportContent, ReportRequest, Table
from services.report_center.chart_images import ChartRenderer, offline_page, print_figure
from services.report_center.pdf import html_to_pdf, page_footer_content, pdf_bytes, stylesheet
from services.report_center.pdf_markup import (
    APPENDIX_KEYS,
    FRONT_KEYS,
    chinese_number,
    highlight_html,
    report_html,
    section_number,
    table_html,
)
from tests.conftest import as_viewer
from tests.services.report_samples import (
    AUDIT_HASH,
    HOSTILE_NAME,
    LONG_TABLE_ROWS,
    THAI_WORDS,
    VIETNAMESE_WORDS,
    sample_content,
)

ZH_HEADINGS = ("一、总体情况", "二、各区对比", "三、项目排名", "附录：方法说明", "附录：数据来源与核验信息")
EN_HEADINGS = ("1. Overview", "2. District comparison", "3. Project ranking", "Appendix: methodology",
               "Appendix: provenance and verification")
# Debian's Chromium connects to its search engine at start-up, whatever the flags; the default host rules stop it
BROWSER_START_UP = "CONNECT start.duckduckgo.com:443"
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """Answers every proxied request with 502 and remembers what was asked for."""

    seen: list[str] = []

    def _refuse(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_error(502)

    do_GET = do_POST = do_HEAD = do_CONNECT = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxy_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    _RecordingProxy.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(proxy_server: http.server.ThreadingHTTPServer) -> list[str]:  # noqa: ARG001 - it records into seen
    """What the module's browser asked the proxy for so far."""
    return _RecordingProxy.seen


@pytest.fixture(scope="module")
def charts(proxy_server: http.server.ThreadingHTTPServer) -> Iterator[ChartRenderer]:
    # Without the default host rules (which resolve nothing), so that whatever is asked for reaches the recorder.
    chart_renderer = ChartRenderer(proxy_server=f"http://127.0.0.1:{proxy_server.server_port}", host_rules="")
    yield chart_renderer
    chart_renderer.close()


@pytest.fixture(scope="module")
def pdfs(charts: ChartRenderer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    built = {}
    for name, lang, kind in (("monthly_zh", "zh", "monthly"), ("monthly_en", "en", "monthly"),
                             ("white_paper_zh", "zh", "white_paper_year"),
                             ("white_paper_en", "en", "white_paper_year")):
        path = folder / f"{name}.pdf"
        rows = 20 if kind.startswith("white_paper") else LONG_TABLE_ROWS  # only the monthly needs the long table
        path.write_bytes(pdf_bytes(sample_content(lang, kind, rows), charts=charts))  # type: ignore[arg-type]
        built[name] = path
    return built


def _run(*command: str | Path) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def pages(path: Path) -> list[str]:
    """The text of each page, spaces removed (poppler spaces CJK text unevenly)."""
    return [re.sub(r"\s+", "", page) for page in _run("pdftotext", path, "-").split("\f")[:-1]]


def _in_order(text: str, words: tuple[str, ...]) -> bool:
    """Each word occurs after the previous one."""
    position = 0
    for word in words:
        position = text.find(re.sub(r"\s+", "", word), position)
        if position < 0:
            return False
    return True


def _images(path: Path) -> list[list[str]]:
    rows = [row.split() for row in _run("pdfimages", "-list", path).splitlines()[2:]]
    return [row for row in rows if row[2] == "image"]  # not the soft masks of their alpha channels


def test_chinese_section_numbers() -> None:
    assert [chinese_number(n) for n in (1, 4, 10, 11, 19, 20, 21)] == [
        "一", "四", "十", "十一", "十九", "二十", "二十一"]
    with pytest.raises(ValueError, match="out of range"):
        chinese_number(100)


@pytest.mark.parametrize(("name", "headings"), [("monthly_zh", ZH_HEADINGS), ("monthly_en", EN_HEADINGS),
                                                ("white_paper_zh", ZH_HEADINGS)])
def test_the_sections_are_numbered_in_order_in_the_report_language(
        pdfs: dict[str, Path], name: str, headings: tuple[str, ...]) -> None:
    after_contents = 2 if name.startswith("white_paper") else 0  # the contents page lists them too
    body = "".join(pages(pdfs[name])[after_contents:])
    assert _in_order(body, headings)


def test_the_chinese_report_carries_its_words_and_the_page_1_title_block(pdfs: dict[str, Path]) -> None:
    first = pages(pdfs["monthly_zh"])[0]
    assert _in_order(first, ("项目绩效月报", "范围", "开封市", "报告期", "2026-10", "编制时间", "2026年11月1日06:30",
                             "发布单位", "开封市人民政府", "一、总体情况", "本月九个县区中有六个平均得分上升"))


def test_the_fonts_are_embedded_noto_sans_cjk(pdfs: dict[str, Path]) -> None:
    for path in pdfs.values():
        rows = _run("pdffonts", path).splitlines()[2:]
        assert rows
        assert all(row.split()[-5] == "yes" for row in rows), rows  # the emb column
        assert any("Noto-Sans-CJK-SC" in row for row in rows)


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every deflated stream inflated (object streams hold the structure tree)."""
    inflated = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated.append(zlib.decompress(match[1]))
        except zlib.error:
            continue  # not deflated (or an image's own encoding)
    return b"".join(inflated)


def test_a_chart_carries_its_alt_text_in_the_tagged_pdf(pdfs: dict[str, Path]) -> None:
    alt = "柱状图：龙亭区平均得分最高，兰考县最低。"
    tagged = _pdf_objects(pdfs["monthly_zh"].read_bytes())
    assert b"/Alt <feff" + alt.encode("utf-16-be").hex().encode() + b">" in tagged
    assert "图1各县区平均得分" in pages(pdfs["monthly_zh"])[0]  # and its caption under it


PRINT_FONTS = {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold", "DejaVu-Sans-Mono", "Noto-Sans-Mono-CJK-SC"}


def _fonts(path: Path) -> set[str]:
    return {row.split()[0].split("+", 1)[-1] for row in _run("pdffonts", path).splitlines()[2:]}


def test_every_glyph_comes_from_the_cjk_fonts_or_the_hash_boxs_mono(pdfs: dict[str, Path]) -> None:
    for path in pdfs.values():
        assert _fonts(path) <= PRINT_FONTS  # no fallback font: nothing the CJK font lacks (no tofu boxes)


@pytest.mark.parametrize(("lang", "words"), [("vi", VIETNAMESE_WORDS), ("th", THAI_WORDS)])
def test_a_vietnamese_and_a_thai_report_print_their_words_from_embedded_fonts(
        charts: ChartRenderer, tmp_path: Path, lang: str, words: dict[str, str]) -> None:
    path = tmp_path / f"{lang}.pdf"
    path.write_bytes(pdf_bytes(sample_content(lang, "monthly", 20), charts=charts))  # type: ignore[arg-type]
    # In content order: poppler's layout mode moves Thai marks that sit to the right of their letter. SARA AM is
    # drawn as NIKHAHIT + SARA AA and the PDF's glyph-to-text map gives the cluster's text to one glyph, so a
    # reader (pdftotext, copy and paste) gets SARA AA alone; the page shows it whole.
    text = re.sub(r"\s+", "", _run("pdftotext", "-raw", path, "-"))
    assert _in_order(text, tuple(words[key].replace("\N{THAI CHARACTER SARA AM}", "\N{THAI CHARACTER SARA AA}")
                                 for key in ("title", "overview", "score", "para", "chart", "ranking", "project",
                                             "method", "method_para")))
    assert _in_order(text, ("Longting", "Lankao"))  # database names in English
    thai_fonts = {"Noto-Sans-Thai", "Noto-Sans-Thai-Bold"}
    fonts = _fonts(path)
    assert fonts <= PRINT_FONTS | thai_fonts  # no other fallback: nothing drawn as a missing-glyph box
    assert bool(fonts & thai_fonts) == (lang == "th")  # Vietnamese needs nothing beyond the CJK font's Latin


def test_better_is_green_and_worse_red_from_the_house_palette() -> None:
    css = stylesheet("zh")
    assert f".trend-better .tile-change {{ color: {GREEN}; }}" in css
    assert f".trend-worse .tile-change {{ color: {RED}; }}" in css
    tile = highlight_html(Highlight("平均得分", "82.4", "▼ 0.2", "worse"), "zh")
    assert 'class="tile trend-worse"' in tile and "变差" in tile


def test_a_count_of_red_warnings_is_drawn_in_the_warning_red_beside_its_name() -> None:
    assert f".severity-red {{ border-left-color: {RED}; }}" in stylesheet("zh")
    assert f".severity-orange {{ border-left-color: {ORANGE}; }}" in stylesheet("en")
    tile = highlight_html(Highlight("红色预警（在办）", "29", severity="red"), "zh")
    assert 'class="tile trend-none severity-red"' in tile and "红色预警" in tile


def test_the_chart_is_an_image_sharp_enough_to_print(pdfs: dict[str, Path]) -> None:
    images = _images(pdfs["monthly_zh"])
    assert len(images) == 1
    assert (int(images[0][3]), int(images[0][4])) == (2000, 1000)  # 800 × 400 CSS px at scale 2.5
    assert int(images[0][12]) >= 250  # x-ppi on the page


def test_a_hostile_project_name_prints_as_text_and_loads_nothing(pdfs: dict[str, Path]) -> None:
    document = report_html(sample_content("zh"), {"district_scores": PIXEL_PNG}, "")
    assert "<img src=x" not in document
    assert "&lt;img src=x onerror=alert(1)&gt;" in document
    assert HOSTILE_NAME.replace(" ", "") in pages(pdfs["monthly_zh"])[1]


def test_the_pdf_loads_data_urls_only(tmp_path: Path) -> None:
    local = tmp_path / "pixel.png"
    local.write_bytes(PIXEL_PNG)
    inline = "data:image/png;base64," + base64.b64encode(PIXEL_PNG).decode()
    refused = html_to_pdf(f'<img src="{local.as_uri()}"><img src="http://127.0.0.1:9/x.png">')
    allowed = html_to_pdf(f'<img src="{inline}">')
    (tmp_path / "refused.pdf").write_bytes(refused)
    (tmp_path / "allowed.pdf").write_bytes(allowed)
    assert len(_images(tmp_path / "refused.pdf")) == 0
    assert len(_images(tmp_path / "allowed.pdf")) == 1


def test_every_page_says_which_page_of_how_many(pdfs: dict[str, Path]) -> None:
    zh = pages(pdfs["monthly_zh"])
    assert len(zh) >= 4  # the 45-row table spans pages
    assert [re.search(r"第(\d+)页/共(\d+)页", page).groups() for page in zh] == [  # type: ignore[union-attr]
        (str(n), str(len(zh))) for n in range(1, len(zh) + 1)]
    en = pages(pdfs["monthly_en"])
    assert all(f"Page{n}of{len(en)}" in page for n, page in enumerate(en, start=1))
    assert page_footer_content("zh") == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'


def test_the_running_header_names_title_scope_and_period_after_page_1(pdfs: dict[str, Path]) -> None:
    zh = pages(pdfs["monthly_zh"])
    assert all(page.startswith("项目绩效月报·开封市·2026-10") for page in zh[1:])


def test_a_long_table_repeats_its_header_on_every_page_and_prints_every_row_once(pdfs: dict[str, Path]) -> None:
    zh = pages(pdfs["monthly_zh"])
    spanned = [page for page in zh if "项目002" in page or f"项目{LONG_TABLE_ROWS:03d}" in page or "项目040" in page]
    assert len(spanned) >= 2
    assert all("#项目县区得分等级投资（万元）" in page for page in spanned)
    body = "".join(zh)
    # the workbook-only ranking_all (the same rows) is not printed: each project appears once
    assert [body.count(f"项目{n:03d}") for n in range(2, LONG_TABLE_ROWS + 1)] == [1] * (LONG_TABLE_ROWS - 1)


def test_numbers_are_printed_with_separators_and_one_decimal(pdfs: dict[str, Path]) -> None:
    assert "1,234,567.8" in pages(pdfs["monthly_zh"])[1]
    assert "98.5" in pages(pdfs["monthly_zh"])[1]


def test_a_highlight_says_better_or_worse_in_words_not_only_in_colour(pdfs: dict[str, Path]) -> None:
    assert _in_order(pages(pdfs["monthly_zh"])[0], ("▲1.3·向好", "▲2·变差", "0·持平"))
    assert _in_order(pages(pdfs["monthly_en"])[0], ("▲1.3·better", "▲2·worse", "0·unchanged"))


def test_the_appendix_shows_the_audit_chain_head_in_a_monospace_box(pdfs: dict[str, Path]) -> None:
    last = pages(pdfs["monthly_zh"])[-1]
    assert _in_order(last, ("附录", "权重方案", "2026版权重(#3)", "数据版本", "41", "审计记录编号", "#1207",
                            "审计链头", AUDIT_HASH))
    assert "DejaVu-Sans-Mono" in _run("pdffonts", pdfs["monthly_zh"])


def test_the_pdf_dates_come_from_the_data_and_a_rebuild_is_identical(
        pdfs: dict[str, Path], charts: ChartRenderer) -> None:
    info = _run("pdfinfo", "-isodates", pdfs["monthly_zh"])
    assert re.search(r"CreationDate:\s+2026-10-31T00:00:00", info)
    assert pdf_bytes(sample_content("zh"), charts=charts) == pdfs["monthly_zh"].read_bytes()


def test_the_white_paper_has_a_cover_then_contents_with_the_page_of_every_section(pdfs: dict[str, Path]) -> None:
    for name, headings, contents in (("white_paper_zh", ZH_HEADINGS, "目录"),
                                     ("white_paper_en", EN_HEADINGS, "Contents")):
        all_pages = pages(pdfs[name])
        cover, toc = all_pages[0], all_pages[1]
        assert "页" not in cover and "Page" not in cover  # no running header or footer on the cover
        assert _in_order(cover, ("项目绩效月报", "开封市", "开封市人民政府", "二〇二六年十一月") if name.endswith("zh")
                         else ("Monthlyperformancereport", "Kaifeng", "KaifengMunicipalPeople'sGovernment", "Nov2026"))
        assert toc.startswith(contents)
        toc_lines = _run("pdftotext", "-layout", "-f", "2", "-l", "2", pdfs[name], "-").splitlines()
        listed = [(re.sub(r"\s+", "", match[1]), int(match[2])) for line in toc_lines
                  if (match := re.fullmatch(r"(.+?)\s*\.{3,}\s*(\d+)", line.strip()))]
        assert len(listed) == len(headings)
        for heading, (entry, listed_page) in zip(headings, listed, strict=True):
            key = re.sub(r"\s+", "", heading)
            assert entry.startswith(key)
            body_page = next(n for n, page in enumerate(all_pages[2:], start=3) if key in page)
            assert listed_page == body_page, heading


def test_the_chart_page_loads_plotly_from_the_installed_package_and_no_mathjax() -> None:
    scripts = re.findall(r'src="([^"]+)"', offline_page().generate_index())
    assert scripts and all(src.startswith("file://") for src in scripts)
    assert any(src.endswith("plotly/package_data/plotly.min.js") for src in scripts)
    assert not any("mathjax" in src.lower() for src in scripts)


def test_a_figure_is_set_in_the_cjk_font_and_drawn_at_most_800_px_wide() -> None:
    original = go.Figure(go.Bar(x=["龙亭区"], y=[1]))
    printable, width, height = print_figure(original, 1200, 600)
    assert (printable.layout.font.family, width, height) == ("Noto Sans CJK SC, Noto Sans Thai", 800, 400)
    assert original.layout.font.family is None  # the caller's figure is left alone
    assert print_figure(original, 600, 450)[1:] == (600, 450)


REMOTE_IMAGE = go.Figure(layout_images=[{"source": "http://example.com/logo.png", "x": 0, "y": 1, "sizex": 1,
                                         "sizey": 1, "xref": "paper", "yref": "paper"}])


def test_drawing_charts_asks_for_nothing_but_the_browser_start_up_connection(
        pdfs: dict[str, Path], charts: ChartRenderer, proxy: list[str]) -> None:
    assert pdfs  # every report of this module has been drawn through the recording proxy
    charts.png(go.Figure(go.Scatter(x=[1, 2], y=[3, 1]), layout_title_text="得分 $x^2$"), 400, 300)
    assert [request for request in proxy if request != BROWSER_START_UP] == []
    # the control: a figure that does ask for a remote image is seen by the proxy, so the check above can fail
    charts.png(REMOTE_IMAGE, 400, 300)
    assert "GET http://example.com/logo.png" in proxy


def test_with_the_default_host_rules_not_even_the_browser_start_up_connection_is_made(
        proxy_server: http.server.ThreadingHTTPServer) -> None:
    _RecordingProxy.seen.clear()
    quiet = ChartRenderer(proxy_server=f"http://127.0.0.1:{proxy_server.server_port}")
    try:
        image = quiet.png(REMOTE_IMAGE, 400, 300)
    finally:
        quiet.close()
    assert image.startswith(b"\x89PNG")  # drawn without the image, not stuck waiting for it
    assert _RecordingProxy.seen == []


# -- real reports: assembled from the small demo set ---------------------------------------------------------

REAL_REPORTS = {"city_monthly": ("leader", ReportRequest("monthly", "2026-10")),
                "district_monthly": ("official_longting", ReportRequest("monthly", "2026-10")),
                "white_paper": ("leader", ReportRequest("white_paper_quarter", "2026-Q3")),
                "city_monthly_en": ("leader", ReportRequest("monthly", "2026-10", language="en"))}


@pytest.fixture(scope="module")
def demo_engine(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A private copy of the demo database whose projects are all named like an HTML attack, numbered."""
    copy = tmp_path_factory.mktemp("hostile") / "perfdash.sqlite3"
    shutil.copyfile(seeded_sqlite_file, copy)
    engine = create_database_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE projects SET name_zh = '<img src=x onerror=alert(' || id || ')>', "
                                "name_en = '<img src=x onerror=alert(' || id || ')>'"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def real(demo_engine: Engine, charts: ChartRenderer,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ReportContent, Path]]:
    folder = tmp_path_factory.mktemp("real")
    built = {}
    for name, (user, request) in REAL_REPORTS.items():
        content = assemble(demo_engine, as_viewer(demo_engine, user), request,
                           now=dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC))
        path = folder / f"{name}.pdf"
        path.write_bytes(pdf_bytes(content, charts=charts))
        built[name] = (content, path)
    return built


def _printed_headings(content: ReportContent) -> list[str]:
    lang = content.request.language
    numbered = [section.heading for section in content.sections if section.key not in (*FRONT_KEYS, *APPENDIX_KEYS)]
    return ([section.heading for section in content.sections if section.key in FRONT_KEYS]
            + [section_number(n, lang) + heading for n, heading in enumerate(numbered, start=1)]
            + [section.heading for section in content.sections if section.key in APPENDIX_KEYS])


@pytest.mark.parametrize("name", sorted(REAL_REPORTS))
def test_a_real_report_prints_every_section_in_order_with_its_page_footer(
        real: dict[str, tuple[ReportContent, Path]], name: str) -> None:
    content, path = real[name]
    all_pages = pages(path)
    after_contents = 2 if name == "white_paper" else 0
    assert _in_order("".join(all_pages[after_contents:]), tuple(_printed_headings(content)))
    footer = "第{n}页/共{total}页" if content.request.language == "zh" else "Page{n}of{total}"
    numbered_pages = list(enumerate(all_pages, start=1))[1 if name == "white_paper" else 0:]  # not the cover
    assert all(footer.format(n=n, total=len(all_pages)) in page for n, page in numbered_pages)
    assert re.sub(r"\s+", "", content.title) in all_pages[0]
    assert len(_images(path)) == sum(len(section.figures) for section in content.sections)
    assert "Noto-Sans-CJK-SC" in _fonts(path) <= PRINT_FONTS


def test_a_real_report_prints_the_hostile_project_names_as_text(real: dict[str, tuple[ReportContent, Path]]) -> None:
    content, path = real["city_monthly"]
    printed = re.findall(r"<imgsrc=xonerror=alert\((\d+)\)>", "".join(pages(path)))
    assert len(printed) >= 15  # the ranking's best fifteen at least
    charts = sum(len(section.figures) for section in content.sections)
    assert len(_images(path)) == charts  # and none of them became an image


def test_a_district_officials_report_prints_only_their_districts_projects(
        real: dict[str, tuple[ReportContent, Path]], demo_engine: Engine) -> None:
    content, path = real["district_monthly"]
    assert content.scope_name == "龙亭区"
    with demo_engine.connect() as connection:
        longting = set(connection.execute(text("SELECT id FROM projects WHERE region_id = 2")).scalars())
        elsewhere = set(connection.execute(text("SELECT id FROM projects WHERE region_id != 2")).scalars())
    printed = {int(n) for n in re.findall(r"<imgsrc=xonerror=alert\((\d+)\)>", "".join(pages(path)))}
    assert printed and printed <= longting
    assert elsewhere and not printed & elsewhere


def test_the_real_white_paper_lists_every_section_on_its_contents_page(
        real: dict[str, tuple[ReportContent, Path]]) -> None:
    content, path = real["white_paper"]
    all_pages = pages(path)
    assert all_pages[1].startswith("目录")
    toc_lines = _run("pdftotext", "-layout", "-f", "2", "-l", "2", path, "-").splitlines()
    listed = [(re.sub(r"\s+", "", match[1]), int(match[2])) for line in toc_lines
              if (match := re.fullmatch(r"(.+?)\s*\.{3,}\s*(\d+)", line.strip()))]
    headings = [re.sub(r"\s+", "", heading) for heading in _printed_headings(content)]
    assert [entry for entry, _ in listed] == headings
    for heading, listed_page in listed:
        assert heading in all_pages[listed_page - 1]
    assert headings[0] == "前言"
    foreword = all_pages[2].removeprefix(re.sub(r"\s+", "", content.title))  # its running header
    assert foreword.startswith("·") and "前言" in foreword and "一、" not in foreword  # a page of its own


def test_the_real_provenance_shows_the_audit_head_once_in_its_box(real: dict[str, tuple[ReportContent, Path]]) -> None:
    content, path = real["city_monthly"]
    head = content.provenance.audit_entry_hash
    assert head is not None and len(head) == 64  # the demo's alert evaluation wrote audit entries
    body = "".join(pages(path))
    assert body.count(head) == 1  # the box, not also the content's table row
    assert _in_order(body, ("附录：数据来源与可核验信息", "审计日志链头序号", "审计链头（SHA-256）", head))


def test_hostile_titles_scopes_and_publishers_are_text_everywhere_they_print() -> None:
    hostile = dataclasses.replace(sample_content("zh", "white_paper_year"), title=HOSTILE_NAME,
                                  scope_name=HOSTILE_NAME, publisher=HOSTILE_NAME, subtitle=HOSTILE_NAME)
    document = report_html(hostile, {"district_scores": PIXEL_PNG}, "")
    assert "<img src=x" not in document
    assert document.count("&lt;img src=x onerror=alert(1)&gt;") >= 7  # title, header, cover ×3, meta, ranking


def test_table_cells_print_missing_values_dates_and_counts_plainly() -> None:
    frame = pd.DataFrame({"项目": ["甲", "乙"], "完成日期": [pd.Timestamp("2026-10-31"), pd.NaT],
                          "得分": [82.45, float("nan")], "预警数": pd.array([3, None], dtype="Int64")})
    cells = re.findall(r'<td class="([^"]+)">([^<]*)</td>', table_html(Table("t", "表", frame), 1, "zh"))
    assert cells == [("text keep", "甲"), ("text keep", "2026年10月31日"), ("num", "82.5"), ("num", "3"),
                     ("text keep", "乙"), ("text keep", "—"), ("num", "—"), ("num", "—")]


def test_two_figures_under_one_key_are_refused_rather_than_printed_as_one_chart(charts: ChartRenderer) -> None:
    content = sample_content("zh")
    doubled = dataclasses.replace(content, sections=(*content.sections, content.sections[1]))
    with pytest.raises(ValueError, match="figure keys repeat in the report: district_scores"):
        pdf_bytes(doubled, charts=charts)
