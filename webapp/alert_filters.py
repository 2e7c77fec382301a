"""The status and severity filters of the alert centre and the rectification board: chips that always show their
whole label (a multiselect in a narrow column cut them off), the live statuses chosen at first."""
from __future__ import annotations

from collections.abc import Mapping

from streamlit.delta_generator import DeltaGenerator

from data_access.alerts import LIVE_STATUSES
from data_access.models import ALERT_STATUSES, SEVERITIES
from webapp.i18n import t


def status_chips(place: DeltaGenerator, key: str, counts: Mapping[str, int] | None = None) -> list[str]:
    """The chosen statuses (with ``counts``, each chip says how many alerts have it)."""
    def label(status: str) -> str:
        word = t(f"alert_status.{status}")
        return word if counts is None else f"{word} · {counts.get(status, 0)}"

    return list(place.pills(t("alerts.status"), ALERT_STATUSES, selection_mode="multi", default=list(LIVE_STATUSES),
                            format_func=label, key=key))


def severity_chips(place: DeltaGenerator, key: str) -> list[str]:
    """The chosen severities (none: every severity)."""
    return list(place.pills(t("alerts.severity"), SEVERITIES, selection_mode="multi",
                            format_func=lambda s: t(f"severity.{s}"), key=key))


def severity_labels() -> dict[str, str]:
    """Each severity's word in the session's language, red first."""
    return {severity: t(f"severity.{severity}") for severity in SEVERITIES}
