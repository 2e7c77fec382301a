"""The project's own Python files, parsed once, for the tests that read the code rather than run it."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRECTORIES = frozenset({".venv", ".git", "data", "test-artifacts", "__pycache__"})


@dataclass(frozen=True)
class Import:
    """One imported name: ``module`` is absolute; ``name`` is what ``from module import name`` takes, or None."""

    line: int
    module: str
    name: str | None


def python_files(*folders: str) -> list[Path]:
    """Every .py file under the given top-level folders (or files) of the repository, sorted."""
    files: list[Path] = []
    for folder in folders:
        start = ROOT / folder
        if start.is_file():
            files.append(start)
            continue
        files.extend(path for path in start.rglob("*.py")
                     if not SKIPPED_DIRECTORIES.intersection(path.relative_to(ROOT).parts))
    return sorted(files)


def all_python_files() -> list[Path]:
    """Every .py file of the repository outside the virtual environment and generated folders."""
    return python_files(*(entry.name for entry in ROOT.iterdir()
                          if entry.name not in SKIPPED_DIRECTORIES and (entry.is_dir() or entry.suffix == ".py")))


@cache
def syntax_tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_name(path: Path) -> str:
    """``data_access/alerts/__init__.py`` → ``data_access.alerts``; ``views/map.py`` → ``views.map``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[Import]:
    """Every import statement of a file, including those inside functions and ``TYPE_CHECKING`` blocks."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(syntax_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(node.lineno, alias.name, None)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            for alias in node.names:
                yield Import(node.lineno, module, alias.name)


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")
