"""权重调优 What-if weights: tune dimension and indicator weights and see the ranking move, live.

Presets (default scheme, equal, entropy, AHP with its consistency check, combined), re-ranking with a
movers table, rank uncertainty and the weight-stability ranges of the top k, scenarios saved as weight
schemes, two schemes side by side, and promotion of a scheme to the default (admins and analysts).

Only the weights fragment reruns when a weight moves; the normalised score matrix is cached per viewer,
period and scheme. The arithmetic lives in ``services.whatif`` (see its docstring for how category-specific
KPIs are handled); writes in ``data_access.schemes``.
"""
from __future__ import annotations

import datetime as dt
import time
from fractions import Fraction

import numpy as np
import pandas as pd
import streamlit as st

import data_access
from components.formatting import month
from components.i18n import language, name_column, t
from components.text import plain
from components.tables import download_buttons
from components.whatif_charts import movers_table, rank_uncertainty_chart, weight_stability_chart
from data_access import DataAccessError, schemes
from scoring.weight_tree import DimensionTree, tree_problems
from scoring.weights import CONSISTENCY_LIMIT
from services import whatif
from webapp import data
from webapp.data import CACHE_SECONDS
from webapp.filters import filter_projects, selected_period
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

WEIGHTS_KEY = "whatif_weights"  # {"gen", "initial", "current"}: survives visits to other pages (widgets do not)
AHP_KEY = "whatif_ahp"
FLASH_KEY, PAGE_FLASH_KEY = "whatif_flash", "whatif_page_flash"  # shown by the weights panel / atop the page
SAATY = (9, 7, 5, 3, 1, 1 / 3, 1 / 5, 1 / 7, 1 / 9)
MOVERS_HEIGHT = 420
UNCERTAINTY_ROWS = 20  # best-ranked projects in the uncertainty chart
STABILITY_ROWS = 12  # most sensitive weights in the stability chart


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _schemes(viewer: data_access.Viewer) -> pd.DataFrame:
    return schemes.list_schemes(shared_engine(), viewer)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _base(viewer: data_access.Viewer, period: dt.date | None, scheme_id: int) -> whatif.WhatIfBase:
    return whatif.load_base(shared_engine(), viewer, period, scheme_id)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _tree(viewer: data_access.Viewer, scheme_id: int) -> DimensionTree:
    return whatif.scheme_tree(data_access.weight_scheme_items(shared_engine(), viewer, scheme_id))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _entropy(viewer: data_access.Viewer, period: dt.date | None, scheme_id: int,
             project_ids: np.ndarray) -> DimensionTree:
    """Entropy weights of the projects in view (ids as an array: Streamlit hashes its bytes at once)."""
    base = _base(viewer, period, scheme_id)
    return whatif.entropy_tree(base.scores.loc[project_ids], base.indicators, base.categories.loc[project_ids])


def _entropy_in_view() -> DimensionTree:
    return _entropy(viewer, selected_period(), default_id, scores.index.to_numpy(dtype=np.int64))


# -- weights in session state ------------------------------------------------------------------------------
# The widgets are keyed by a generation number. A preset (or scaling to 100 %) stores new initial values and
# starts a new generation, so fresh widgets are drawn with them; widget values are never written through
# ``st.session_state``, which a browser can miss right after the login rerun.

def _dim_key(dimension: str, generation: int) -> str:
    return f"whatif_dim_{dimension}_{generation}"


def _kpi_key(code: str, generation: int) -> str:
    return f"whatif_kpi_{code}_{generation}"


def _weights_state(default: DimensionTree, first_dimension: str) -> dict:
    """First visit: the default scheme; back from another page (widgets forgotten): the weights left there."""
    state = st.session_state.get(WEIGHTS_KEY)
    if state is None:
        dims, shares = whatif.to_percent(default)
        state = st.session_state[WEIGHTS_KEY] = {"gen": 0, "initial": {"dims": dims, "shares": shares},
                                                 "current": None}
    elif state["current"] is not None and _dim_key(first_dimension, state["gen"]) not in st.session_state:
        state["initial"], state["gen"] = state["current"], state["gen"] + 1
    return state


def _start_generation(dims: dict[str, float], shares: dict[str, float]) -> None:
    state = st.session_state[WEIGHTS_KEY]
    state["initial"] = state["current"] = {"dims": dict(dims), "shares": dict(shares)}
    state["gen"] += 1


