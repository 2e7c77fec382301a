"""Project targets: per project and level-3 indicator, the target, a baseline and a weight override.

An empty baseline or weight cell keeps what is stored, so a file of targets alone wipes nothing.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from data_access import writes
from data_access.imports.base import (
    Planned,
    finish,
    joined,
    objects,
    project_rows,
    report_duplicates,
)
from data_access.imports.entities import PROJECT_TARGET, compare
from data_access.policy import Viewer

NUMBERS = {"target_value": ("目标值", "Target"), "baseline_value": ("基期值", "Baseline"),
           "weight_override": ("权重", "Weight")}


def plan(session: Session, actor: Viewer, rows: pd.DataFrame, sheet: str) -> Planned:
    findings, usable, projects, indicators = project_rows(session, actor, "targets", rows, sheet)
    numbers = {name: pd.to_numeric(usable[name], errors="coerce").astype(float) for name in NUMBERS}
    for name, (zh, en) in NUMBERS.items():
        low = 0.0 if name == "weight_override" else -writes.MAX_VALUE
        values = numbers[name]
        bad = values.notna() & ~((values >= low) & (values <= writes.MAX_VALUE))
        findings.add_where(bad, usable, name, lambda _row, zh=zh, en=en, low=low: (
            f"{zh}须在 {low:,.15g} 到 {writes.MAX_VALUE:,.15g} 之间",
            f"{en} must be between {low:,.15g} and {writes.MAX_VALUE:,.15g}"))
    report_duplicates(findings, usable, "targets")

    good = usable.index[~usable.index.isin(list(findings.bad_rows))]
    keyed = pd.DataFrame({
        "project_id": usable.loc[good, "project_code"].map(lambda code: projects[code].id),
        "indicator_id": usable.loc[good, "indicator_code"].map(lambda code: indicators[code].id),
        **{name: objects(numbers[name].loc[good]) for name in NUMBERS},
    }, index=good)
    resolved = compare(session, PROJECT_TARGET, keyed)
    resolved["indicator_code"] = usable.loc[good, "indicator_code"]
    resolved["entity_key"] = joined(usable.loc[good, "project_code"], usable.loc[good, "indicator_code"])
    return finish("targets", sheet, rows, findings, resolved)
