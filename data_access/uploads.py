"""The upload folder (``PERFDASH_UPLOAD_DIR``, default ``data/uploads``): site photos' and files' bytes, each
stored once under its content hash, ``<sha256[:2]>/<sha256>.<ext>`` — never under the user's file name.

A file is written before the row that references it (an unreferenced file under its hash name is harmless), to a
temporary name first and then renamed, so a reader never sees half a file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from data_access.config import PROJECT_ROOT


def upload_dir() -> Path:
    """``PERFDASH_UPLOAD_DIR``: where uploads are kept (back it up with the database)."""
    raw = os.environ.get("PERFDASH_UPLOAD_DIR", "").strip()
    return Path(raw) if raw else PROJECT_ROOT / "data" / "uploads"


def store(folder: Path, digest: str, extension: str, data: bytes) -> str:
    """Write ``data`` (whose sha256 is ``digest``) under its hash name, once; the name relative to ``folder``."""
    stored_name = f"{digest[:2]}/{digest}.{extension}"
    target = folder / stored_name
    if target.is_file() and target.stat().st_size == len(data):
        return stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return stored_name


def read(folder: Path, stored_name: str) -> bytes | None:
    """The stored bytes, or None when the file is gone."""
    try:
        return (folder / stored_name).read_bytes()
    except OSError:
        return None