def _apply(tree: DimensionTree, message: str) -> None:
    """Callback: show ``tree`` in the weight widgets."""
    _start_generation(*whatif.to_percent(tree))
    st.session_state[FLASH_KEY] = message


def _current_tree() -> DimensionTree:
    current = st.session_state[WEIGHTS_KEY]["current"]
    return whatif.from_percent(current["dims"], current["shares"], dimension_of)


def _normalise(codes: list[str], level: str) -> None:
    """Callback: scale the weights of ``codes`` (dimensions or one dimension's KPIs) to 100 %."""
    current = st.session_state[WEIGHTS_KEY]["current"]
    values = current[level]
    total = sum(values[c] for c in codes)
    if total > 0:
        values = values | {c: 100.0 * values[c] / total for c in codes}
    _start_generation(**(current | {level: values}))


def _saaty_text(value: float) -> str:
    return str(int(value)) if value >= 1 else f"1/{Fraction(value).limit_denominator(9).denominator}"


def _total_line(total: float, what: str) -> None:
    if abs(total - 100.0) < 0.05:
        st.markdown(f"**{t(what, total=f'{total:.1f}')}** ✓")
    else:
        st.warning(t(what, total=f"{total:.1f}") + " — " + t("whatif.rescaled"))


# -- page ----------------------------------------------------------------------------------------------------

viewer = current_viewer()
lang = language()
engine = shared_engine()
st.title(t("page.whatif"))
with stop_on_data_error():
    scheme_list = _schemes(viewer)
    default_id = whatif.default_scheme_id(scheme_list)
    base = _base(viewer, selected_period(), default_id)
    projects = data.projects(viewer)
    categories = data.categories(viewer)

in_view = filter_projects(projects, viewer)["id"]
scores = base.scores.loc[base.scores.index.isin(in_view)]
if scores.empty:
    st.info(t("whatif.no_scores"))
    st.stop()
project_labels = (projects["code"] + " " + projects[name_column()]).set_axis(projects["id"])
indicators = base.indicators
dimension_of = indicators["dimension"]
dimension_names = base.dimensions[name_column()]
category_names = dict(zip(categories["code"], categories[name_column()]))
kpi_labels = pd.Series({code: f"{row[name_column()]}（{row['unit_' + lang]}）" if lang == "zh" else
                        f"{row[name_column()]} ({row['unit_' + lang]})" for code, row in indicators.iterrows()})
default_row = scheme_list.set_index("id").loc[default_id]
st.caption(t("whatif.caption", period=month(base.period, lang), n=f"{len(scores):,}",
             scheme=f"{default_row['name']} v{default_row['version']}")
           + (" " + t("whatif.unscored", n=len(base.unscored)) if len(base.unscored) else ""))
if PAGE_FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(PAGE_FLASH_KEY))

dimensions = list(dimension_names.index)
weight_state = _weights_state(base.tree, dimensions[0])


def _scheme_label(scheme_id: int) -> str:
    row = scheme_list.set_index("id").loc[scheme_id]
    mark = " ★" if row["is_default"] else ""
    return f"{row['name']} v{row['version']}{mark}"


