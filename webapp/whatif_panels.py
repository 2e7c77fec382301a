"""The 调权 (tune) tab of the what-if page: presets and weight widgets, AHP, combined weights, saving a
scenario, and the re-ranking with its robustness. Every panel takes what it shows as arguments
(:class:`WhatIfView`, :class:`~webapp.weight_editor.WeightEditor`)."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import streamlit as st

from components.tables import download_buttons
from components.text import plain
from components.whatif_charts import movers_table, rank_uncertainty_chart, weight_stability_chart
from data_access import DataAccessError
from data_access import schemes as scheme_store
from data_access.policy import Action, Viewer, allowed
from scoring.weight_tree import DimensionTree, tree_problems
from scoring.weights import CONSISTENCY_LIMIT
from services import whatif
from webapp import whatif_data
from webapp.i18n import t
from webapp.session import shared_engine, show_data_error
from webapp.weight_editor import Level, WeightEditor

AHP_KEY, AHP_OVERRIDE_KEY = "whatif_ahp", "whatif_ahp_override"
PAGE_FLASH_KEY = "whatif_page_flash"  # what a save, delete or promotion did, shown atop the page
SAATY = (9, 7, 5, 3, 1, 1 / 3, 1 / 5, 1 / 7, 1 / 9)
MOVERS_HEIGHT = 420
UNCERTAINTY_ROWS = 20  # best-ranked projects in the uncertainty chart
STABILITY_ROWS = 12  # most sensitive weights in the stability chart


@dataclass(frozen=True)
class WhatIfView:
    """What the what-if panels show, built once per run by the page."""

    viewer: Viewer
    lang: str
    period: dt.date | None  # the sidebar's period (None: the latest)
    base: whatif.WhatIfBase
    scores: pd.DataFrame  # ``base.scores`` of the projects the sidebar filter keeps
    schemes: pd.DataFrame  # every stored scheme (``data_access.schemes.list_schemes``)
    default_id: int
    project_labels: pd.Series  # project id → "code name"
    dimension_names: pd.Series  # dimension code → name, in library order
    kpi_labels: pd.Series  # KPI code → "name (unit)"
    category_names: dict[str, str]

    @property
    def indicators(self) -> pd.DataFrame:
        return self.base.indicators

    @property
    def dimension_of(self) -> pd.Series:
        return self.base.indicators["dimension"]

    @property
    def dimensions(self) -> list[str]:
        return list(self.dimension_names.index)

    def scheme_label(self, scheme_id: int) -> str:
        row = self.schemes.set_index("id").loc[scheme_id]
        return f"{row['name']} v{row['version']}" + (" ★" if row["is_default"] else "")


def flash_page(message: str) -> None:
    """Show ``message`` atop the page on the next run."""
    st.session_state[PAGE_FLASH_KEY] = message


def show_page_flash() -> None:
    if PAGE_FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(PAGE_FLASH_KEY))


@st.fragment
def tune_tab(view: WhatIfView, editor: WeightEditor) -> None:
    """Everything that depends on the weights: moving one reruns only this."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        tree = weights_panel(view, editor)
        ahp_panel(view, editor, tree)
        combined_panel(view, editor, tree)
        save_panel(view, tree)
    with right:
        if tree is None:
            st.info(t("whatif.fix_weights"))
            return
        results_panel(view, whatif.flat_weights(tree, view.indicators.index))


