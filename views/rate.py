"""评分 Rate projects, a phone page: the ratings the viewer owes as cards; ``?round=<id>&project=<id>`` opens one.

The form scores each of the round's criteria 0–100 and takes a comment. A rating can be changed until the round's
deadline; after it (or once the round is closed) the page shows it read-only. What is confirmed after saving is
read back from the database, so the rater sees exactly the scores that were stored.
"""
import pandas as pd
import streamlit as st

from components.formatting import month
from components.i18n import stored_text
from components.rating_charts import beijing_time, group_label
from components.text import plain
from data_access.errors import DataAccessError
from services.rating_rounds import Criterion, RatingSheet, rate
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.params import id_param
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

SAVED_KEY = "rate_saved"  # (round id, project id) of the rating just saved, confirmed on the next run


def task_card(task: pd.Series, lang: str) -> None:
    """One owed (or given, still changeable) rating: the project, the round, the deadline and one big button."""
    box = st.container(border=True)
    box.markdown(f"**{plain(task['code'])} · {plain(task[name_column()])}** · {plain(task[name_column('region')])}")
    group = group_label(task["rater_type"], lang)
    box.caption(f"{plain(task[name_column('round_name')])} · {t('rate.as_group', group=group)} · "
                f"{t('rate.deadline_short', when=beijing_time(task['deadline']))}")
    box.page_link("views/rate.py", label=t("rate.change") if task["rated"] else t("rate.start"),
                  query_params={"round": str(task["round_id"]), "project": str(task["project_id"])},
                  icon=":material/edit:" if task["rated"] else ":material/star_rate:", width="stretch")


def task_list(lang: str) -> None:
    with stop_on_data_error():
        tasks = data.my_rating_tasks(viewer)
    if tasks.empty:
        st.info(t("rate.nothing"))
        return
    tasks = tasks.sort_values(["deadline", "code"])
    owed, given = tasks[~tasks["rated"].astype(bool)], tasks[tasks["rated"].astype(bool)]
    st.subheader(t("rate.todo", n=len(owed)))
    for _, task in owed.iterrows():
        task_card(task, lang)
    if len(given):
        st.subheader(t("rate.done", n=len(given)))
        for _, task in given.iterrows():
            task_card(task, lang)


def score_label(criterion: Criterion, lang: str) -> str:
    """``进度达成度（权重 40 %）``: the criterion's name is the round opener's text, shown as text."""
    return t("rate.score_label", name=plain(stored_text(lang, criterion.name_zh, criterion.name_en)),
             weight=f"{criterion.weight * 100:.0f} %")


def stored_scores(sheet: RatingSheet, lang: str) -> str:
    """The scores as stored, criterion by criterion: ``进度达成度 85 · 质量达标率 80 · …``."""
    return " · ".join(f"{plain(stored_text(lang, c.name_zh, c.name_en))} {sheet.scores[c.code]:g}"
                      for c in sheet.criteria if c.code in sheet.scores)


viewer = current_viewer()
lang = current_language()
round_id, project_id = id_param("round"), id_param("project")
if round_id is None or project_id is None:
    st.title(t("page.rate"))
    task_list(lang)
    st.stop()

with stop_on_data_error():
    sheet = data.rating_sheet(viewer, round_id, project_id)
st.query_params.update(round=str(round_id), project=str(project_id))  # kept in the address for the next run
st.page_link("views/rate.py", label=t("rate.back"), query_params={}, icon=":material/arrow_back:")
st.subheader(f"{plain(sheet.code)} · {plain(stored_text(lang, sheet.name_zh, sheet.name_en))}")
st.caption(f"{plain(stored_text(lang, sheet.region_zh, sheet.region_en))} · "
           f"{plain(stored_text(lang, sheet.round_name_zh, sheet.round_name_en))} · {month(sheet.period, lang)} · "
           f"{t('rate.as_group', group=group_label(sheet.rater_type, lang))}")
if st.session_state.get(SAVED_KEY) == (round_id, project_id):
    del st.session_state[SAVED_KEY]
    st.success(t("rate.saved", scores=stored_scores(sheet, lang)))
deadline = beijing_time(sheet.deadline)

if not sheet.open:  # after the deadline, or closed: what was given, read-only
    st.warning(t("rate.closed") if sheet.status == "closed" else t("rate.past_deadline", when=deadline))
    for criterion in sheet.criteria:
        given = sheet.scores.get(criterion.code)
        st.markdown(f"{score_label(criterion, lang)}：**{t('rate.not_rated') if given is None else f'{given:g}'}**")
    if sheet.comment:
        st.caption(f"{t('rate.comment')}：{plain(sheet.comment)}")
    st.stop()

st.info(t("rate.until", when=deadline))
with st.form(f"rate_{round_id}_{project_id}"):
    # No min/max on the inputs: the data layer refuses a score outside 0–100 and says which criterion.
    entered = {criterion.code: st.number_input(score_label(criterion, lang), value=sheet.scores.get(criterion.code),
                                               step=1.0, format="%g", placeholder=t("rate.placeholder"),
                                               key=f"rate_score_{criterion.code}")
               for criterion in sheet.criteria}
    comment = st.text_area(t("rate.comment"), value=sheet.comment or "", key="rate_comment")
    submitted = st.form_submit_button(t("rate.submit"), type="primary", width="stretch")
if submitted:
    missing = [score_label(c, lang) for c in sheet.criteria if entered[c.code] is None]
    if missing:
        st.error(t("rate.missing", names="、".join(missing) if lang == "zh" else ", ".join(missing)))
    else:
        try:
            rate(shared_engine(), viewer, round_id=round_id, project_id=project_id,
                 scores={code: float(score) for code, score in entered.items() if score is not None},
                 comment=comment.strip() or None)
        except DataAccessError as error:
            show_data_error(error)
        else:
            st.session_state[SAVED_KEY] = (round_id, project_id)
            st.rerun()