def _weights_panel() -> DimensionTree | None:
    """Presets and the weight widgets; returns the tree they describe, or None when it cannot be applied."""
    st.subheader(t("whatif.weights"))
    default, equal, entropy = st.columns(3)
    default.button(t("whatif.preset_default"), key="whatif_preset_default", width="stretch",
                   on_click=_apply, args=(base.tree, t("whatif.applied", what=t("whatif.preset_default"))))
    equal.button(t("whatif.preset_equal"), key="whatif_preset_equal", width="stretch", on_click=_apply,
                 args=(whatif.equal_tree(dimension_of), t("whatif.applied", what=t("whatif.preset_equal"))))
    entropy.button(t("whatif.preset_entropy"), key="whatif_preset_entropy", width="stretch",
                   help=t("whatif.entropy_help"), on_click=_apply_entropy)
    choose, load = st.columns([3, 1], vertical_alignment="bottom")
    chosen = choose.selectbox(t("whatif.load_choice"), list(scheme_list["id"]), format_func=_scheme_label,
                              key="whatif_load_choice")
    load.button(t("whatif.load"), key="whatif_load", width="stretch", on_click=_apply,
                args=(_tree(viewer, int(chosen)), t("whatif.applied", what=plain(_scheme_label(int(chosen))))))
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY))

    generation, initial = weight_state["gen"], weight_state["initial"]
    st.markdown(f"**{t('whatif.dimension_weights')}**")
    dims = {d: st.slider(plain(dimension_names[d]), 0.0, 100.0, float(initial["dims"].get(d, 0.0)), step=0.5,
                         format="%.1f %%", key=_dim_key(d, generation)) for d in dimensions}
    shares: dict[str, float] = {}
    weight_state["current"] = {"dims": dims, "shares": shares}
    dimension_total = sum(dims.values())
    _total_line(dimension_total, "whatif.dimension_total")
    if abs(dimension_total - 100.0) >= 0.05:
        st.button(t("whatif.normalise"), key="whatif_normalise_dimensions", on_click=_normalise,
                  args=(dimensions, "dims"))

    st.markdown(f"**{t('whatif.indicator_weights')}**")
    for dimension in dimensions:
        codes = list(dimension_of.index[dimension_of == dimension])
        with st.expander(t("whatif.dimension_expander", dimension=plain(dimension_names[dimension]), n=len(codes),
                           weight=f"{dims[dimension]:.1f}")):
            columns = st.columns(2)
            for i, code in enumerate(codes):
                category = indicators.at[code, "category"]
                label = kpi_labels[code] + ("" if category is None or pd.isna(category)
                                            else f" · {category_names.get(category, category)}")
                shares[code] = columns[i % 2].number_input(
                    plain(label), min_value=0.0, max_value=100.0, value=float(initial["shares"].get(code, 0.0)), step=1.0,
                    format="%.1f", key=_kpi_key(code, generation))
            share_total = sum(shares[c] for c in codes)
            _total_line(share_total, "whatif.indicator_total")
            if abs(share_total - 100.0) >= 0.05:
                st.button(t("whatif.normalise"), key=f"whatif_normalise_{dimension}", on_click=_normalise,
                          args=(codes, "shares"))
    tree = _current_tree()
    problems = tree_problems(tree)
    for problem in problems:
        st.error(t(f"whatif.problem.{problem.code}", dimension=plain(dimension_names.get(problem.where, problem.where))))
    return None if problems else tree


def _ahp_panel(tree: DimensionTree | None) -> None:
    with st.expander(t("whatif.ahp"), expanded=AHP_KEY in st.session_state):
        st.caption(t("whatif.ahp_scale"))
        with st.form("whatif_ahp_form"):
            judgements = {}
            pairs = [(a, b) for i, a in enumerate(dimensions) for b in dimensions[i + 1:]]
            columns = st.columns(2)
            for i, (a, b) in enumerate(pairs):
                judgements[(a, b)] = columns[i % 2].select_slider(
                    t("whatif.ahp_pair", a=plain(dimension_names[a]), b=plain(dimension_names[b])), options=SAATY, value=1,
                    format_func=_saaty_text, key=f"whatif_ahp_{a}_{b}")
            if st.form_submit_button(t("whatif.ahp_compute")):
                result = whatif.ahp(judgements, dimensions)
                st.session_state[AHP_KEY] = {"weights": result.weights.to_dict(), "cr": result.cr,
                                             "lambda_max": result.lambda_max, "consistent": result.consistent}
        result = st.session_state.get(AHP_KEY)
        if result is None:
            return
        cr, lambda_max = st.columns(2)
        cr.metric(t("whatif.ahp_cr"), f"{result['cr']:.3f}")
        lambda_max.metric("λmax", f"{result['lambda_max']:.3f}")
        st.dataframe(pd.DataFrame({t("whatif.dimension"): [dimension_names[d] for d in result["weights"]],
                                   t("whatif.weight"): [f"{100 * w:.1f} %" for w in result["weights"].values()]}),
                     hide_index=True, width="stretch")
        override = False
        if result["consistent"]:
            st.success(t("whatif.ahp_consistent", cr=f"{result['cr']:.3f}", limit=CONSISTENCY_LIMIT))
        else:
            st.error(t("whatif.ahp_inconsistent", cr=f"{result['cr']:.3f}", limit=CONSISTENCY_LIMIT))
            override = st.checkbox(t("whatif.ahp_override"), key="whatif_ahp_override")
        allowed = result["consistent"] or override
        st.button(t("whatif.ahp_apply"), key="whatif_ahp_apply", disabled=not allowed or tree is None,
                  on_click=_apply_ahp)


