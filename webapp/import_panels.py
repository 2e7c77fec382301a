"""The import page's panels: checking an upload, its problems and preview with the confirm button, the result,
and the batch history with its rollback. Each takes what it shows; the page only puts them in order."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from components.import_preview import highlighted
from components.tables import download_buttons
from components.text import plain
from data_access import DataAccessError, Viewer
from services.importing import pipeline, report
from services.importing.pipeline import CheckedFile
from webapp import import_data
from webapp.i18n import t
from webapp.session import show_data_error, stop_on_data_error

FLASH = "import_flash"


def _progress_bar(first_stage: str) -> tuple[Any, Callable[[float, str], None]]:
    """A progress bar and the pipeline's listener that moves it, labelled with the stage in words."""
    labels = {"read": t("import.stage_read"), "validate": t("import.stage_validate"),
              "plan": t("import.stage_plan"), "commit": t("import.stage_commit"), "done": t("import.stage_done")}
    bar = st.progress(0.0, text=labels[first_stage])
    return bar, lambda fraction, stage: bar.progress(fraction, text=labels[stage])


def check_upload(engine: Engine, viewer: Viewer, filename: str, content: bytes, kind: str) -> None:
    """Check an upload (nothing is written) with a progress bar and keep the result for the page's reruns."""
    bar, progress = _progress_bar("read")
    try:
        checked = pipeline.check_file(engine, viewer, filename, content, kind, progress=progress)
    except DataAccessError as error:
        show_data_error(error)
        st.stop()
    finally:
        bar.empty()
    import_data.remember(checked)


def _counts(checked: CheckedFile) -> None:
    counts = report.counts(checked)
    shown = [("import.count_new", counts["new"]), ("import.count_changed", counts["changed"]),
             ("import.count_unchanged", counts["unchanged"]), ("import.count_problems", len(checked.problems))]
    for column, (key, value) in zip(st.columns(len(shown)), shown, strict=True):
        column.metric(t(key), f"{value:,}")


def _problems(checked: CheckedFile, lang: str) -> None:
    if checked.table is not None and checked.table.unknown_columns:
        st.info(t("import.unknown_columns", columns=plain("、".join(checked.table.unknown_columns))))
    if not checked.problems:
        st.success(t("import.no_problems"))
        return
    st.error(t("import.problems_found", n=len(checked.problems)))
    problems = report.problem_table(checked.problems, checked.kind, lang)
    st.dataframe(problems, hide_index=True, width="stretch")
    download_buttons(problems, "import-problems", key="import_problems_download", lang=lang)


def _preview(checked: CheckedFile, lang: str) -> None:
    rows, bad_cells = report.preview(checked, lang)
    if rows.empty:
        return
    st.markdown(f"**{t('import.preview')}**")
    total = 0 if checked.typed is None else len(checked.typed)
    if len(rows) < total:
        st.caption(t("import.preview_cut", shown=f"{len(rows):,}", total=f"{total:,}"))
    st.dataframe(highlighted(rows, bad_cells), width="stretch")


def _commit(engine: Engine, viewer: Viewer, checked: CheckedFile, again: bool) -> None:
    """Commit in one transaction, then re-evaluate the touched projects' warnings; the result is kept."""
    bar, progress = _progress_bar("commit")
    try:
        batch = pipeline.commit_file(engine, viewer, checked, again=again, progress=progress)
    except DataAccessError as error:
        bar.empty()
        show_data_error(error)
        st.stop()
    bar.empty()
    try:
        warnings: int | None = pipeline.refresh_warnings(engine, batch.project_ids)
    except DataAccessError:
        warnings = None  # the import is stored whatever happens here; the result says so
    st.session_state[import_data.result_key(checked)] = {
        "batch": batch.batch_id, "counts": report.batch_counts(batch), "warnings": warnings}
    st.rerun()


def check_panel(engine: Engine, viewer: Viewer, checked: CheckedFile, lang: str) -> None:
    """③ the counts, every problem, the preview and the confirm button (disabled while anything is wrong)."""
    st.subheader(t("import.step_check"))
    _counts(checked)
    _problems(checked, lang)
    _preview(checked, lang)
    again = False
    if checked.duplicate_of is not None:
        st.warning(t("import.duplicate", batch=checked.duplicate_of["id"],
                     when=report.when(checked.duplicate_of, lang)))
        again = st.checkbox(t("import.again"), key="import_again")
    blocked = not checked.committable or (checked.duplicate_of is not None and not again)
    if st.button(t("import.confirm"), type="primary", disabled=blocked, key="import_confirm"):
        _commit(engine, viewer, checked, again)


def result_panel(result: dict[str, Any]) -> None:
    """④ the batch and its counts, and whether the warnings followed."""
    st.subheader(t("import.step_result"))
    st.success(t("import.committed", batch=result["batch"], **result["counts"]))
    if result["warnings"] is None:
        st.warning(t("import.warnings_not_evaluated"))
    else:
        st.caption(t("import.warnings_done", n=result["warnings"]))


def history_panel(engine: Engine, viewer: Viewer, lang: str) -> None:
    """The batches the viewer may see, and rolling an applied one back once the box is ticked."""
    st.subheader(t("import.history"))
    with stop_on_data_error():
        batches = import_data.batches(viewer)
    if batches.empty:
        st.caption(t("import.history_empty"))
        return
    st.dataframe(report.history_table(batches, lang), hide_index=True, width="stretch")
    # Only batches that recorded what they changed can be undone (not the demo's or older ones: no sha256).
    applied = batches.loc[(batches["status"] == "applied") & batches["sha256"].notna(), "id"].tolist()
    if not applied:
        return
    names = dict(zip(batches["id"], batches["filename"], strict=True))
    with st.form("import_rollback"):
        # No batch is chosen beforehand: undoing the wrong one by leaving a default is too easy.
        batch_id = st.selectbox(t("import.rollback_choose"), applied, index=None, key="import_rollback_choice",
                                format_func=lambda i: f"{i} · {names[i]}", placeholder=t("import.rollback_pick"))
        sure = st.checkbox(t("import.rollback_confirm"), key="import_rollback_sure")
        if not st.form_submit_button(t("import.rollback")):
            return
    if batch_id is None or not sure:
        st.warning(t("import.rollback_unchosen" if batch_id is None else "import.rollback_unconfirmed"))
        return
    try:
        project_ids = pipeline.roll_back(engine, viewer, int(batch_id))
    except DataAccessError as error:
        show_data_error(error)
        return
    flash = t("import.rolled_back", batch=batch_id)
    try:
        flash += " " + t("import.warnings_done", n=pipeline.refresh_warnings(engine, project_ids))
    except DataAccessError:  # the rollback is stored whatever happens here; say so
        flash += " " + t("import.warnings_not_evaluated")
    st.session_state[FLASH] = flash
    st.rerun()
