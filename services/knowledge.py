"""经验库: best-practice cases — written, searched, suggested, and cited by the reports.

Who reads and who changes which case, and how search works on both databases: :mod:`data_access.knowledge`.
Here: the commands and queries pages, reports and the rectification board share — a closed rectification
turned into a case in one step, the cases an alert suggests, the cases a report cites, a case's files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from components.i18n import name_suffix, translate
from data_access import knowledge, uploads
from data_access.attachments import NewAttachment
from data_access.errors import ValidationError
from data_access.knowledge import CaseFields
from data_access.policy import Viewer
from scoring.periods import add_months, first_of_month
from scoring.rules import RULE_TYPES
from services.file_types import sniff
from services.photos import MEGABYTE, AttachmentFileMissing, PhotoSettings, clean_filename, photo_settings

BEST_PRACTICE_COLUMNS = ("id", "title", "problem_type", "project_name", "region_name", "summary", "before",
                         "after", "unit")
# The indicator whose figures show a warning's problem gone, by rule type (indicator_threshold and
# missing_report name theirs in their parameters; a score drop has none of its own).
RULE_INDICATORS = {"progress_lag": "PROG_RATIO", "budget_overrun": "BUDGET_EXEC", "milestone_overdue": "MS_ONTIME"}
SUMMARY_LENGTH = 160


PROBLEM_LABELS = {"progress_lag": "knowledge.problem.progress_lag",
                  "budget_overrun": "knowledge.problem.budget_overrun",
                  "milestone_overdue": "knowledge.problem.milestone_overdue",
                  "indicator_threshold": "knowledge.problem.indicator_threshold",
                  "score_drop": "knowledge.problem.score_drop", "missing_report": "knowledge.problem.missing_report",
                  "risk_above": "knowledge.problem.risk_above"}


def problem_label(problem_type: str, language: str) -> str:
    """A warning rule type in words (进度滞后 / Progress lag); any other problem type as written."""
    key = PROBLEM_LABELS.get(problem_type)
    return translate(key, language) if key else problem_type


def problem_types(engine: Engine) -> list[str]:
    """Every warning rule type, then the other problem types cases use."""
    return list(dict.fromkeys([*RULE_TYPES, *knowledge.problem_types(engine)]))


def case_districts(engine: Engine) -> pd.DataFrame:
    """The districts that have cases (id, name_zh, name_en), for every reader's filter."""
    return knowledge.case_districts(engine)


def search(engine: Engine, viewer: Viewer, query: str = "", *, problem_type: str | None = None,
           category_id: int | None = None, region_id: int | None = None, limit: int = 50) -> pd.DataFrame:
    """Cases matching a Chinese or English query, best first (see :func:`data_access.knowledge.search_cases`)."""
    return knowledge.search_cases(engine, viewer, query, problem_type=problem_type, category_id=category_id,
                                  region_id=region_id, limit=limit)


def get_case(engine: Engine, viewer: Viewer, case_id: int) -> pd.Series:
    """One case with its figures; NotFound (经验案例不存在) for an unknown id."""
    return knowledge.get_case(engine, viewer, case_id)


def case_fields(case: pd.Series) -> CaseFields:
    """A read case's fields, to edit and save again."""
    return knowledge.case_fields(case)


def save_case(engine: Engine, viewer: Viewer, fields: CaseFields, *, case_id: int | None = None,
              expected_version: int | None = None) -> int:
    """Create a case (no ``case_id``) or replace one the viewer read at ``expected_version``; the case's id."""
    if case_id is None:
        return knowledge.create_case(engine, viewer, fields)
    if expected_version is None:
        raise ValidationError("Say which version of the case was edited", message_zh="缺少案例的版本号")
    knowledge.update_case(engine, viewer, case_id, expected_version, fields)
    return case_id


def case_from_rectification(engine: Engine, viewer: Viewer, alert_id: int) -> int:
    """Turn a closed rectification into a case in one step; the case's id (the same case when it was turned
    into one before). Title from the project and the problem, problem type the rule's, what was done the plan
    and the evidence note, the indicator the rule watches, compared between the alert's data month and the
    latest month reported (a warning without a data month: the month reported before it opened). Refused for
    an alert that is not closed or was closed without a task."""
    facts = knowledge.rectification_facts(engine, viewer, alert_id)
    if facts.status != "closed":
        raise ValidationError("Only a verified and closed rectification becomes a case",
                              message_zh="只有核验通过并关闭的整改才能转为经验案例")
    if facts.rectification_id is None:
        raise ValidationError("This warning was cleared by the data; it has no rectification to learn from",
                              message_zh="该预警由数据自动解除，没有整改任务可转为案例")
    if facts.case_id is not None:
        return facts.case_id
    code = facts.rule_params.get("indicator") or RULE_INDICATORS.get(facts.rule_type)
    indicator_id = knowledge.indicator_id_for(engine, code) if isinstance(code, str) else None
    # The month the data showed the problem; a milestone warning has none: the month reported before it opened.
    shown = facts.data_period or add_months(first_of_month(facts.opened_at.date()), -1)
    before = shown if indicator_id is not None else None
    latest = knowledge.latest_period(engine, facts.project_id, indicator_id) if indicator_id and before else None
    after = latest if latest is not None and before is not None and latest > before else None
    action = f"整改措施：{facts.plan or ''}".strip()
    if facts.evidence_note:
        action += f"\n整改佐证：{facts.evidence_note}"
    fields = CaseFields(
        title_zh=f"{facts.project_zh}{facts.rule_zh}整改经验"[:200],
        title_en=f"{facts.project_en}: how the {facts.rule_en.lower()} warning was resolved"[:300]
        if facts.project_en else None,
        problem_type=facts.rule_type, action_taken=action[:4000],
        result_text="整改已核验通过，预警已关闭。", project_id=facts.project_id, indicator_id=indicator_id,
        before_period=before if after else None, after_period=after, tags=(facts.rule_zh[:20],))
    return knowledge.create_case(engine, viewer, fields, rectification_id=facts.rectification_id)


