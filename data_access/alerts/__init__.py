"""Alerts and their rectification (预警与整改), one module per job; import the public names from here.

``statuses``       the status table: which statuses are live, which the evaluator clears by itself.
``rules``          warning rules: storage and the checks of every field.
``queries``        scoped reads: lists filtered in SQL, one alert, its history and evidence file.
``lifecycle``      the lifecycle as a table (action → from-statuses, roles, handler, notification) and
                   :func:`transition`, the one function that runs it.
``evaluation``     what the evaluator writes: open, keep, clear, reopen, escalate.
``notifications``  who is told, the inbox each user reads, e-mail bookkeeping.
``messages``       the texts the data layer stores for people, in both languages.
"""
from data_access.alerts.evaluation import EvaluationChanges, apply_findings, escalate_unacknowledged
from data_access.alerts.lifecycle import acknowledge_many, transition
from data_access.alerts.notifications import inbox, mark_read, pending_emails, record_email_result, unread_count
from data_access.alerts.queries import (
    alert_history,
    get_alert,
    list_alerts,
    live_alert_pairs,
    rectification_attachment,
)
from data_access.alerts.rules import list_rules, parse_rule_params, save_rule
from data_access.alerts.statuses import LIVE_STATUSES, STATUSES, WITH_HANDLER

__all__ = [
    "LIVE_STATUSES", "STATUSES", "WITH_HANDLER", "EvaluationChanges", "acknowledge_many", "alert_history",
    "apply_findings", "escalate_unacknowledged", "get_alert", "inbox", "list_alerts", "list_rules",
    "live_alert_pairs", "mark_read", "parse_rule_params", "pending_emails", "rectification_attachment",
    "record_email_result", "save_rule", "transition", "unread_count",
]
