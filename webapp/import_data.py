"""The import page's reads (cached like ``webapp.data``'s) and its state across reruns.

A checked upload is kept in ``st.session_state`` under its kind and sha256, so a rerun (a click, a language
switch) shows the same preview without reading the file again, and a different file is never confused with it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import Viewer
from data_access.imports import list_batches
from data_access.imports.choices import template_choices
from services.importing.pipeline import CheckedFile
from services.importing.templates import template_workbook
from webapp.data import Database, cached_read

CURRENT = "import_current"  # the state key of the upload being previewed
CHECKED_PREFIX = "import_checked_"


@cached_read
def template(viewer: Viewer, kind: str, lang: str, *, db: Database) -> bytes:
    """The xlsx template of ``kind`` with drop-downs from the viewer's scope."""
    return template_workbook(kind, lang=lang, choices=template_choices(db.engine, viewer))


@cached_read
def batches(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """The import batches the viewer may see, newest first."""
    return list_batches(db.engine, viewer)


def state_key(kind: str, sha256: str) -> str:
    return f"{CHECKED_PREFIX}{kind}_{sha256}"


def remember(checked: CheckedFile) -> None:
    """Keep a checked upload and make it the one the page shows; earlier checks (a file's whole table each)
    are let go, so a session that uploads many files does not keep them all."""
    key = state_key(checked.kind, checked.sha256)
    for earlier in [name for name in st.session_state if str(name).startswith(CHECKED_PREFIX)]:
        del st.session_state[earlier]
    st.session_state[key] = checked
    st.session_state[CURRENT] = key


def recall(kind: str, sha256: str) -> bool:
    """Show the upload checked before as ``kind`` with this sha256, if any; False when it must be checked."""
    key = state_key(kind, sha256)
    if key not in st.session_state:
        return False
    st.session_state[CURRENT] = key
    return True


def current() -> CheckedFile | None:
    """The checked upload the page shows (None before an upload, or after the file was removed)."""
    key = st.session_state.get(CURRENT)
    return None if key is None else st.session_state.get(key)


def forget() -> None:
    """The uploader changed (a new file, or the file removed): show nothing until the new file is checked."""
    st.session_state.pop(CURRENT, None)


def result_key(checked: CheckedFile) -> str:
    return f"import_result_{checked.kind}_{checked.sha256}"
