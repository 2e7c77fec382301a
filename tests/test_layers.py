"""The layer contracts, read from the import statements (an AST scan: no import-linter to configure).

scoring is the pure engine at the bottom; components build figures from frames; data_access is the only code
that talks to the database; services hold the commands and queries shared by pages, jobs and the CLI;
webapp wires Streamlit; views are thin pages on top.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import types
from pathlib import Path

import pytest

from tests.source_tree import ROOT, imports, is_within, module_name, python_files, syntax_tree

FORBIDDEN_IMPORTS = {
    "scoring": ("data_access", "components", "services", "webapp", "views", "streamlit"),
    "components": ("data_access", "services", "webapp", "views"),
    "data_access": ("streamlit", "components", "services", "webapp", "views"),
    "services": ("streamlit", "webapp", "views"),
    "webapp": ("views",),
    "api": ("streamlit", "webapp", "views"),
}

# What a view may take from data_access without going through services or webapp.data: the typed errors and
# the policy's types (Viewer, Action).
VIEW_SAFE_ORIGINS = ("data_access.errors", "data_access.policy")

# Shrinking allow-list: what views still take from data_access directly today, per view. Once services own
# the commands (and webapp.data every read), entries go; the test fails when one is no longer used, so the
# list only ever gets shorter. Do not add to it: add a service or a webapp.data read instead.
VIEW_DATA_ACCESS_EXCEPTIONS: dict[str, frozenset[str]] = {
    "views.alerts": frozenset({
        "data_access.alerts.acknowledge_many", "data_access.alerts.transition",
    }),
    "views.audit": frozenset({
        "data_access.audit.anchor_audit_chain", "data_access.audit.verify_audit_chain",
    }),
    "views.inbox": frozenset({
        "data_access.alerts.mark_read",
    }),
    "views.rules": frozenset({
        "data_access.alerts.parse_rule_params", "data_access.alerts.save_rule",
        "data_access.models.RULE_SCOPES", "data_access.models.SEVERITIES",
    }),
    "views.users": frozenset({
        "data_access.models.ROLES", "data_access.users.create_user",
        "data_access.users.reset_password", "data_access.users.update_user",
    }),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_IMPORTS))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    forbidden = FORBIDDEN_IMPORTS[layer]
    offences = [f"{path.relative_to(ROOT)}:{found.line} imports {found.module}"
                for path in python_files(layer) for found in imports(path)
                if any(is_within(found.module, package) for package in forbidden)]
    assert offences == [], f"{layer} must not import {', '.join(forbidden)}"


def _bound_names(path: Path) -> dict[str, str]:
    """Local name → the dotted data_access path it stands for, for every import of data_access in a file."""
    bound: dict[str, str] = {}
    for node in ast.walk(syntax_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and is_within(alias.name, "data_access"):
                    bound[alias.asname] = alias.name
                elif is_within(alias.name, "data_access"):
                    bound["data_access"] = "data_access"  # `import data_access.reads` binds the package
        elif isinstance(node, ast.ImportFrom) and not node.level and is_within(node.module or "", "data_access"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _attribute_chain(node: ast.Attribute) -> tuple[str, list[str]] | None:
    """``store.list_alerts`` → ("store", ["list_alerts"]); None when the chain does not start at a name."""
    chain: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        chain.insert(0, current.attr)
        current = current.value
    return (current.id, chain) if isinstance(current, ast.Name) else None


def _first_object(dotted: str) -> tuple[str, str]:
    """Walk a dotted path from its package to the first thing that is not a module: its path and its origin
    (the module defining a class or function, else the module it was taken from)."""
    parts = dotted.split(".")
    obj: object = importlib.import_module(parts[0])
    for index in range(1, len(parts)):
        path, parent = ".".join(parts[: index + 1]), obj
        obj = getattr(obj, parts[index]) if hasattr(obj, parts[index]) else importlib.import_module(path)
        if not isinstance(obj, types.ModuleType):
            defined_in = obj.__module__ if inspect.isclass(obj) or inspect.isfunction(obj) else None
            return path, defined_in or getattr(parent, "__name__", "")
    assert isinstance(obj, types.ModuleType)
    return dotted, obj.__name__


def _data_access_uses(path: Path) -> set[str]:
    """What a file takes from data_access beyond errors and policy types, as dotted paths
    (``data_access.alerts.list_alerts``); a module bound to a name counts by the attributes used on it."""
    bound = _bound_names(path)
    candidates = set(bound.values())
    for node in ast.walk(syntax_tree(path)):
        if isinstance(node, ast.Attribute) and (found := _attribute_chain(node)) and found[0] in bound:
            candidates.add(".".join([bound[found[0]], *found[1]]))
    uses = set()
    for dotted in candidates:
        used, origin = _first_object(dotted)
        if used == dotted and origin == dotted:
            continue  # a module: the attributes taken from it are candidates of their own
        if not any(is_within(origin, safe) for safe in VIEW_SAFE_ORIGINS):
            uses.add(used)
    return uses


def test_views_take_from_data_access_only_errors_and_policy_types_apart_from_the_listed_exceptions() -> None:
    found = {module_name(path): frozenset(uses) for path in python_files("views")
             if (uses := _data_access_uses(path))}
    new = {view: sorted(uses - VIEW_DATA_ACCESS_EXCEPTIONS.get(view, frozenset())) for view, uses in found.items()}
    gone = {view: sorted(listed - found.get(view, frozenset()))
            for view, listed in VIEW_DATA_ACCESS_EXCEPTIONS.items()}
    assert {view: uses for view, uses in new.items() if uses} == {}, \
        "views read through webapp.data and write through services; do not reach into data_access"
    assert {view: uses for view, uses in gone.items() if uses} == {}, \
        "no longer used: remove these from VIEW_DATA_ACCESS_EXCEPTIONS (the list only shrinks)"
