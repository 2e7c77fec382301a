"""``python -m services.importer``: the report printed, and the exit status a scheduler acts on."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.importer import main
from tests.db_checksum import changed_tables, table_checksums
from tests.services.test_import_pipeline import BAD_ROWS, GOOD_ROWS, csv_file, stored

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"])  # the command is the same on both databases


@pytest.fixture
def database(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PERFDASH_DEMO", "1")
    return seeded_engine


def write(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_file(*rows))
    return str(path)


def test_a_good_file_is_committed_and_the_counts_printed(database, tmp_path, capsys):
    code = main([write(tmp_path, *GOOD_ROWS), "--kind", "observations", "--user", "official_longting"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "新增 1 行，修改 1 行，不变 1 行"
    assert out[1] == "1 new, 1 changed, 1 unchanged rows"
    assert out[2].startswith("已导入批次 ") and out[3].startswith("Batch ")
    assert stored(database, "P410202-00007", "PROG_ACTUAL", "2026-10-01") == 40


def test_problems_are_printed_with_row_and_column_and_exit_1(database, tmp_path, capsys):
    before = table_checksums(database)
    code = main([write(tmp_path, *BAD_ROWS), "--kind", "observations", "--user", "official_longting",
                 "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.out.splitlines()
    assert lines[0] == "0 new, 0 changed, 0 unchanged rows"
    assert [line.split(":")[0] for line in lines[1:]] == ["csv row 2 · Value", "csv row 3 · Project code",
                                                          "csv row 4 · Indicator code"]
    assert lines[1].endswith("[abc]")
    assert captured.err.strip() == "3 problem(s); nothing was imported."
    assert changed_tables(before, table_checksums(database)) == []


def test_a_dry_run_checks_and_writes_nothing(database, tmp_path, capsys):
    before = table_checksums(database)
    code = main([write(tmp_path, *GOOD_ROWS), "--kind", "observations", "--user", "admin", "--dry-run",
                 "--lang", "zh"])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "试运行：文件无问题，未写入任何数据。"
    assert changed_tables(before, table_checksums(database)) == []


@pytest.mark.usefixtures("database")
def test_the_same_file_twice_exits_1_unless_again(tmp_path, capsys):
    path = write(tmp_path, *GOOD_ROWS)
    assert main([path, "--kind", "observations", "--user", "admin"]) == 0
    assert main([path, "--kind", "observations", "--user", "admin", "--lang", "en"]) == 1
    assert "imported before" in capsys.readouterr().err
    assert main([path, "--kind", "observations", "--user", "admin", "--again"]) == 0


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize(("username", "message"), [("nobody", "不存在或已停用"), ("leader", "")])
def test_an_unknown_user_or_one_who_may_not_import_is_a_usage_error(tmp_path, capsys, username, message):
    code = main([write(tmp_path, *GOOD_ROWS), "--kind", "observations", "--user", username])
    assert code == 2
    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("database")
def test_a_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "missing.csv"), "--kind", "observations", "--user", "admin", "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith(f"Cannot read {tmp_path / 'missing.csv'}")


@pytest.mark.usefixtures("database")
def test_the_module_runs_from_the_command_line_with_its_exit_status(tmp_path):
    path = write(tmp_path, *BAD_ROWS)
    finished = subprocess.run([sys.executable, "-m", "services.importer", path, "--kind", "observations",
                               "--user", "admin", "--lang", "en"], cwd=ROOT, env=os.environ.copy(),
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 1, finished.stderr
    assert "csv row 2 · Value" in finished.stdout
    usage = subprocess.run([sys.executable, "-m", "services.importer", path, "--kind", "nonsense", "--user", "admin"],
                           cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2