def _ahp_allowed() -> bool:
    result = st.session_state.get(AHP_KEY)
    return result is not None and (result["consistent"] or st.session_state.get("whatif_ahp_override", False))


def _apply_ahp() -> None:
    """Callback: the AHP priorities as dimension weights, the KPI shares kept; refused when inconsistent."""
    if not _ahp_allowed():  # the button is disabled then; refuse here too
        st.session_state[FLASH_KEY] = t("whatif.ahp_refused")
        return
    _apply(whatif.with_dimension_weights(_current_tree(), st.session_state[AHP_KEY]["weights"]),
           t("whatif.applied", what=t("whatif.ahp")))


def _combined_panel(tree: DimensionTree | None) -> None:
    with st.expander(t("whatif.combined")):
        st.caption(t("whatif.combined_help"))
        sources = ["default"] + (["ahp"] if _ahp_allowed() and tree is not None else [])
        source = st.radio(t("whatif.subjective"), sources, format_func=lambda s: t(f"whatif.subjective_{s}"),
                          horizontal=True, key="whatif_subjective")
        alpha = st.slider(t("whatif.alpha"), 0.0, 1.0, 0.5, 0.05, key="whatif_alpha")
        st.button(t("whatif.combined_apply"), key="whatif_combined_apply", on_click=_apply_combined,
                  args=(source, alpha))


def _apply_entropy() -> None:
    """Callback (the entropy weights are computed on the click, then cached)."""
    _apply(_entropy_in_view(), t("whatif.applied", what=t("whatif.preset_entropy")))


def _apply_combined(source: str, alpha: float) -> None:
    """Callback: α × subjective (the default scheme, or the AHP dimension weights) + (1 − α) × entropy."""
    subjective = base.tree
    if source == "ahp" and _ahp_allowed():
        subjective = whatif.with_dimension_weights(_current_tree(), st.session_state[AHP_KEY]["weights"])
    _apply(whatif.combined_tree(subjective, _entropy_in_view(), alpha, indicators),
           t("whatif.applied", what=t("whatif.combined")))


def _save_panel(tree: DimensionTree | None) -> None:
    if viewer.role not in schemes.SCENARIO_ROLES:
        return
    with st.form("whatif_save_form", clear_on_submit=True):
        st.markdown(f"**{t('whatif.save_title')}**")
        name = st.text_input(t("whatif.save_name"), key="whatif_save_name", help=t("whatif.save_name_help"))
        description = st.text_input(t("whatif.save_description"), key="whatif_save_description")
        if st.form_submit_button(t("whatif.save"), disabled=tree is None):
            try:
                saved = schemes.save_scenario(engine, viewer, name=name, weights=tree, description=description)
            except DataAccessError as error:
                show_data_error(error)
                return
            _schemes.clear()
            _tree.clear()
            st.session_state[PAGE_FLASH_KEY] = t("whatif.saved", name=plain(saved.name), version=saved.version)
            st.rerun(scope="app")