def weights_panel(view: WhatIfView, editor: WeightEditor) -> DimensionTree | None:
    """Presets and the weight widgets; returns the tree they describe, or None when it cannot be applied."""
    st.subheader(t("whatif.weights"))
    default, equal, entropy = st.columns(3)
    default.button(t("whatif.preset_default"), key="whatif_preset_default", width="stretch",
                   on_click=editor.reset, args=(t("whatif.applied", what=t("whatif.preset_default")),))
    equal.button(t("whatif.preset_equal"), key="whatif_preset_equal", width="stretch", on_click=editor.apply,
                 args=(whatif.equal_tree(view.dimension_of), t("whatif.applied", what=t("whatif.preset_equal"))))
    entropy.button(t("whatif.preset_entropy"), key="whatif_preset_entropy", width="stretch",
                   help=t("whatif.entropy_help"), on_click=_apply_entropy, args=(view, editor))
    choose, load = st.columns([3, 1], vertical_alignment="bottom")
    chosen = int(choose.selectbox(t("whatif.load_choice"), list(view.schemes["id"]), format_func=view.scheme_label,
                                  key="whatif_load_choice"))
    load.button(t("whatif.load"), key="whatif_load", width="stretch", on_click=editor.apply,
                args=(whatif_data.scheme_tree(view.viewer, chosen),
                      t("whatif.applied", what=plain(view.scheme_label(chosen)))))
    if (message := editor.pop_flash()) is not None:
        st.success(message)

    initial, dimension_of, names = editor.initial, view.dimension_of, view.dimension_names
    st.markdown(f"**{t('whatif.dimension_weights')}**")
    dims = {d: st.slider(plain(names[d]), 0.0, 100.0, float(initial["dims"].get(d, 0.0)), step=0.5,
                         format="%.1f %%", key=editor.dimension_key(d)) for d in view.dimensions}
    _total_line(sum(dims.values()), "whatif.dimension_total", "whatif_normalise_dimensions", editor,
                view.dimensions, "dims")

    st.markdown(f"**{t('whatif.indicator_weights')}**")
    shares: dict[str, float] = {}
    for dimension in view.dimensions:
        codes = list(dimension_of.index[dimension_of == dimension])
        with st.expander(t("whatif.dimension_expander", dimension=plain(names[dimension]), n=len(codes),
                           weight=f"{dims[dimension]:.1f}")):
            columns = st.columns(2)
            for i, code in enumerate(codes):
                category = view.indicators.at[code, "category"]
                label = view.kpi_labels[code] + ("" if category is None or pd.isna(category)
                                                 else f" · {view.category_names.get(category, category)}")
                shares[code] = columns[i % 2].number_input(
                    plain(label), min_value=0.0, max_value=100.0, value=float(initial["shares"].get(code, 0.0)),
                    step=1.0, format="%.1f", key=editor.indicator_key(code))
            _total_line(sum(shares[c] for c in codes), "whatif.indicator_total", f"whatif_normalise_{dimension}",
                        editor, codes, "shares")
    editor.record(dims, shares)
    tree = editor.current_tree()
    problems = tree_problems(tree)
    for problem in problems:
        st.error(t(f"whatif.problem.{problem.code}", dimension=plain(names.get(problem.where, problem.where))))
    return None if problems else tree


def _total_line(total: float, what: str, button_key: str, editor: WeightEditor, codes: list[str],
                level: Level) -> None:
    """The total of one level of weights; off 100 %: a warning and a button scaling them to 100 %."""
    if abs(total - 100.0) < 0.05:
        st.markdown(f"**{t(what, total=f'{total:.1f}')}** ✓")
        return
    st.warning(t(what, total=f"{total:.1f}") + " — " + t("whatif.rescaled"))
    st.button(t("whatif.normalise"), key=button_key, on_click=editor.normalise, args=(codes, level))


def _saaty_text(value: float) -> str:
    return str(int(value)) if value >= 1 else f"1/{Fraction(value).limit_denominator(9).denominator}"


def ahp_panel(view: WhatIfView, editor: WeightEditor, tree: DimensionTree | None) -> None:
    """Pairwise judgements of the dimensions → AHP priorities, applied only when consistent (or overridden)."""
    names = view.dimension_names
    with st.expander(t("whatif.ahp"), expanded=AHP_KEY in st.session_state):
        st.caption(t("whatif.ahp_scale"))
        with st.form("whatif_ahp_form"):
            judgements = {}
            dimensions = view.dimensions
            pairs = [(a, b) for i, a in enumerate(dimensions) for b in dimensions[i + 1:]]
            columns = st.columns(2)
            for i, (a, b) in enumerate(pairs):
                judgements[(a, b)] = columns[i % 2].select_slider(
                    t("whatif.ahp_pair", a=plain(names[a]), b=plain(names[b])), options=SAATY, value=1,
                    format_func=_saaty_text, key=f"whatif_ahp_{a}_{b}")
            if st.form_submit_button(t("whatif.ahp_compute")):
                computed = whatif.ahp(judgements, dimensions)
                st.session_state[AHP_KEY] = {"weights": computed.weights.to_dict(), "cr": computed.cr,
                                             "lambda_max": computed.lambda_max, "consistent": computed.consistent}
        result = st.session_state.get(AHP_KEY)
        if result is None:
            return
        cr, lambda_max = st.columns(2)
        cr.metric(t("whatif.ahp_cr"), f"{result['cr']:.3f}")
        lambda_max.metric("λmax", f"{result['lambda_max']:.3f}")
        st.dataframe(pd.DataFrame({t("whatif.dimension"): [names[d] for d in result["weights"]],
                                   t("whatif.weight"): [f"{100 * w:.1f} %" for w in result["weights"].values()]}),
                     hide_index=True, width="stretch")
        if result["consistent"]:
            st.success(t("whatif.ahp_consistent", cr=f"{result['cr']:.3f}", limit=CONSISTENCY_LIMIT))
        else:
            st.error(t("whatif.ahp_inconsistent", cr=f"{result['cr']:.3f}", limit=CONSISTENCY_LIMIT))
            st.checkbox(t("whatif.ahp_override"), key=AHP_OVERRIDE_KEY)
        st.button(t("whatif.ahp_apply"), key="whatif_ahp_apply", disabled=not _ahp_allowed() or tree is None,
                  on_click=_apply_ahp, args=(editor,))


