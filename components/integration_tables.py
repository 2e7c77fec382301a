"""The 开放接口 page's tables (pure): the tokens with their state in words and colour, and what they pushed.

Times are shown in China time (the users' clock) to the minute; a token's region, scopes and state are words in
the reader's language, never codes. Token names are data: they go into table cells only, never into markup.
"""
from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from components.colours import GREEN, GREY, RED, is_missing
from components.i18n import name_suffix, translate
from scoring.checkin import CHINA_TIME

STATE_KEYS = {"active": "integrations.state_active", "expired": "integrations.state_expired",
              "revoked": "integrations.state_revoked"}
STATE_COLOURS = {"active": GREEN, "expired": GREY, "revoked": RED}
SCOPE_KEYS = {"read": "integrations.scope_read", "write_observations": "integrations.scope_write_observations",
              "write_milestones": "integrations.scope_write_milestones"}
PUSH_KINDS = {"observations": "integrations.kind_observations", "milestones": "integrations.kind_milestones"}
PUSH_STATUSES = {"applied": "import.status_applied", "rolled_back": "import.status_rolled_back",
                 "rejected": "import.status_rejected"}
TOKEN_COLUMNS = {"name": "integrations.col_name", "region": "integrations.col_region",
                 "scopes": "integrations.col_scopes", "state": "integrations.col_state",
                 "expires_at": "integrations.col_expires", "last_used_at": "integrations.col_last_used",
                 "rate_per_minute": "integrations.col_rate", "created_by": "integrations.col_created_by"}
PUSH_COLUMNS = {"uploaded_at": "integrations.col_when", "token_name": "integrations.col_token",
                "kind": "integrations.col_kind", "idempotency_key": "integrations.col_key",
                "row_count": "integrations.col_rows", "new_rows": "import.count_new",
                "changed_rows": "import.count_changed", "unchanged_rows": "import.count_unchanged",
                "status": "integrations.col_status"}


def china_minute(moment: object) -> str:
    """A stored (UTC) time as ``2026-11-30 16:30`` in China time; ``—`` when there is none.

    >>> china_minute(pd.Timestamp("2026-11-30 08:30:15")), china_minute(None)
    ('2026-11-30 16:30', '—')
    """
    if is_missing(moment):
        return "—"
    stamp = pd.Timestamp(moment)  # type: ignore[arg-type]  # a datetime or Timestamp from the database
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def scope_words(scopes: str, lang: str) -> str:
    """``"read,write_observations"`` → ``读取、写入月度数据`` / ``read, write monthly figures``."""
    words = [translate(SCOPE_KEYS[scope], lang) if scope in SCOPE_KEYS else scope for scope in scopes.split(",")]
    return ("、" if lang == "zh" else ", ").join(words)


def token_table(tokens: pd.DataFrame, lang: str) -> Styler:
    """The tokens (``data_access.api_tokens.list_tokens``) as shown, the state's word in its colour."""
    region = tokens[f"region_{name_suffix(lang)}"]
    every_region = translate("integrations.every_region", lang)
    shown = pd.DataFrame({
        "name": tokens["name"].astype(str),
        "region": [every_region if is_missing(name) else str(name) for name in region],
        "scopes": [scope_words(str(scopes), lang) for scopes in tokens["scopes"]],
        "state": [translate(STATE_KEYS[state], lang) for state in tokens["state"]],
        "expires_at": [china_minute(moment) for moment in tokens["expires_at"]],
        "last_used_at": [translate("integrations.never_used", lang) if is_missing(moment) else china_minute(moment)
                         for moment in tokens["last_used_at"]],
        "rate_per_minute": tokens["rate_per_minute"].astype(int),
        "created_by": ["—" if is_missing(name) else str(name) for name in tokens["created_by"]],
    }, index=tokens.index)
    colours = [f"color: {STATE_COLOURS[state]}; font-weight: 600" for state in tokens["state"]]
    labelled = shown.rename(columns={column: translate(key, lang) for column, key in TOKEN_COLUMNS.items()})
    state_column = translate(TOKEN_COLUMNS["state"], lang)
    return labelled.style.apply(lambda _column: colours, subset=[state_column], axis=0)


def push_table(pushes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The API's batches (``data_access.api_tokens.list_pushes``) as shown: kind and status in words."""
    shown = pd.DataFrame({
        "uploaded_at": [china_minute(moment) for moment in pushes["uploaded_at"]],
        "token_name": pushes["token_name"].astype(str),
        "kind": [translate(PUSH_KINDS[kind], lang) if kind in PUSH_KINDS else str(kind) for kind in pushes["kind"]],
        "idempotency_key": ["—" if is_missing(key) else str(key) for key in pushes["idempotency_key"]],
        **{column: pushes[column].astype(int) for column in ("row_count", "new_rows", "changed_rows",
                                                             "unchanged_rows")},
        "status": [translate(PUSH_STATUSES[status], lang) if status in PUSH_STATUSES else str(status)
                   for status in pushes["status"]],
    }, index=pushes.index)
    return shown.rename(columns={column: translate(key, lang) for column, key in PUSH_COLUMNS.items()})