def suggest_cases(engine: Engine, viewer: Viewer, alert_id: int, limit: int = 3) -> pd.DataFrame:
    """Cases worth reading for an alert: those of its rule's problem type first, then by the words they share
    with the rule's and the project's names (the case made from this very alert is left out)."""
    facts = knowledge.rectification_facts(engine, viewer, alert_id)
    text = " ".join([facts.rule_zh, facts.rule_en, facts.project_zh, facts.project_en])
    return knowledge.search_cases(engine, viewer, text, prefer_problem_type=facts.rule_type,
                                  exclude_rectification_id=facts.rectification_id, limit=limit)


def best_practices(engine: Engine, viewer: Viewer, *, region_id: int | None, start: dt.date, end: dt.date,
                   language: str = "zh", limit: int = 5) -> pd.DataFrame:
    """The cases a report cites for its scope and period, best first: one row per case with
    :data:`BEST_PRACTICE_COLUMNS` (``summary`` what was done and achieved, in ``language``; ``before``/``after``
    the indicator's figures at the case's two periods, ``unit`` its unit).

    A case is cited when its result was measured (its after month) in the period, or, without figures, when it
    was written then; cases with both figures come first. A viewer who does not see every region gets their
    own region's cases (another region is refused like an unknown one).
    """
    cases = knowledge.cases_for_period(engine, viewer, region_id=region_id, start=start, end=end, limit=limit)
    rows = [_cited(case, language) for case in cases.to_dict("records")]
    return pd.DataFrame(rows, columns=list(BEST_PRACTICE_COLUMNS))


def _cited(case: dict[Any, Any], language: str) -> dict[str, Any]:
    """One case as a report cites it (:data:`BEST_PRACTICE_COLUMNS`)."""
    english = name_suffix(language) == "en"
    summary = f"{case['action_taken'].strip()} {case['result_text'].strip()}".replace("\n", " ")
    project = case["project_en"] if english and case["project_en"] else case["project_zh"]
    region = case["region_en"] if english and case["region_en"] else case["region_zh"]
    return {
        "id": int(case["id"]),
        "title": case["title_en"] if english and case["title_en"] else case["title_zh"],
        "problem_type": problem_label(case["problem_type"], language),
        "project_name": translate("knowledge.no_project", language) if pd.isna(case["project_id"]) else project,
        "region_name": translate("knowledge.city_wide", language) if pd.isna(case["region_id"]) else region,
        "summary": summary if len(summary) <= SUMMARY_LENGTH else summary[:SUMMARY_LENGTH - 1] + "…",
        "before": None if pd.isna(case["before_value"]) else float(case["before_value"]),
        "after": None if pd.isna(case["after_value"]) else float(case["after_value"]),
        "unit": None if pd.isna(case["indicator_id"]) else case["unit_en" if english else "unit_zh"],
    }


def case_files(engine: Engine, case_id: int) -> pd.DataFrame:
    """A case's files, newest first (see :func:`data_access.knowledge.case_files`)."""
    return knowledge.case_files(engine, case_id)


def add_case_file(engine: Engine, viewer: Viewer, case_id: int, *, filename: str, data: bytes,
                  settings: PhotoSettings | None = None) -> int:
    """Check, store and record a file of a case (the viewer must be allowed to change the case, which must have
    a project); its attachment id. The same type and size rules as a report's files."""
    settings = settings or photo_settings()
    project_id = knowledge.case_file_project(engine, viewer, case_id)
    if not data:
        raise ValidationError("The file is empty", message_zh="文件为空")
    file_type = sniff(data)
    limit = settings.photo_max_mb if file_type.kind == "photo" else settings.attachment_max_mb
    if len(data) > limit * MEGABYTE:
        raise ValidationError(f"The file is too big ({len(data) / MEGABYTE:.1f} MB); at most {limit:g} MB",
                              message_zh=f"文件过大（{len(data) / MEGABYTE:.1f} MB），最大 {limit:g} MB")
    digest = hashlib.sha256(data).hexdigest()
    stored_name = uploads.store(settings.upload_dir, digest, file_type.extension, data)
    return knowledge.record_case_file(engine, viewer, case_id, NewAttachment(
        project_id=project_id, report_id=None, kind=file_type.kind,
        filename=clean_filename(filename, file_type.extension), stored_name=stored_name,
        content_type=file_type.content_type, size_bytes=len(data), sha256=digest))


def case_file_content(engine: Engine, case_id: int, attachment_id: int, *,
                      settings: PhotoSettings | None = None) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of a case's file; bytes that no longer match their hash are never
    served."""
    settings = settings or photo_settings()
    row = knowledge.case_file(engine, case_id, attachment_id)
    data = uploads.read(settings.upload_dir, row.stored_name)
    if data is None or hashlib.sha256(data).hexdigest() != row.sha256:
        raise AttachmentFileMissing("The stored file is missing or damaged; please tell the administrator",
                                    message_zh="附件文件缺失或已损坏，请联系管理员")
    return row.filename, row.content_type, data
