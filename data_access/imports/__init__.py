"""Imports: what a spreadsheet of each kind holds, planning it against the database, committing it, rolling it back.

The contract between the stages of an import (read → validate → plan → commit):
- :mod:`data_access.imports.layouts`: the kinds (projects, milestones, targets, observations), their columns
  with Chinese and English headers, types and keys. Templates, header matching and validation follow it.
- :mod:`data_access.imports.problems`: one problem with a cell (sheet, row, column), in both languages.
- :mod:`data_access.imports.plan`: ``plan_import`` — each typed row new / changed / unchanged, in the actor's
  scope, with every problem the database finds (one module per kind: observations, targets, milestones).
- :mod:`data_access.imports.commit`: ``commit_import`` — all rows or none in one transaction, as a batch.
- :mod:`data_access.imports.batches`: ``list_batches``, ``applied_batch_with`` (the same file again),
  ``api_batch`` (an API token's push, by id or Idempotency-Key) and ``rollback_batch``.
"""
from data_access.imports.base import ImportPlan
from data_access.imports.batches import api_batch, applied_batch_with, list_batches, rollback_batch
from data_access.imports.commit import ImportBatchResult, ImportRejected, commit_import
from data_access.imports.layouts import LAYOUTS, Column, ColumnType, Layout
from data_access.imports.plan import plan_import
from data_access.imports.problems import Problem

__all__ = ["LAYOUTS", "Column", "ColumnType", "ImportBatchResult", "ImportPlan", "ImportRejected", "Layout",
           "Problem", "api_batch", "applied_batch_with", "commit_import", "list_batches", "plan_import",
           "rollback_batch"]
