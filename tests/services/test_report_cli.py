"""``python -m services.report_center build``: the files written, the build kept, and refusals with exit 1 in
both languages (a scheduler acts on the status)."""
from __future__ import annotations

import subprocess

import openpyxl
import pytest
from sqlalchemy import func, select

from data_access.models import ReportBuild
from services.report_center.__main__ import main

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"])  # the command is the same on both databases


@pytest.fixture
def database(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PERFDASH_DEMO", "1")
    return seeded_engine


def _kept(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(ReportBuild)).scalar_one()


def test_build_writes_the_pdf_and_the_workbook_and_keeps_the_build(database, tmp_path, capsys):
    pdf, xlsx = tmp_path / "longting.pdf", tmp_path / "longting.xlsx"
    code = main(["build", "--kind", "monthly", "--scope", "龙亭区", "--period", "2026-10", "--out", str(pdf),
                 "--xlsx", str(xlsx), "--user", "official_longting"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("已生成报告 ") and out[1].startswith("Built report ")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "龙亭区" in text
    assert openpyxl.load_workbook(xlsx, read_only=True).sheetnames
    with database.connect() as connection:
        row = connection.execute(select(ReportBuild.period_label, ReportBuild.language, ReportBuild.built_by,
                                        ReportBuild.title)).one()
    assert row.period_label == "2026-10" and row.language == "zh" and row.built_by is not None
    assert "龙亭区" in row.title


def test_a_bad_period_is_refused_in_both_languages_with_exit_1(database, tmp_path, capsys):
    code = main(["build", "--kind", "monthly", "--period", "2026-13", "--out", str(tmp_path / "x.pdf")])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == ["“2026-13”不是有效的月份，例如 2026-10", "'2026-13' is not a month such as 2026-10"]
    assert not (tmp_path / "x.pdf").exists() and _kept(database) == 0


@pytest.mark.usefixtures("database")
def test_an_unknown_scope_is_refused_with_exit_1(tmp_path, capsys):
    code = main(["build", "--kind", "quarterly", "--period", "2026-Q3", "--scope", "火星区",
                 "--out", str(tmp_path / "x.pdf")])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == ["没有名为“火星区”的区域", "No region named '火星区'"]


def test_an_official_may_not_build_another_districts_report(database, tmp_path, capsys):
    code = main(["build", "--kind", "monthly", "--period", "2026-10", "--scope", "鼓楼区", "--user",
                 "official_longting", "--out", str(tmp_path / "x.pdf")])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == ["您只能生成本辖区的报告",
                                                    "You may build reports only for your own district"]
    assert not (tmp_path / "x.pdf").exists() and _kept(database) == 0


@pytest.mark.usefixtures("database")
def test_an_unknown_user_is_a_usage_error(tmp_path, capsys):
    code = main(["build", "--kind", "monthly", "--out", str(tmp_path / "x.pdf"), "--user", "nobody"])
    assert code == 2
    assert "nobody" in capsys.readouterr().err
