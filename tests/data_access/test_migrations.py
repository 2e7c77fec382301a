import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from data_access.migrate import current_revision, downgrade, is_up_to_date, upgrade
from data_access.models import Attachment, Base, ReportSubscription, WeightScheme

EXPECTED_TABLES = {
    "regions", "departments", "users", "categories", "projects", "milestones", "indicators", "project_targets",
    "import_batches", "observations", "ratings", "goals", "weight_schemes", "weight_scheme_items", "audit_log",
    "audit_chain_head", "login_sessions", "data_version",
}


def test_upgrade_from_empty_creates_the_schema_and_matches_the_models(empty_engine):
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert is_up_to_date(empty_engine)
    assert EXPECTED_TABLES <= set(inspect(empty_engine).get_table_names())
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_to_base_removes_everything(empty_engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}


def test_only_one_weight_scheme_can_be_the_default(empty_engine):
    upgrade(empty_engine)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with empty_engine.begin() as connection:
        connection.execute(insert(WeightScheme), [{"name": "a", "version": 1, "is_default": True, "created_at": now},
                                                  {"name": "b", "version": 1, "is_default": False, "created_at": now}])
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(insert(WeightScheme), {"name": "c", "version": 1, "is_default": True, "created_at": now})


def _voice_note(kind: str) -> dict[str, object]:
    return {"project_id": 1, "report_id": None, "kind": kind, "filename": "note.webm", "stored_name": "ab/cd.webm",
            "content_type": "audio/webm", "size_bytes": 4, "sha256": "0" * 64,
            "uploaded_at": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)}


def test_0013_lets_an_attachment_be_audio_and_its_downgrade_keeps_recordings_as_files(seeded_engine):
    downgrade(seeded_engine, "0012")
    with pytest.raises(IntegrityError), seeded_engine.begin() as connection:
        connection.execute(insert(Attachment), _voice_note("audio"))
    upgrade(seeded_engine)
    with seeded_engine.begin() as connection:
        connection.execute(insert(Attachment), _voice_note("audio"))
    with pytest.raises(IntegrityError), seeded_engine.begin() as connection:
        connection.execute(insert(Attachment), _voice_note("video"))
    downgrade(seeded_engine, "0012")
    with seeded_engine.connect() as connection:
        kinds = connection.execute(select(Attachment.kind).where(Attachment.filename == "note.webm")).scalars().all()
    assert kinds == ["file"]


SUBSCRIBED_AT = dt.datetime(2026, 11, 30, 22, 50, tzinfo=dt.UTC)


def _subscription(kind: str, language: str) -> dict[str, object]:
    return {"user_id": 1, "kind": kind, "region_id": None, "language": language, "active": True,
            "created_at": SUBSCRIBED_AT}


def test_0014_lets_reports_be_in_vietnamese_and_thai_and_its_downgrade_keeps_them_in_english(seeded_engine):
    downgrade(seeded_engine, "0013")
    with pytest.raises(IntegrityError), seeded_engine.begin() as connection:
        connection.execute(insert(ReportSubscription), _subscription("monthly", "vi"))
    upgrade(seeded_engine)
    with seeded_engine.begin() as connection:
        connection.execute(insert(ReportSubscription), [_subscription("monthly", "vi"), _subscription("weekly", "th")])
    with pytest.raises(IntegrityError), seeded_engine.begin() as connection:
        connection.execute(insert(ReportSubscription), _subscription("quarterly", "fr"))
    downgrade(seeded_engine, "0013")
    with seeded_engine.connect() as connection:
        languages = connection.execute(select(ReportSubscription.kind, ReportSubscription.language)
                                       .where(ReportSubscription.created_at == SUBSCRIBED_AT)
                                       .order_by(ReportSubscription.kind)).all()
    assert [tuple(row) for row in languages] == [("monthly", "en"), ("weekly", "en")]
