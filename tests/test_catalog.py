"""The i18n catalog and the code agree: every key used exists in both languages, and every key is used.

Keys are read from the code (an AST scan of everything but the tests): the first argument of each ``t(...)`` /
``translate(...)`` call, and string literals equal to a catalog key (keys handed around before the lookup, such
as page titles in the navigation table). A key built at run time (``t(f"role.{role}")``) must start with one of
the DYNAMIC_KEYS prefixes below, whose completions are all counted as used and must all exist.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from string import Formatter

from components.colours import RISK_BANDS
from components.gantt import STATUSES as MILESTONE_STATUSES
from components.i18n import CATALOG, LANGUAGE_NAMES
from components.kpi import CHANGE_UNITS
from components.rating_charts import RATER_ORDER
from components.site_maps import COLOURINGS
from data_access import auth
from data_access.models import (
    ALERT_STATUSES,
    FEEDBACK_STATUSES,
    FEEDBACK_TAGS,
    GOAL_LEVELS,
    OKR_TYPES,
    PROJECT_STATUSES,
    REPORT_KINDS,
    ROLES,
    ROUND_STATUSES,
    SEVERITIES,
)
from scoring.goal_progress import STATUSES as GOAL_STATUSES
from scoring.rules import RULE_TYPES
from tests.source_tree import ROOT, all_python_files, python_files, syntax_tree

LOOKUPS = frozenset({"t", "translate"})

# Prefix of a key built at run time → every value the code completes it with.
DYNAMIC_KEYS: dict[str, tuple[str, ...]] = {
    "role.": ROLES,
    "status.": PROJECT_STATUSES,
    "alert_status.": ALERT_STATUSES,
    "severity.": SEVERITIES,
    "map.by_": COLOURINGS,
    "map.legend_": COLOURINGS,
    "risk.band.": (*(level for level, _, _ in RISK_BANDS), "none"),  # components.colours.risk_label
    "knowledge.problem.": RULE_TYPES,  # the rules page names each rule type
    "whatif.problem.": ("all_zero", "empty_dimension"),  # scoring.weight_tree.tree_problems codes the page shows
    "whatif.subjective_": ("default", "ahp"),
    "warning.": (*SEVERITIES, "none"),  # components.colours.warning_label
    "kpi.unit.": tuple(unit for unit in CHANGE_UNITS if unit != "%"),  # "%" needs no words
    "gantt.status.": MILESTONE_STATUSES,
    "scorecards.rater.": RATER_ORDER,
    "goals.status.": GOAL_STATUSES,
    "goals.okr.": OKR_TYPES,
    "goals.level.": GOAL_LEVELS,
    "rating_rounds.status.": ROUND_STATUSES,
    "report_center.kind.": REPORT_KINDS,
    "feedback.status.": FEEDBACK_STATUSES,
    "feedback.tag.": FEEDBACK_TAGS,
}
# Where a dotted string that looks like a key but is none would be a typo: the code that shows text.
UI_FOLDERS = ("app.py", "views", "webapp", "components")
KEY_SHAPE = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")
# The dicts whose keys are the catalog's keys (components.i18n and its translations): their keys are no uses.
CATALOG_NAMES = frozenset({"CATALOG", "VIETNAMESE", "THAI"})


def _source_files() -> list[Path]:
    return [path for path in all_python_files() if path.relative_to(ROOT).parts[0] != "tests"]


def _lookups(tree: ast.AST) -> Iterator[ast.expr]:
    """The key argument of every ``t(...)`` / ``translate(...)`` / ``i18n.t(...)`` call."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in LOOKUPS:
                yield node.args[0]


def _dynamic_prefix(key: ast.expr) -> str | None:
    """``f"role.{r}"`` and ``"role." + r`` → ``"role."``; None for anything else."""
    if isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
        return str(key.values[0].value)
    if isinstance(key, ast.BinOp) and isinstance(key.op, ast.Add) and isinstance(key.left, ast.Constant):
        return str(key.left.value)
    return None


def _catalog_entries(tree: ast.AST) -> set[int]:
    """Node ids of the catalogs' own keys (CATALOG's and each translation's), which must not count as uses."""
    return {id(key) for node in ast.walk(tree)
            if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict)
            and any(isinstance(target, ast.Name) and target.id in CATALOG_NAMES
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target]))
            for key in node.value.keys}


def _string_literals(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        tree = syntax_tree(path)
        skipped = _catalog_entries(tree)
        found.update(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped)
    return found


def _keys_looked_up() -> tuple[set[str], set[str]]:
    """Literal keys and dynamic prefixes passed to a lookup anywhere in the code."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in _source_files():
        for key in _lookups(syntax_tree(path)):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                literal.add(key.value)
            elif (prefix := _dynamic_prefix(key)) is not None:
                prefixes.add(prefix)
    return literal, prefixes


def _dynamic_keys() -> set[str]:
    return {prefix + value for prefix, values in DYNAMIC_KEYS.items() for value in values}


def test_every_catalog_entry_has_a_chinese_and_an_english_text() -> None:
    incomplete = [key for key, texts in CATALOG.items()
                  if not (isinstance(texts, tuple) and len(texts) == 2
                          and all(isinstance(text, str) and text.strip() for text in texts))]
    assert incomplete == []


def test_every_key_looked_up_in_the_code_is_in_the_catalog() -> None:
    literal, _ = _keys_looked_up()
    assert sorted(literal - CATALOG.keys()) == []


def test_every_key_built_at_run_time_has_a_declared_prefix_whose_keys_all_exist() -> None:
    _, prefixes = _keys_looked_up()
    assert sorted(prefixes - DYNAMIC_KEYS.keys()) == [], "declare the prefix and its values in DYNAMIC_KEYS"
    assert sorted(DYNAMIC_KEYS.keys() - prefixes) == [], "no lookup builds these keys any more"
    assert sorted(_dynamic_keys() - CATALOG.keys()) == []


def test_every_dotted_string_in_the_interface_code_that_looks_like_a_key_is_one() -> None:
    namespaces = {key.split(".")[0] for key in CATALOG}
    prefixes = tuple(DYNAMIC_KEYS)
    suspicious = sorted(text for text in _string_literals(python_files(*UI_FOLDERS))
                        if KEY_SHAPE.fullmatch(text) and text.split(".")[0] in namespaces
                        and text not in CATALOG and text not in prefixes)
    assert suspicious == []


def test_every_catalog_key_is_used() -> None:
    used = _string_literals(_source_files()) | _dynamic_keys()
    assert [key for key in CATALOG if key not in used] == []


def test_the_chinese_and_english_texts_of_a_key_have_the_same_placeholders() -> None:
    # Vietnamese and Thai are held to the English ones (tests/components/test_i18n.py): all four then agree.
    def fields(text: str) -> list[str]:
        return sorted({field for _, field, _, _ in Formatter().parse(text) if field is not None})

    assert [key for key, (chinese, english) in CATALOG.items() if fields(chinese) != fields(english)] == []


def test_every_language_the_picker_offers_can_be_remembered_for_a_user() -> None:
    assert auth.LANGUAGES == tuple(LANGUAGE_NAMES)
