"""The audit page anchors the chain on demand and its verify button checks the anchors too."""
import json

from data_access import anchors
from data_access.audit import append
from data_access.db import create_database_engine, transaction
from tests.conftest import as_viewer


def test_an_auditor_writes_an_anchor_and_verify_then_counts_it(logged_in, app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_MINUTES", "0")
    at = logged_in("auditor", "views/audit.py")
    at.button(key="audit_anchor").click().run()
    engine = create_database_engine(f"sqlite:///{app_env}")
    (line,) = [json.loads(raw) for raw in anchors.anchor_path(engine).read_text().splitlines()]
    assert at.success[0].value == f"已将第 {line['entry_id']} 条记录写入外部锚点文件。"
    at.button(key="audit_verify").click().run()
    assert at.success[0].value.startswith("审计链完整：") and at.success[0].value.endswith("条记录和 1 个外部锚点。")


def test_the_audit_page_names_the_anchor_a_truncated_log_no_longer_reproduces(logged_in, app_env, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_DIR", str(tmp_path / "anchors"))
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_MINUTES", "0")
    at = logged_in("auditor", "views/audit.py")
    engine = create_database_engine(f"sqlite:///{app_env}")
    with transaction(engine) as session:
        append(session, actor=as_viewer(engine, "admin"), action="test.write", entity="thing")
    at.button(key="audit_anchor").click().run()
    with engine.begin() as connection:  # SQLite has no trigger: delete the anchored entry, point the head back
        last = connection.exec_driver_sql("SELECT MAX(id) FROM audit_log").scalar()
        connection.exec_driver_sql(f"DELETE FROM audit_log WHERE id = {last}")
        connection.exec_driver_sql("UPDATE audit_chain_head SET last_entry_id = last_entry_id - 1, last_hash = "
                                   f"(SELECT entry_hash FROM audit_log WHERE id = {last - 1})")
    at.button(key="audit_verify").click().run()
    name = f"{anchors.anchor_path(engine).name} line 1"
    assert at.error[0].value.startswith(f"数据库已无法复现外部锚点 {name}（记录被删除或替换，或锚点被伪造）："
                                        f"anchor {name} of ")
    assert at.error[0].value.endswith(f"names entry {last}, but the log ends at entry {last - 1}: entries were removed")
