import datetime as dt

from data_access import writes
from tests.conftest import as_viewer
from tests.db_checksum import changed_tables, table_checksums


def test_checksums_change_only_for_the_tables_a_write_touches(seeded_engine):
    before = table_checksums(seeded_engine)
    assert table_checksums(seeded_engine) == before
    admin = as_viewer(seeded_engine, "admin")
    writes.record_observation(seeded_engine, admin, project_id=1, indicator_code="PROG_ACTUAL",
                              period=dt.date(2026, 10, 1), value=42.5)
    assert changed_tables(before, table_checksums(seeded_engine)) == [
        "audit_chain_head", "audit_log", "data_version", "observations"]