def _results_panel(new: pd.Series) -> None:
    started = time.perf_counter()
    compared = whatif.compare(scores, base.weights, new)
    table = movers_table(compared, project_labels, lang)
    elapsed = time.perf_counter() - started
    st.subheader(t("whatif.results"))
    moved = compared["rank_change"].fillna(0) != 0
    top_k = int(st.session_state.get("whatif_top_k", 10))
    base_top = set(compared.index[compared["base_rank"].fillna(10 ** 9) <= top_k])
    new_top = set(compared.index[compared["new_rank"].fillna(10 ** 9) <= top_k])
    rises, falls = compared["rank_change"].max(), compared["rank_change"].min()
    kpis = st.columns(4)
    kpis[0].metric(t("whatif.moved"), f"{int(moved.sum()):,} / {len(compared):,}")
    kpis[1].metric(t("whatif.top_k_changed", k=top_k), f"{len(new_top - base_top)}")
    kpis[2].metric(t("whatif.biggest_rise"), "—" if pd.isna(rises) or rises <= 0 else f"▲ {int(rises)}")
    kpis[3].metric(t("whatif.biggest_fall"), "—" if pd.isna(falls) or falls >= 0 else f"▼ {int(-falls)}")
    st.dataframe(table, hide_index=True, width="stretch", height=MOVERS_HEIGHT, key="whatif_movers",
                 column_config={table.columns[0]: st.column_config.TextColumn(width="medium")})
    st.caption(t("whatif.timing", ms=f"{elapsed * 1000:.0f}"))
    download_buttons(table, "whatif_movers", "whatif_movers_download", deferred=True)

    st.subheader(t("whatif.robustness"))
    controls = st.columns(3)
    top_k = int(controls[0].number_input(t("whatif.top_k"), 1, 50, 10, 1, key="whatif_top_k"))
    samples = int(controls[1].selectbox(t("whatif.samples"), [200, 500, 1000], key="whatif_samples"))
    concentration = float(controls[2].select_slider(t("whatif.concentration"), [25, 50, 100, 200, 400], 100,
                                                    key="whatif_concentration", help=t("whatif.concentration_help")))
    uncertainty = whatif.rank_uncertainty(scores, new, samples=samples, concentration=concentration, top_k=top_k)
    uncertain = uncertainty.assign(label=project_labels.reindex(uncertainty.index).to_numpy())
    shown = max(UNCERTAINTY_ROWS, top_k)
    st.markdown(f"**{t('whatif.uncertainty_title', k=top_k)}**")
    st.caption(t("whatif.uncertainty_help", n=shown, samples=samples))
    figure = rank_uncertainty_chart(uncertain, top_k, lang, top_n=shown)
    worst = uncertain.dropna(subset=["rank"]).sort_values(["rank", "rank_p50"], kind="stable").head(shown)["rank_p95"]
    if len(worst):  # zoom on the rows shown (the builder's axis spans every rank), leaving room for the text
        figure.update_xaxes(range=[0.5, float(worst.max()) * 1.25 + 3])
    st.plotly_chart(figure, width="stretch", key="whatif_uncertainty_chart")
    st.markdown(f"**{t('whatif.stability_title', k=top_k)}**")
    stable = whatif.stability(scores, new, top_k)
    if stable is None:
        st.info(t("whatif.stability_none"))
        return
    width = stable["upper"] - stable["lower"]  # narrow = the top k changes soon, whichever way the weight moves
    sensitive = stable.loc[width.sort_values(kind="stable").index[:STABILITY_ROWS]]
    st.caption(t("whatif.stability_help", n=len(sensitive), total=len(stable)))
    figure = weight_stability_chart(sensitive, kpi_labels, top_k, lang)
    figure.update_xaxes(range=[0, min(100.0, float(sensitive["upper"].max()) * 115 + 2)])  # zoom on the ranges
    st.plotly_chart(figure, width="stretch", key="whatif_stability_chart")


