"""Errors the data layer raises, each with a message a user can act on.

Pages catch these (never SQLAlchemy's own exceptions) and show the message in the user's language;
``message_zh`` carries the Chinese wording so the UI does not have to parse English text.
"""
from __future__ import annotations


class DataAccessError(Exception):
    """Base class: every error leaving ``data_access`` is one of these."""

    def __init__(self, message: str, *, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


class ConfigurationError(DataAccessError):
    """The database URL (or another setting) cannot be used as given."""


class DatabaseUnavailable(DataAccessError):
    """The database cannot be reached or opened."""


class PermissionDenied(DataAccessError):
    """The viewer may not see or change the object asked for."""


class NotFound(DataAccessError):
    """The object asked for does not exist."""


class VersionConflict(DataAccessError):
    """Someone else saved the object since the caller read it; nothing was written."""


class ValidationError(DataAccessError):
    """A value given for a write is not acceptable; nothing was written."""
