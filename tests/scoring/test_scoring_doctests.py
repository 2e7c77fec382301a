"""Every public function documents itself with an example; run them so they cannot rot."""

import doctest
import importlib
import pkgutil

import pytest

import scoring

MODULES = sorted(info.name for info in pkgutil.iter_modules(scoring.__path__, "scoring."))


def test_every_module_is_checked():
    assert {"scoring.normalization", "scoring.aggregation", "scoring.whatif", "scoring.weights"} <= set(MODULES)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0
    assert result.attempted > 0, f"{module_name} has no examples"
