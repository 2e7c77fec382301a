"""How much one API call may carry: the settings ``PERFDASH_API_MAX_BODY_BYTES`` and ``PERFDASH_API_MAX_ITEMS``.

A district's month is a few thousand figures (a few hundred kB of JSON); the defaults leave room for a city's
month in one batch and keep one call from holding a worker and the write lock for long.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class ApiLimits:
    max_body_bytes: int = 8 * MEBIBYTE
    max_items: int = 50_000


def api_limits() -> ApiLimits:
    """The limits from the environment (defaults: 8 MiB, 50,000 items per batch)."""
    return ApiLimits(max_body_bytes=int(os.environ.get("PERFDASH_API_MAX_BODY_BYTES", str(8 * MEBIBYTE))),
                     max_items=int(os.environ.get("PERFDASH_API_MAX_ITEMS", "50000")))
