"""Milestones, identified by project and number: names, planned and actual dates, percent complete, owner.

The owner must be someone who can take the work on (an active admin, official or manager who can see the
project), as in the milestone form. Empty optional cells keep what is stored (new rows: the English name is
the Chinese one, progress 0, no owner).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, tuple_
from sqlalchemy.orm import Session

from data_access.imports.base import (
    Planned,
    active_users_by_name,
    chunks,
    finish,
    is_blank,
    joined,
    objects,
    project_rows,
    report_duplicates,
)
from data_access.imports.entities import MILESTONE, compare
from data_access.models import Milestone, Project
from data_access.policy import ALLOWED, Action, Viewer
from data_access.scope import can_take_on, scoped_projects

MAX_SEQ = 10_000


def plan(session: Session, actor: Viewer, rows: pd.DataFrame, sheet: str) -> Planned:
    findings, usable, projects, _ = project_rows(session, actor, "milestones", rows, sheet)

    seq = pd.to_numeric(usable["seq"], errors="coerce").astype(float)
    findings.add_where(~((seq >= 1) & (seq <= MAX_SEQ) & (seq % 1 == 0)), usable, "seq", lambda _row: (
        f"序号须为 1 到 {MAX_SEQ} 之间的整数", f"The number must be a whole number from 1 to {MAX_SEQ}"))
    ordered = pd.Series([bool(end >= start) for start, end in zip(usable["planned_start"], usable["planned_end"],
                                                                  strict=True)], index=usable.index, dtype=bool)
    findings.add_where(~ordered, usable, "planned_end", lambda _row: (
        "计划完成日期早于计划开始日期", "The planned end is before the planned start"))

    named = ~is_blank(usable["owner"])
    owners = active_users_by_name(session, usable.loc[named, "owner"].unique())
    can_own: dict[tuple[str, str], bool] = {}
    for number in usable.index[named.to_numpy()]:
        owner, code = usable.at[number, "owner"], usable.at[number, "project_code"]
        if code not in projects:
            continue
        if (owner, code) not in can_own:
            user = owners.get(owner)
            can_own[owner, code] = user is not None and can_take_on(session, user[0], projects[code].id,
                                                                      ALLOWED[Action.OWN_MILESTONE])
        if not can_own[owner, code]:
            findings.add(number, "owner", f"负责人 {owner} 须为能查看项目 {code} 的在职管理员、区县专员或项目经理",
                         f"The owner {owner} must be an active admin, official or project manager who can see "
                         f"project {code}", owner)
    report_duplicates(findings, usable.assign(seq=seq), "milestones")

    good = usable.loc[~usable.index.isin(list(findings.bad_rows))]
    keyed = pd.DataFrame({
        "project_id": good["project_code"].map(lambda code: projects[code].id),
        "seq": seq.loc[good.index].astype(int),
        "name_zh": good["name_zh"],
        "name_en": objects(good["name_en"].where(~is_blank(good["name_en"]))),
        "planned_start": good["planned_start"],
        "planned_end": good["planned_end"],
        "actual_end": objects(good["actual_end"]),
        "percent_complete": objects(pd.to_numeric(good["percent_complete"], errors="coerce").astype(float)),
        "owner_id": objects(good["owner"].map(lambda name: owners[name][0] if name in owners else None)),
    }, index=good.index)
    resolved = compare(session, MILESTONE, keyed, defaults={
        "name_en": keyed["name_zh"], "percent_complete": pd.Series(0.0, index=keyed.index)})
    resolved["entity_key"] = joined(good["project_code"], resolved["seq"])
    return finish("milestones", sheet, rows, findings, resolved)


def stored_milestones(engine: Engine, actor: Viewer, keys: Iterable[tuple[str, int]]
                      ) -> dict[tuple[str, int], dict[str, Any]]:
    """{(project code, seq): the stored milestone's layout columns} for the keys that name a milestone of a project
    the actor may see (an API push of progress fills a whole import row from these)."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, int], dict[str, Any]] = {}
    with Session(engine) as session:
        for part in chunks(wanted):
            statement = scoped_projects(actor, Project.code, Milestone.seq, Milestone.name_zh, Milestone.name_en,
                                        Milestone.planned_start, Milestone.planned_end, Milestone.actual_end,
                                        Milestone.percent_complete
                                        ).join(Milestone, Milestone.project_id == Project.id
                                               ).where(tuple_(Project.code, Milestone.seq).in_(part))
            found.update({(row.code, row.seq): row._asdict() for row in session.execute(statement)})
    return found
