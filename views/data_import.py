"""数据导入 Import: template → upload → check and preview → confirm → result; below, the batches to roll back."""
import streamlit as st

from components.import_preview import highlighted
from components.tables import attachment_button, download_buttons
from components.text import plain
from data_access import DataAccessError
from services.importing import pipeline, report
from services.importing.limits import import_limits
from services.importing.reading import sha256_of
from webapp import import_data
from webapp.i18n import current_language, t
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

viewer = current_viewer()
lang = current_language()
engine = shared_engine()
STAGES = {"read": t("import.stage_read"), "validate": t("import.stage_validate"), "plan": t("import.stage_plan"),
          "commit": t("import.stage_commit"), "done": t("import.stage_done")}
st.title(t("page.import"))
if "import_flash" in st.session_state:
    st.success(st.session_state.pop("import_flash"))

# ① what the file holds, and its template
st.subheader(t("import.step_kind"))
kinds = list(report.KINDS)
kind = st.radio(t("import.kind"), kinds, format_func=lambda k: report.kind_title(k, lang), horizontal=True,
                key="import_kind")
with stop_on_data_error():
    template = import_data.template(viewer, kind, lang)
attachment_button(f"{t('import.template_name', kind=report.kind_title(kind, lang))}.xlsx", template,
                  key=f"import_template_{kind}")
st.caption(t("import.template_hint"))

# ② the upload, checked once per file and kind
st.subheader(t("import.step_upload"))
limit = import_limits().max_megabytes
uploaded = st.file_uploader(t("import.upload", mb=f"{limit:g}"), type=["xlsx", "csv"], key="import_upload",
                            max_upload_size=max(1, round(limit)), on_change=import_data.forget)
content = b"" if uploaded is None else uploaded.getvalue()
if uploaded is not None and not import_data.recall(kind, sha256_of(content)):
    bar = st.progress(0.0, text=STAGES["read"])
    try:
        checked = pipeline.check_file(engine, viewer, uploaded.name, content, kind,
                                      progress=lambda fraction, stage: bar.progress(fraction, text=STAGES[stage]))
    except DataAccessError as error:
        show_data_error(error)
        st.stop()
    finally:
        bar.empty()
    import_data.remember(checked)

# ③ problems, preview and the confirm button; ④ the result
checked = import_data.current()
if checked is not None and checked.kind == kind:
    result = st.session_state.get(import_data.result_key(checked))
    if result is not None:
        st.subheader(t("import.step_result"))
        st.success(t("import.committed", batch=result["batch"], **result["counts"]))
        if result["warnings"] is None:
            st.warning(t("import.warnings_not_evaluated"))
        else:
            st.caption(t("import.warnings_done", n=result["warnings"]))
    else:
        st.subheader(t("import.step_check"))
        counts = report.counts(checked)
        columns = st.columns(4)
        for column, (label, value) in zip(columns, [(t("import.count_new"), counts["new"]),
                                                    (t("import.count_changed"), counts["changed"]),
                                                    (t("import.count_unchanged"), counts["unchanged"]),
                                                    (t("import.count_problems"), len(checked.problems))],
                                          strict=True):
            column.metric(label, f"{value:,}")
        if checked.table is not None and checked.table.unknown_columns:
            st.info(t("import.unknown_columns", columns=plain("、".join(checked.table.unknown_columns))))
        if checked.problems:
            st.error(t("import.problems_found", n=len(checked.problems)))
            problems = report.problem_table(checked.problems, kind, lang)
            st.dataframe(problems, hide_index=True, width="stretch")
            download_buttons(problems, "import-problems", key="import_problems_download", lang=lang)
        else:
            st.success(t("import.no_problems"))
        rows, bad_cells = report.preview(checked, lang)
        if not rows.empty:
            st.markdown(f"**{t('import.preview')}**")
            total = len(checked.typed) if checked.typed is not None else 0
            if len(rows) < total:
                st.caption(t("import.preview_cut", shown=f"{len(rows):,}", total=f"{total:,}"))
            st.dataframe(highlighted(rows, bad_cells), width="stretch")
        again = False
        if checked.duplicate_of is not None:
            st.warning(t("import.duplicate", batch=checked.duplicate_of["id"],
                         when=report.when(checked.duplicate_of, lang)))
            again = st.checkbox(t("import.again"), key="import_again")
        blocked = not checked.committable or (checked.duplicate_of is not None and not again)
        if st.button(t("import.confirm"), type="primary", disabled=blocked, key="import_confirm"):
            bar = st.progress(0.0, text=STAGES["commit"])
            try:
                batch = pipeline.commit_file(engine, viewer, checked, again=again,
                                             progress=lambda fraction, stage: bar.progress(fraction,
                                                                                           text=STAGES[stage]))
            except DataAccessError as error:
                bar.empty()
                show_data_error(error)
                st.stop()
            bar.empty()
            try:
                warnings = pipeline.refresh_warnings(engine, batch)
            except DataAccessError:
                warnings = None  # the import is stored whatever happens here; the result says so
            st.session_state[import_data.result_key(checked)] = {
                "batch": batch.batch_id, "counts": report.batch_counts(batch), "warnings": warnings}
            st.rerun()

# the batches this viewer may see, and rolling one back
st.subheader(t("import.history"))
with stop_on_data_error():
    batches = import_data.batches(viewer)
if batches.empty:
    st.caption(t("import.history_empty"))
    st.stop()
st.dataframe(report.history_table(batches, lang), hide_index=True, width="stretch")
applied = batches.loc[batches["status"] == "applied", "id"].tolist()
if applied:
    with st.form("import_rollback"):
        names = dict(zip(batches["id"], batches["filename"], strict=True))
        batch_id = st.selectbox(t("import.rollback_choose"), applied, key="import_rollback_choice",
                                format_func=lambda i: f"{i} · {names[i]}")
        sure = st.checkbox(t("import.rollback_confirm"), key="import_rollback_sure")
        if st.form_submit_button(t("import.rollback")):
            if not sure:
                st.warning(t("import.rollback_unconfirmed"))
                st.stop()
            try:
                pipeline.roll_back(engine, viewer, int(batch_id))
            except DataAccessError as error:
                show_data_error(error)
            else:
                st.session_state["import_flash"] = t("import.rolled_back", batch=batch_id)
                st.rerun()
