"""Errors the data layer raises, each with a message a user can act on.

Pages catch these (never SQLAlchemy's own exceptions) and show the message in the user's language;
``message_zh`` carries the Chinese wording so the UI does not have to parse English text.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_access.reports import ReportSheet


class DataAccessError(Exception):
    """Base class: every error leaving ``data_access`` is one of these."""

    def __init__(self, message: str, *, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


class ConfigurationError(DataAccessError):
    """The database URL (or another setting) cannot be used as given."""


class DatabaseUnavailable(DataAccessError):
    """The database cannot be reached or opened."""


class StatementTimeout(DatabaseUnavailable):
    """PostgreSQL cancelled a statement that ran longer than ``PERFDASH_DB_STATEMENT_TIMEOUT_MS``; nothing was
    written."""


class PermissionDenied(DataAccessError):
    """The viewer may not see or change the object asked for."""


class NotFound(DataAccessError):
    """The object asked for does not exist."""


class VersionConflict(DataAccessError):
    """Someone else saved the object since the caller read it; nothing was written."""


class ValidationError(DataAccessError):
    """A value given for a write is not acceptable; nothing was written."""


class NeedsReason(DataAccessError):
    """Values that look implausible (a jump far beyond the usual monthly move, far from plan) need a reason each.

    ``codes`` maps every such KPI code to why, as (English, Chinese); nothing was written. Saving again with a
    non-empty reason for each stores the values with their reasons.
    """

    def __init__(self, codes: dict[str, tuple[str, str]]) -> None:
        english = "; ".join(why for why, _ in codes.values())
        chinese = "；".join(why for _, why in codes.values())
        super().__init__(f"Please confirm with a reason: {english}", message_zh=f"请填写原因后确认：{chinese}")
        self.codes = codes


class ReportConflict(DataAccessError):
    """The report (or a value it shows) changed since the form was opened; nothing was written.

    ``theirs`` is the report as it is stored now (a ``data_access.reports.ReportSheet``), for the form to show
    next to the user's own entries.
    """

    def __init__(self, theirs: ReportSheet) -> None:
        super().__init__("Someone changed this report since you opened it; compare and save again",
                         message_zh="打开表单后该月报已被他人修改，请核对后重新保存（您的修改未保存）")
        self.theirs = theirs