def _ahp_allowed() -> bool:
    """An AHP result exists and is consistent, or the user overrode the check."""
    result = st.session_state.get(AHP_KEY)
    return result is not None and (result["consistent"] or st.session_state.get(AHP_OVERRIDE_KEY, False))


def _ahp_tree(editor: WeightEditor) -> DimensionTree:
    """The AHP priorities as dimension weights, the KPI shares the widgets show."""
    return whatif.with_dimension_weights(editor.current_tree(), st.session_state[AHP_KEY]["weights"])


def _apply_ahp(editor: WeightEditor) -> None:
    """Callback; refused when inconsistent (the button is disabled then; refuse here too)."""
    if not _ahp_allowed():
        editor.flash(t("whatif.ahp_refused"))
        return
    editor.apply(_ahp_tree(editor), t("whatif.applied", what=t("whatif.ahp")))


def combined_panel(view: WhatIfView, editor: WeightEditor, tree: DimensionTree | None) -> None:
    """组合赋权: α × subjective (the default scheme, or the AHP dimension weights) + (1 − α) × entropy."""
    with st.expander(t("whatif.combined")):
        st.caption(t("whatif.combined_help"))
        sources = ["default"] + (["ahp"] if _ahp_allowed() and tree is not None else [])
        source = st.radio(t("whatif.subjective"), sources, format_func=lambda s: t(f"whatif.subjective_{s}"),
                          horizontal=True, key="whatif_subjective")
        alpha = st.slider(t("whatif.alpha"), 0.0, 1.0, 0.5, 0.05, key="whatif_alpha")
        st.button(t("whatif.combined_apply"), key="whatif_combined_apply", on_click=_apply_combined,
                  args=(view, editor, source, alpha))


def _entropy_in_view(view: WhatIfView) -> DimensionTree:
    return whatif_data.entropy(view.viewer, view.period, view.default_id, view.scores.index.to_numpy(dtype=np.int64))


def _apply_entropy(view: WhatIfView, editor: WeightEditor) -> None:
    """Callback (the entropy weights are computed on the click, then cached)."""
    editor.apply(_entropy_in_view(view), t("whatif.applied", what=t("whatif.preset_entropy")))


def _apply_combined(view: WhatIfView, editor: WeightEditor, source: str, alpha: float) -> None:
    subjective = _ahp_tree(editor) if source == "ahp" and _ahp_allowed() else view.base.tree
    editor.apply(whatif.combined_tree(subjective, _entropy_in_view(view), alpha, view.indicators),
                 t("whatif.applied", what=t("whatif.combined")))


def save_panel(view: WhatIfView, tree: DimensionTree | None) -> None:
    """Save the weights shown as a scenario (admins, leaders and analysts)."""
    if not allowed(view.viewer, Action.SAVE_SCENARIO):
        return
    with st.form("whatif_save_form", clear_on_submit=True):
        st.markdown(f"**{t('whatif.save_title')}**")
        name = st.text_input(t("whatif.save_name"), key="whatif_save_name", help=t("whatif.save_name_help"))
        description = st.text_input(t("whatif.save_description"), key="whatif_save_description")
        if st.form_submit_button(t("whatif.save"), disabled=tree is None) and tree is not None:
            try:
                saved = scheme_store.save_scenario(shared_engine(), view.viewer, name=name, weights=tree,
                                                   description=description)
            except DataAccessError as error:
                show_data_error(error)
                return
            flash_page(t("whatif.saved", name=plain(saved.name), version=saved.version))
            st.rerun(scope="app")


