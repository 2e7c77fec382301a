"""The benches run on a fresh install: every module they import is a pinned requirement (httpx is ``httpx2``)."""
import importlib

import pytest


@pytest.mark.parametrize("module", ["bench.load_kit", "bench.bench_load", "bench.bench_faults",
                                    "bench.bench_after_push", "bench.gc_probe.sitecustomize"])
def test_a_bench_imports_with_the_pinned_requirements_alone(module):
    assert importlib.import_module(module).__name__ == module
