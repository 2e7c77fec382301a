"""The alert status table, the lifecycle table, the texts the data layer stores and the evaluator's permissions,
checked without a database."""
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import create_engine

from components.i18n import CATALOG
from data_access.alerts import (
    LIVE_STATUSES,
    STATUSES,
    WITH_HANDLER,
    apply_findings,
    escalate_unacknowledged,
    pending_emails,
    record_email_result,
)
from data_access.alerts.lifecycle import STEPS
from data_access.alerts.messages import NOTICES, SEVERITY_ZH, STATUS_ZH, compose
from data_access.alerts.statuses import CLEARED_BY_DATA
from data_access.errors import PermissionDenied
from data_access.models import ALERT_STATUSES, SEVERITIES, Alert, AlertRule, Project
from data_access.policy import Action, Viewer


def test_the_status_table_has_every_status_the_database_allows_in_lifecycle_order():
    assert tuple(STATUSES) == ALERT_STATUSES


def test_every_status_but_closed_is_live_and_only_open_and_acknowledged_clear_by_themselves():
    assert LIVE_STATUSES == ("open", "acknowledged", "rectifying", "resolved")
    assert CLEARED_BY_DATA == {"open", "acknowledged"}
    assert WITH_HANDLER == ("open", "acknowledged", "rectifying")


def test_the_lifecycle_table_moves_between_known_statuses():
    moves = {action: (sorted(step.sources), step.target, step.permission, step.notification)
             for action, step in STEPS.items()}
    assert moves == {
        "acknowledge": (["open"], "acknowledged", Action.HANDLE_ALERT, None),
        "rectify": (["acknowledged", "open"], "rectifying", Action.HANDLE_ALERT, None),
        "resolve": (["rectifying"], "resolved", Action.HANDLE_ALERT, "alert.resolved"),
        "close": (["resolved"], "closed", Action.VERIFY_RECTIFICATION, "alert.closed"),
        "reject": (["resolved"], "rectifying", Action.VERIFY_RECTIFICATION, "alert.rejected"),
    }
    assert {step.notification for step in STEPS.values()} - {None} <= set(NOTICES)


def test_the_status_and_severity_words_in_stored_messages_are_the_catalogs():
    assert STATUS_ZH == {status: CATALOG[f"alert_status.{status}"][0] for status in ALERT_STATUSES}
    assert SEVERITY_ZH == {severity: CATALOG[f"severity.{severity}"][0] for severity in SEVERITIES}


def test_a_message_names_the_project_rule_value_status_and_link_in_both_languages():
    alert = Alert(id=42, severity="orange", status="rectifying", value=12.345, threshold=None)
    project = Project(code="KF-007", name_zh="鼓楼街改造", name_en="Gulou Street renewal")
    rule = AlertRule(name_zh="进度滞后", name_en="Progress lag")
    message = compose("alert.rejected", alert, project, rule)
    assert message.subject_zh == "【橙色预警】鼓楼街改造：进度滞后"
    assert message.subject_en == "[Orange warning] Gulou Street renewal: Progress lag"
    assert message.body_zh == ("整改核验未通过，请继续整改。\n项目：KF-007 鼓楼街改造\n规则：进度滞后\n"
                               "数值：12.3（阈值 —）\n状态：整改中\n查看：/alerts?alert=42")
    assert message.body_en == ("The rectification was not accepted: please continue.\nProject: KF-007 Gulou Street "
                               "renewal\nRule: Progress lag\nValue: 12.3 (threshold —)\nStatus: rectifying\n"
                               "Open: /alerts?alert=42")


@pytest.mark.parametrize("role", ["admin", "leader", "auditor"])
def test_only_the_system_actor_raises_escalates_and_mails_refused_before_any_statement(role):
    person = Viewer(user_id=1, username="someone", role=role)
    engine = create_engine("sqlite://")  # no tables: a statement before the check would fail differently
    calls = {
        Action.RAISE_ALERTS: [
            lambda: apply_findings(engine, pd.DataFrame(), actor=person, rule_ids=[1], project_ids=None,
                                   as_of=dt.date(2026, 11, 20)),
            lambda: escalate_unacknowledged(engine, actor=person, after_days=3),
        ],
        Action.SEND_NOTIFICATIONS: [
            lambda: pending_emails(engine, actor=person, max_attempts=3),
            lambda: record_email_result(engine, person, [1], None),
        ],
    }
    for action, refused in calls.items():
        for call in refused:
            with pytest.raises(PermissionDenied) as caught:
                call()
            assert caught.value.message_zh == f"当前角色无权{action.chinese}"