def results_panel(view: WhatIfView, new: pd.Series) -> None:
    """The re-ranking under ``new`` (flat KPI weights): headline figures, movers, and how robust the top is."""
    started = time.perf_counter()
    compared = whatif.compare(view.scores, view.base.weights, new)
    table = movers_table(compared, view.project_labels, view.lang)
    elapsed = time.perf_counter() - started
    st.subheader(t("whatif.results"))
    top_k = int(st.session_state.get("whatif_top_k", 10))  # the robustness control below
    figures = whatif.summary(compared["base_rank"], compared["new_rank"], top_k)
    kpis = st.columns(4)
    kpis[0].metric(t("whatif.moved"), f"{figures.moved:,} / {figures.projects:,}")
    kpis[1].metric(t("whatif.top_k_changed", k=top_k), f"{figures.entered_top_k}")
    kpis[2].metric(t("whatif.biggest_rise"), "—" if figures.biggest_rise is None else f"▲ {figures.biggest_rise}")
    kpis[3].metric(t("whatif.biggest_fall"), "—" if figures.biggest_fall is None else f"▼ {figures.biggest_fall}")
    st.dataframe(table, hide_index=True, width="stretch", height=MOVERS_HEIGHT, key="whatif_movers",
                 column_config={table.columns[0]: st.column_config.TextColumn(width="medium")})
    st.caption(t("whatif.timing", ms=f"{elapsed * 1000:.0f}"))
    download_buttons(table, "whatif_movers", "whatif_movers_download", lang=view.lang)
    _robustness(view, new)


def _robustness(view: WhatIfView, new: pd.Series) -> None:
    """How sure the top k is: rank uncertainty under random weights near ``new``, and weight-stability ranges."""
    st.subheader(t("whatif.robustness"))
    controls = st.columns(3)
    top_k = int(controls[0].number_input(t("whatif.top_k"), 1, 50, 10, 1, key="whatif_top_k"))
    samples = int(controls[1].selectbox(t("whatif.samples"), [200, 500, 1000], key="whatif_samples"))
    concentration = float(controls[2].select_slider(t("whatif.concentration"), [25, 50, 100, 200, 400], 100,
                                                    key="whatif_concentration", help=t("whatif.concentration_help")))
    uncertainty = whatif.rank_uncertainty(view.scores, new, samples=samples, concentration=concentration, top_k=top_k)
    uncertain = uncertainty.assign(label=view.project_labels.reindex(uncertainty.index).to_numpy())
    shown = max(UNCERTAINTY_ROWS, top_k)
    st.markdown(f"**{t('whatif.uncertainty_title', k=top_k)}**")
    st.caption(t("whatif.uncertainty_help", n=shown, samples=samples))
    figure = rank_uncertainty_chart(uncertain, top_k, view.lang, top_n=shown)
    worst = uncertain.dropna(subset=["rank"]).sort_values(["rank", "rank_p50"], kind="stable").head(shown)["rank_p95"]
    if len(worst):  # zoom on the rows shown (the builder's axis spans every rank), leaving room for the text
        figure.update_xaxes(range=[0.5, float(worst.max()) * 1.25 + 3])
    st.plotly_chart(figure, width="stretch", key="whatif_uncertainty_chart")
    st.markdown(f"**{t('whatif.stability_title', k=top_k)}**")
    stable = whatif.stability(view.scores, new, top_k)
    if stable is None:
        st.info(t("whatif.stability_none"))
        return
    width = stable["upper"] - stable["lower"]  # narrow = the top k changes soon, whichever way the weight moves
    sensitive = stable.loc[width.sort_values(kind="stable").index[:STABILITY_ROWS]]
    st.caption(t("whatif.stability_help", n=len(sensitive), total=len(stable)))
    figure = weight_stability_chart(sensitive, view.kpi_labels, top_k, view.lang)
    figure.update_xaxes(range=[0, min(100.0, float(sensitive["upper"].max()) * 115 + 2)])  # zoom on the ranges
    st.plotly_chart(figure, width="stretch", key="whatif_stability_chart")
