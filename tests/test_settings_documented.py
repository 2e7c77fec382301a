"""Every PERFDASH_* variable the code reads is in the README's configuration table, and the table names no
variable that nothing reads (after datasette's test_config_options_are_documented)."""
from __future__ import annotations

import ast
import re

from tests.source_tree import ROOT, all_python_files, syntax_tree

VARIABLE = re.compile(r"\bPERFDASH_[A-Z0-9_]*[A-Z0-9]\b")
# Besides Python: the Makefile and the CI script set and read variables too.
OTHER_SOURCES = ("Makefile", ".ci/run")


def _variables_in_code() -> tuple[set[str], list[str]]:
    """Names found in string literals, and literals that build a name at run time (``"PERFDASH_SMTP_" + x``)."""
    names: set[str] = set()
    built: list[str] = []
    for path in all_python_files():
        for node in ast.walk(syntax_tree(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(VARIABLE.findall(node.value))
                if re.search(r"\bPERFDASH_[A-Z0-9_]*_$", node.value):
                    built.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    for other in OTHER_SOURCES:
        names.update(VARIABLE.findall((ROOT / other).read_text(encoding="utf-8")))
    return names, built


def _documented_variables() -> set[str]:
    """The names in the first column of the table under the README's ``## Configuration`` heading."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("## Configuration")
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return {name for row in rows for name in VARIABLE.findall(row.split("|")[1])}


def test_every_perfdash_variable_the_code_reads_is_in_the_readme_configuration_table() -> None:
    names, _ = _variables_in_code()
    assert sorted(names - _documented_variables()) == []


def test_every_variable_in_the_readme_configuration_table_is_read_somewhere() -> None:
    names, _ = _variables_in_code()
    assert sorted(_documented_variables() - names) == []


def test_no_variable_name_is_built_at_run_time_so_the_scan_sees_them_all() -> None:
    _, built = _variables_in_code()
    assert built == []