@st.fragment
def tuning() -> None:
    """Everything that depends on the weights: moving one reruns only this."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        tree = _weights_panel()
        _ahp_panel(tree)
        _combined_panel(tree)
        _save_panel(tree)
    with right:
        if tree is None:
            st.info(t("whatif.fix_weights"))
            return
        _results_panel(whatif.flat_weights(tree, indicators.index))


def compare_schemes() -> None:
    """Two stored schemes side by side: their dimension weights and who moves between them."""
    ids = list(scheme_list["id"])
    others = [i for i in ids if i != default_id]
    left, right = st.columns(2)
    first = left.selectbox(t("whatif.scheme_a"), ids, index=ids.index(default_id), format_func=_scheme_label,
                           key="whatif_compare_a")
    second = right.selectbox(t("whatif.scheme_b"), ids, index=ids.index(others[0]) if others else 0,
                             format_func=_scheme_label, key="whatif_compare_b")
    tree_a, tree_b = _tree(viewer, int(first)), _tree(viewer, int(second))
    try:
        flat_a = whatif.flat_weights(tree_a, indicators.index)
        flat_b = whatif.flat_weights(tree_b, indicators.index)
    except ValueError:
        st.error(t("whatif.scheme_unusable"))
        return
    dims_a, dims_b = (flat.groupby(dimension_of).sum().reindex(dimensions) * 100 for flat in (flat_a, flat_b))
    side = pd.DataFrame({t("whatif.dimension"): [dimension_names[d] for d in dimensions],
                         _scheme_label(int(first)): [f"{v:.1f} %" for v in dims_a],
                         _scheme_label(int(second)): [f"{v:.1f} %" for v in dims_b],
                         t("whatif.difference"): [f"{b - a:+.1f} pp" if lang == "en" else f"{b - a:+.1f} 个百分点"
                                                  for a, b in zip(dims_a, dims_b)]})
    compared = whatif.compare(scores, flat_a, flat_b)
    ranked = compared.dropna(subset=["base_rank", "new_rank"])
    correlation = ranked["base_rank"].astype(float).corr(ranked["new_rank"].astype(float), method="spearman") \
        if len(ranked) > 1 else float("nan")
    top_a = set(compared.index[compared["base_rank"].fillna(10 ** 9) <= 10])
    top_b = set(compared.index[compared["new_rank"].fillna(10 ** 9) <= 10])
    kpis = st.columns(3)
    kpis[0].metric(t("whatif.rank_correlation"), "—" if pd.isna(correlation) else f"{correlation:.3f}")
    kpis[1].metric(t("whatif.top10_overlap"), f"{len(top_a & top_b)} / {len(top_a)}")
    kpis[2].metric(t("whatif.moved"), f"{int((compared['rank_change'].fillna(0) != 0).sum()):,} / {len(compared):,}")
    weights_column, movers_column = st.columns([2, 3], gap="large")
    weights_column.dataframe(side, hide_index=True, width="stretch", key="whatif_compare_weights")
    table = movers_table(compared, project_labels, lang)
    with movers_column:
        st.dataframe(table, hide_index=True, width="stretch", height=MOVERS_HEIGHT, key="whatif_compare_movers",
                     column_config={table.columns[0]: st.column_config.TextColumn(width="medium")})
        download_buttons(table, "whatif_compare", "whatif_compare_download", deferred=True)


def manage_schemes() -> None:
    """The stored schemes, with delete (own scenarios for leaders) and promote (admins and analysts)."""
    shown = pd.DataFrame({
        t("whatif.scheme_name"): scheme_list["name"], t("whatif.version"): scheme_list["version"],
        t("whatif.is_default"): scheme_list["is_default"].map(lambda d: "★ " + t("whatif.default") if d else ""),
        t("whatif.created_by"): scheme_list["created_by_name"].fillna("—"),
        t("whatif.created_at"): pd.to_datetime(scheme_list["created_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        t("whatif.description"): scheme_list["description"].fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="whatif_scheme_table")
    chosen = st.selectbox(t("whatif.manage_choice"), list(scheme_list["id"]), format_func=_scheme_label,
                          key="whatif_manage_choice")
    row = scheme_list.set_index("id").loc[chosen]
    actions = st.columns(2)
    with actions[0]:
        if schemes.may_promote(viewer):
            confirm = st.checkbox(t("whatif.promote_confirm", name=plain(_scheme_label(int(chosen)))),
                                  key="whatif_promote_confirm", disabled=bool(row["is_default"]))
            if st.button(t("whatif.promote"), key="whatif_promote", type="primary",
                         disabled=bool(row["is_default"]) or not confirm):
                try:
                    schemes.promote_scheme(engine, viewer, int(chosen), expected_default_id=default_id)
                except DataAccessError as error:
                    show_data_error(error)
                else:
                    data.invalidate()  # every score on every page changes
                    st.session_state[PAGE_FLASH_KEY] = t("whatif.promoted", name=plain(_scheme_label(int(chosen))))
                    st.rerun()
        else:
            st.caption(t("whatif.promote_not_allowed"))
    with actions[1]:
        if schemes.may_change(viewer, None if pd.isna(row["created_by"]) else int(row["created_by"]),
                              bool(row["is_default"])):
            if st.button(t("whatif.delete"), key="whatif_delete"):
                try:
                    schemes.delete_scenario(engine, viewer, int(chosen))
                except DataAccessError as error:
                    show_data_error(error)
                else:
                    _schemes.clear()
                    _tree.clear()
                    st.session_state[PAGE_FLASH_KEY] = t("whatif.deleted", name=plain(_scheme_label(int(chosen))))
                    st.rerun()
        else:
            st.caption(t("whatif.delete_not_allowed"))


tune_tab, compare_tab, manage_tab = st.tabs([t("whatif.tab_tune"), t("whatif.tab_compare"), t("whatif.tab_manage")])
with tune_tab:
    tuning()
with compare_tab:
    compare_schemes()
with manage_tab:
    manage_schemes()
