"""How big an upload may be: the settings ``PERFDASH_IMPORT_MAX_MB`` and ``PERFDASH_IMPORT_MAX_ROWS``.

``.streamlit/config.toml`` sets the uploader's own limit (``server.maxUploadSize``) to the same default, so the
uploader's label and this check agree; the check here also covers the command line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """``max_bytes`` and ``max_rows`` come from the settings; the archive limits guard against zip bombs: a real
    workbook of ``max_bytes`` unpacks to a few times its size, a bomb to hundreds of times."""

    max_bytes: int = 20 * MEGABYTE
    max_rows: int = 200_000
    max_members: int = 1_000
    max_unpacked_bytes: int = 200 * MEGABYTE
    max_ratio: int = 100  # uncompressed : compressed, for a member bigger than ratio_checked_from
    ratio_checked_from: int = MEGABYTE
    max_cells: int = 5_000_000  # a sheet's area (rows × columns): 25 columns at the row limit

    @property
    def max_megabytes(self) -> float:
        return self.max_bytes / MEGABYTE


def import_limits() -> ImportLimits:
    """The limits from the environment (defaults: 20 MB, 200,000 rows)."""
    megabytes = float(os.environ.get("PERFDASH_IMPORT_MAX_MB", "20"))
    rows = int(os.environ.get("PERFDASH_IMPORT_MAX_ROWS", "200000"))
    return ImportLimits(max_bytes=int(megabytes * MEGABYTE), max_rows=rows, max_cells=25 * rows)
