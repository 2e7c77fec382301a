"""An import from one uploaded file: check it (read → validate → plan, every problem at once) and commit it.

The page and the command line both go through here, so a file the command line refuses is refused on the page
with the same problems. Checking writes nothing; :func:`commit_file` commits what was checked in one
transaction (the store re-plans inside it); :func:`refresh_warnings` then brings the warnings of the projects
it touched up to date.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from data_access import ValidationError, Viewer
from data_access.imports import (
    LAYOUTS,
    ImportBatchResult,
    ImportPlan,
    Problem,
    applied_batch_with,
    commit_import,
    plan_import,
    rollback_batch,
)
from data_access.policy import Action, require
from services.alerts import evaluate
from services.importing.reading import RawTable, read_upload, sha256_of
from services.importing.validation import validate

Progress = Callable[[float, str], None]
"""Told ``(fraction done, stage)`` between stages; stage is one of :data:`STAGES`."""
STAGES = ("read", "validate", "plan", "commit", "done")


class DuplicateImport(ValidationError):
    """The same file (by its sha256) was imported before and the user did not ask to import it again."""


@dataclass(frozen=True)
class CheckedFile:
    """What the preview shows: the file as read, typed and planned, and every problem found on the way."""

    filename: str
    sha256: str
    kind: str
    table: RawTable | None
    typed: pd.DataFrame | None
    plan: ImportPlan | None
    problems: list[Problem]
    duplicate_of: dict[str, Any] | None

    @property
    def committable(self) -> bool:
        """Nothing is wrong and every row was planned: the confirm button may be pressed."""
        return self.plan is not None and not self.problems


def _no_progress(fraction: float, stage: str) -> None:  # noqa: ARG001 - the default listener ignores progress
    return None


def _sorted(problems: Sequence[Problem], kind: str) -> list[Problem]:
    """By sheet, row and column (file-wide problems first, columns in the layout's order)."""
    order = {column.name: position for position, column in enumerate(LAYOUTS[kind].columns)}
    return sorted(problems, key=lambda p: (p.sheet, -1 if p.row is None else p.row,
                                           -1 if p.column is None else order.get(p.column, len(order)),
                                           p.column or ""))


def _on_new_cells(found: Sequence[Problem], earlier: Sequence[Problem]) -> list[Problem]:
    """The problems of a later stage on cells an earlier stage has not named already: a formula without a
    result is one problem, not also an empty cell."""
    named = {(problem.row, problem.column) for problem in earlier if problem.row is not None}
    return [problem for problem in found if (problem.row, problem.column) not in named]


def _whole_file_problem(problems: Sequence[Problem]) -> bool:
    """A problem of the whole file or sheet (a missing column, an unreadable part): nothing can be planned."""
    return any(problem.row is None for problem in problems)


def check_file(engine: Engine, actor: Viewer, filename: str, content: bytes, kind: str, *,
               progress: Progress | None = None) -> CheckedFile:
    """Read, validate and plan ``content`` as ``kind`` for ``actor``; writes nothing."""
    require(actor, Action.IMPORT_DATA)
    report = progress or _no_progress
    digest = sha256_of(content)
    report(0.0, "read")
    table, problems = read_upload(filename, content, kind)
    typed = plan = None
    if table is not None:
        report(0.25, "validate")
        typed, cell_problems = validate(table)
        problems = [*problems, *_on_new_cells(cell_problems, problems)]
        if not _whole_file_problem(problems):
            # Every row, so that a row with a bad number still hears that its project is unknown; the store
            # leaves out rows whose required cells were refused, and a cell already named is not named again.
            report(0.5, "plan")
            plan = plan_import(engine, actor, kind, typed, sheet=table.sheet)
            problems = [*problems, *_on_new_cells(plan.problems, problems)]
    duplicate = applied_batch_with(engine, actor, digest)
    report(1.0, "done")
    return CheckedFile(filename, digest, kind, table, typed, plan, _sorted(problems, kind), duplicate)


def commit_file(engine: Engine, actor: Viewer, checked: CheckedFile, *, source: str = "upload",
                again: bool = False, progress: Progress | None = None) -> ImportBatchResult:
    """Commit a checked file in one transaction, all or nothing.

    Refused (nothing written) while it has problems, and when the same file was imported before unless
    ``again`` (the user ticked 导入同一文件). The store plans the rows again inside its transaction, so data that
    changed since the check is caught there.
    """
    report = progress or _no_progress
    if not checked.committable or checked.table is None or checked.typed is None:
        raise ValidationError(f"The file still has {len(checked.problems)} problem(s); nothing was imported",
                              message_zh=f"文件中还有 {len(checked.problems)} 处问题，未导入任何数据")
    duplicate = applied_batch_with(engine, actor, checked.sha256)
    if duplicate is not None and not again:
        raise DuplicateImport(
            f"This file was imported before (batch {duplicate['id']}); tick “import it again” to import it once more",
            message_zh=f"此文件已导入过（批次 {duplicate['id']}）；如确需再次导入，请勾选“仍要再次导入”")
    report(0.1, "commit")
    result = commit_import(engine, actor, checked.kind, checked.typed, sheet=checked.table.sheet,
                           filename=checked.filename, sha256=checked.sha256, source=source)
    report(1.0, "done")
    return result


def refresh_warnings(engine: Engine, project_ids: Sequence[int]) -> int:
    """Re-evaluate the warnings of the projects a commit or a rollback touched; returns how many projects."""
    if project_ids:
        evaluate(engine, project_ids=list(project_ids))
    return len(project_ids)


def roll_back(engine: Engine, actor: Viewer, batch_id: int) -> tuple[int, ...]:
    """Undo an applied batch: refused (nothing written) when one of its rows was changed since by someone else.
    Returns the projects whose data was put back, for :func:`refresh_warnings`."""
    return rollback_batch(engine, actor, batch_id)
