"""build_report: the same data and period state the same digest; each build is kept with its provenance; scope and
bad requests are refused before anything is gathered."""
from __future__ import annotations

import dataclasses
import hashlib

import pytest
from sqlalchemy import select

from data_access import report_builds
from data_access.errors import ValidationError
from data_access.models import AuditEntry, ReportBuild
from services.report_center.blocks import ReportRequest
from services.report_center.build import build_report
from tests.conftest import as_viewer

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"])


def test_the_same_data_and_period_give_the_same_content_digest_and_both_builds_are_kept(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    longting = report_builds.find_region(seeded_engine, analyst, "龙亭区")
    request = ReportRequest("monthly", "2026-10", region_id=longting)
    steps: list[float] = []
    first = build_report(seeded_engine, analyst, request, progress=lambda share, _step: steps.append(share))
    second = build_report(seeded_engine, analyst, request)
    assert first.id != second.id and first.content_digest == second.content_digest
    assert steps == sorted(steps) and steps[-1] == 1.0 and len(steps) > 3
    other_month = build_report(seeded_engine, analyst, dataclasses.replace(request, period="2026-09"))
    assert other_month.content_digest != first.content_digest
    with seeded_engine.connect() as connection:
        row = connection.execute(select(ReportBuild).where(ReportBuild.id == first.id)).one()
        first_audited = connection.execute(select(AuditEntry.id, AuditEntry.entry_hash).where(
            AuditEntry.action == "report.build", AuditEntry.entity_id == str(first.id))).one()
    assert row.pdf_sha256 == hashlib.sha256(row.pdf).hexdigest() == first.pdf_sha256
    assert row.xlsx_sha256 == hashlib.sha256(row.xlsx).hexdigest() == first.xlsx_sha256
    assert (row.region_id, row.period_start.isoformat(), row.period_end.isoformat()) == (
        longting, "2026-10-01", "2026-10-31")
    assert row.software_version and row.scheme_id is not None
    # the audit chain's head when the second was built is the first build's entry
    assert (second.content.provenance.audit_entry_id, second.content.provenance.audit_entry_hash) == tuple(
        first_audited)
    assert row.built_by == analyst.user_id and row.title == first.title and "龙亭区" in row.title


def test_an_officials_report_without_a_region_is_their_districts(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    record = build_report(seeded_engine, official, ReportRequest("weekly", "2026-W44"))
    assert record.content.request.region_id == official.region_id
    assert report_builds.list_builds(seeded_engine, official)["id"].tolist() == [record.id]


@pytest.mark.parametrize(("kind", "period", "chinese"), [
    ("monthly", "2026-13", "“2026-13”不是有效的月份，例如 2026-10"),
    ("quarterly", "2026-10", "“2026-10”不是有效的季度，例如 2026-Q3"),
    ("daily", "2026-10",
     "报告类型“daily”无效，可选：weekly、monthly、quarterly、white_paper_quarter、white_paper_year"),
])
def test_a_bad_kind_or_period_is_refused_in_both_languages_and_nothing_kept(seeded_engine, kind, period, chinese):
    analyst = as_viewer(seeded_engine, "analyst")
    with pytest.raises(ValidationError) as refused:
        build_report(seeded_engine, analyst, ReportRequest(kind, period))
    assert refused.value.message_zh == chinese
    assert (kind if kind == "daily" else period) in str(refused.value)
    assert report_builds.list_builds(seeded_engine, analyst).empty


def test_the_audit_head_a_report_prints_is_anchored_and_the_chain_is_checked_against_it(seeded_engine, monkeypatch):
    from data_access.anchors import read_anchors
    from data_access.audit import verify_chain

    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_EVERY", "0")  # no anchors by count or time: only the published head
    monkeypatch.setenv("PERFDASH_AUDIT_ANCHOR_MINUTES", "0")

    analyst = as_viewer(seeded_engine, "analyst")
    build_report(seeded_engine, analyst, ReportRequest("weekly", "2026-W44"))  # the demo's log starts empty
    built = build_report(seeded_engine, analyst, ReportRequest("weekly", "2026-W45"))
    printed = (built.content.provenance.audit_entry_id, built.content.provenance.audit_entry_hash)
    assert printed[0] is not None
    assert printed in [(anchor.entry_id, anchor.entry_hash) for anchor in read_anchors(seeded_engine).anchors]
    verdict = verify_chain(seeded_engine)  # the audit page's check now includes the published head
    assert verdict.ok and verdict.anchors_checked >= 1
