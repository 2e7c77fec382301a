"""数据导入 Import: template → upload → check and preview → confirm → result; below, the batches to roll back."""
import streamlit as st

from components.tables import attachment_button
from services.importing import report
from services.importing.limits import import_limits
from services.importing.reading import sha256_of
from webapp import import_data, import_panels, paper_intake
from webapp.i18n import current_language, t
from webapp.session import current_viewer, shared_engine, stop_on_data_error

viewer = current_viewer()
lang = current_language()
engine = shared_engine()
st.title(t("page.import"))
if import_panels.FLASH in st.session_state:
    st.success(st.session_state.pop(import_panels.FLASH))

# ① what the file holds, and its template (drop-downs from the viewer's scope)
st.subheader(t("import.step_kind"))
kind = st.radio(t("import.kind"), list(report.KINDS), format_func=lambda k: report.kind_title(k, lang),
                horizontal=True, key="import_kind")
with stop_on_data_error():
    template = import_data.template(viewer, kind, lang)
attachment_button(f"{t('import.template_name', kind=report.kind_title(kind, lang))}.xlsx", template,
                  key=f"import_template_{kind}")
st.caption(t("import.template_hint"))

# ② the upload, checked once per file and kind (kept in the session by its sha256)
st.subheader(t("import.step_upload"))
limit = import_limits().max_megabytes
uploaded = st.file_uploader(t("import.upload", mb=f"{limit:g}"), type=["xlsx", "csv"], key="import_upload",
                            max_upload_size=max(1, round(limit)), on_change=import_data.forget)
if uploaded is not None:
    content = uploaded.getvalue()
    if not import_data.recall(kind, sha256_of(content)):
        import_panels.check_upload(engine, viewer, uploaded.name, content, kind)

if kind == "observations":  # or a photo of a paper sheet, read into the same kind of file
    scanned = paper_intake.import_panel(viewer)
    if scanned is not None:
        import_data.forget()
        import_panels.check_upload(engine, viewer, *scanned, kind)

# ③ problems, preview and confirmation, or ④ the result once confirmed
checked = import_data.current()
if checked is not None and checked.kind == kind:
    result = st.session_state.get(import_data.result_key(checked))
    if result is None:
        import_panels.check_panel(engine, viewer, checked, lang)
    else:
        import_panels.result_panel(result)

import_panels.history_panel(engine, viewer, lang)
