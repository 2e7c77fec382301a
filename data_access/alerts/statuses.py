"""The alert statuses in one table: what each means for counting, the evaluator and the handlers.

The database's check constraint lists the same names (``models.ALERT_STATUSES``); the lifecycle table
(``lifecycle.STEPS``) says which action moves an alert from which status to which.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatusMeaning:
    live: bool  # a warning that still counts (not closed): kept one per rule × project, counted on the pages
    cleared_by_data: bool  # the evaluator resolves it by itself when the data no longer shows the problem
    with_handler: bool  # the next step is the handler's (acknowledge, rectify, submit), not the verifier's


STATUSES: dict[str, StatusMeaning] = {
    "open": StatusMeaning(live=True, cleared_by_data=True, with_handler=True),
    "acknowledged": StatusMeaning(live=True, cleared_by_data=True, with_handler=True),
    "rectifying": StatusMeaning(live=True, cleared_by_data=False, with_handler=True),
    "resolved": StatusMeaning(live=True, cleared_by_data=False, with_handler=False),
    "closed": StatusMeaning(live=False, cleared_by_data=False, with_handler=False),
}
LIVE_STATUSES: tuple[str, ...] = tuple(name for name, meaning in STATUSES.items() if meaning.live)
CLEARED_BY_DATA: frozenset[str] = frozenset(name for name, meaning in STATUSES.items() if meaning.cleared_by_data)
WITH_HANDLER: tuple[str, ...] = tuple(name for name, meaning in STATUSES.items() if meaning.with_handler)
CLOSED = "closed"
