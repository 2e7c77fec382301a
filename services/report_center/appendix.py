"""The appendix: how the scores are made (methodology) and what makes the report checkable (provenance).

The methodology states what the engine does, read from it: the normalisation methods the scored indicators
use (``services.scores.load_model``), the default weight scheme's dimension weights, the missing-data policy
(``scoring.composite`` renormalises over the KPIs with data and scores a project only when they carry at least
``scoring.aggregation.MIN_COVERAGE`` of its weight) and the grade bands (``scoring.ranking``).
"""
from __future__ import annotations

import datetime as dt
import functools
import subprocess
import tomllib
from pathlib import Path

import pandas as pd

from components.i18n import name_suffix, translate
from data_access import latest_period, list_indicators, list_weight_schemes, weight_scheme_items
from data_access.audit import chain_head
from data_access.db import data_version
from scoring.aggregation import MIN_COVERAGE
from scoring.ranking import DEFAULT_GRADE_BANDS
from services.report_center.blocks import Provenance, Section, Table
from services.report_center.facts import Facts
from services.report_center.wording import grade_of

ROOT = Path(__file__).resolve().parents[2]
METHOD_KEYS = {"target": "rc.method.target", "minmax": "rc.method.minmax", "band": "rc.method.band",
               "threshold": "rc.method.threshold"}


@functools.cache
def software_version() -> str:
    """perfdash's version from pyproject.toml, with the short git commit when the code runs from a checkout."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return str(version)
    return f"{version}+{commit}" if commit else str(version)


def default_scheme(facts: Facts) -> pd.Series:
    """The default weight scheme's row: id, name, version, description, is_default, created_at."""
    schemes = list_weight_schemes(facts.engine, facts.viewer)
    return schemes[schemes["is_default"].astype(bool)].iloc[0]


def provenance(facts: Facts, now: dt.datetime) -> Provenance:
    """Scheme, data version and time, software, and the audit chain's head at ``now``."""
    scheme = default_scheme(facts)
    entry_id, entry_hash = chain_head(facts.engine)
    return Provenance(scheme_id=int(scheme["id"]), scheme_name=str(scheme["name"]),
                      data_version=data_version(facts.engine), data_as_of=latest_period(facts.engine, facts.viewer),
                      software_version=software_version(), audit_entry_id=entry_id or None,
                      audit_entry_hash=entry_hash if entry_id else None, built_at=now)


def provenance_section(facts: Facts, stated: Provenance) -> Section:
    """The provenance as a two-column table (the same facts as ``ReportContent.provenance``)."""
    lang = facts.lang
    rows = [
        ("rc.prov.scheme", f"{stated.scheme_name} (#{stated.scheme_id})"),
        ("rc.prov.data_version", str(stated.data_version)),
        ("rc.prov.data_as_of", "—" if stated.data_as_of is None else f"{stated.data_as_of:%Y-%m}"),
        ("rc.prov.month", f"{facts.month:%Y-%m}"),
        ("rc.prov.software", stated.software_version),
        ("rc.prov.audit_id", "—" if stated.audit_entry_id is None else str(stated.audit_entry_id)),
        ("rc.prov.audit_hash", stated.audit_entry_hash or "—"),
    ]
    table = pd.DataFrame({translate("rc.col.item", lang): [translate(key, lang) for key, _ in rows],
                          translate("rc.col.value", lang): [value for _, value in rows]})
    return Section("provenance", translate("rc.heading.provenance", lang),
                   paragraphs=(translate("rc.prov.words", lang),),
                   tables=(Table("provenance", translate("rc.prov.caption", lang), table),))


def methodology(facts: Facts) -> Section:
    """Normalisation methods in use, the weight scheme with its dimension weights, missing data, grade bands."""
    lang = facts.lang
    model = facts.model
    used = model.specs.loc[model.weights[model.weights > 0].index, "method"].value_counts()
    methods = [translate(METHOD_KEYS[method], lang, n=int(used[method])) for method in METHOD_KEYS if method in used]
    scheme = default_scheme(facts)
    items = weight_scheme_items(facts.engine, facts.viewer, int(scheme["id"]))
    dimensions = items[items["indicator_code"].isna()].set_index("dimension")["weight"].astype(float)
    library = list_indicators(facts.engine, facts.viewer)
    names = library[library["level"] == 1].set_index("dimension")[f"name_{name_suffix(lang)}"]
    kpis = items.dropna(subset=["indicator_code"]).groupby("dimension").size()
    weights = pd.DataFrame({
        translate("rc.col.dimension", lang): [str(names.get(d, d)) for d in dimensions.index],
        translate("rc.col.weight", lang): (dimensions / dimensions.sum() * 100).round(1).to_numpy(),
        translate("rc.col.kpis", lang): [int(kpis.get(d, 0)) for d in dimensions.index],
    })
    bands = [(label, minimum) for label, minimum in DEFAULT_GRADE_BANDS.items()]
    band_rows = pd.DataFrame({
        translate("rc.col.grade", lang): [grade_of(minimum if minimum > 0 else 0.0, lang) for _, minimum in bands],
        translate("rc.col.minimum", lang): [minimum if minimum > 0 else 0.0 for _, minimum in bands],
    })
    created = pd.Timestamp(scheme["created_at"])
    paragraphs = (
        translate("rc.method.intro", lang),
        *methods,
        translate("rc.method.scheme", lang, name=str(scheme["name"]), id=int(scheme["id"]),
                  created=f"{created:%Y-%m-%d}"),
        translate("rc.method.missing", lang, coverage=f"{MIN_COVERAGE * 100:.0f}"),
        translate("rc.method.grades", lang),
    )
    return Section("methodology", translate("rc.heading.methodology", lang), paragraphs=paragraphs, tables=(
        Table("weights", translate("rc.method.weights_caption", lang), weights),
        Table("grade_bands", translate("rc.method.bands_caption", lang), band_rows)))
