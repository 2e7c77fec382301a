"""Build a report and keep it: gather the content for the viewer's scope, draw the PDF and the workbook, store
both with their hashes and provenance. The page, the command line and the scheduler all build through here."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from components.i18n import translate
from data_access import report_builds
from data_access.errors import ValidationError
from data_access.models import REPORT_KINDS
from data_access.policy import Action, Viewer, require
from scoring.report_periods import BadPeriod, ReportPeriod, parse
from services.report_center.assemble import assemble
from services.report_center.blocks import ReportContent, ReportRequest, content_digest
from services.report_center.pdf import pdf_bytes
from services.report_center.workbook import workbook_bytes

Progress = Callable[[float, str], None]
LENGTH_ZH = {"week": "周", "month": "月份", "quarter": "季度", "year": "年份"}
ASSEMBLED, DRAWN = 0.8, 0.95  # shares of the progress bar: gathering the content is the long part


@dataclass(frozen=True)
class BuildRecord:
    """A kept build: its id, title and hashes, with the content (the page's preview) and both files."""

    id: int
    title: str
    pdf_sha256: str
    xlsx_sha256: str
    content_digest: str
    content: ReportContent
    pdf: bytes
    xlsx: bytes


def checked_period(kind: str, label: str) -> ReportPeriod:
    """The period ``label`` names for ``kind``; a bad kind or label is a :class:`ValidationError` in both
    languages saying what a good one looks like."""
    if kind not in REPORT_KINDS:
        raise ValidationError(f"Unknown report kind {kind!r}; one of {', '.join(REPORT_KINDS)}",
                              message_zh=f"报告类型“{kind}”无效，可选：{'、'.join(REPORT_KINDS)}")
    try:
        return parse(kind, label)
    except BadPeriod as error:
        raise ValidationError(f"{str(error)[:80]}", message_zh=f"“{error.label[:20]}”不是有效的"
                              f"{LENGTH_ZH[error.length]}，例如 {error.example}") from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_report(engine: Engine, viewer: Viewer, request: ReportRequest, *, progress: Progress | None = None,
                 subscription_id: int | None = None) -> BuildRecord:
    """Build the report ``request`` asks for with the viewer's scope and keep it (audited ``report.build``).

    An official's report without a region is their district's; a region outside the viewer's scope is refused
    before anything is gathered. ``subscription_id``: the scheduler builds it for that subscription.
    """
    require(viewer, Action.BUILD_REPORTS)
    period = checked_period(request.kind, request.period)
    if request.region_id is None and not viewer.sees_everything:
        request = dataclasses.replace(request, region_id=viewer.region_id)
    report_builds.check_scope(engine, viewer, request.region_id)
    report = progress or (lambda _share, _text: None)
    content = assemble(engine, viewer, request, progress=lambda share, text: report(share * ASSEMBLED, text))
    report(ASSEMBLED, translate("report_center.step_pdf", request.language))
    pdf = pdf_bytes(content)
    report(DRAWN, translate("report_center.step_xlsx", request.language))
    xlsx = workbook_bytes(content)
    stated = content_digest(content)
    provenance = content.provenance
    build = report_builds.NewBuild(
        kind=request.kind, period_label=period.label, period_start=period.start, period_end=period.end,
        region_id=request.region_id, language=request.language, title=content.title, pdf=pdf,
        pdf_sha256=_sha256(pdf), xlsx=xlsx, xlsx_sha256=_sha256(xlsx), content_digest=stated,
        scheme_id=provenance.scheme_id, data_version=provenance.data_version,
        software_version=provenance.software_version[:40], audit_entry_id=provenance.audit_entry_id,
        audit_entry_hash=provenance.audit_entry_hash, built_at=provenance.built_at.astimezone(dt.UTC),
        category=request.category, department_id=request.department_id)
    build_id = report_builds.save_build(engine, viewer, build, subscription_id=subscription_id)
    report(1.0, translate("report_center.step_saved", request.language))
    return BuildRecord(build_id, content.title, build.pdf_sha256, build.xlsx_sha256, stated, content, pdf, xlsx)
