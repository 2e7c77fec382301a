"""Imports: what a spreadsheet of each kind holds, and (next) planning, committing and rolling back a batch.

The contract between the stages of an import (read → validate → plan → commit):
- :mod:`data_access.imports.layouts`: the kinds (projects, milestones, targets, observations), their columns
  with Chinese and English headers, types and keys. Templates, header matching and validation follow it.
- :mod:`data_access.imports.problems`: one problem with a cell (sheet, row, column), in both languages.
"""
from data_access.imports.layouts import LAYOUTS, Column, ColumnType, Layout
from data_access.imports.problems import Problem

__all__ = ["LAYOUTS", "Column", "ColumnType", "Layout", "Problem"]
