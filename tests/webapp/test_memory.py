"""The server's garbage collector: what exists after the first run is frozen once, and young objects wait longer."""
import gc
import weakref
from collections.abc import Iterator

import pytest

from webapp import memory


@pytest.fixture
def collector_as_python_leaves_it() -> Iterator[None]:
    """Python's own settings for the test (no automatic collection in the middle of it), and this process's
    settings back after it."""
    thresholds = gc.get_threshold()
    memory.settle_collector.cache_clear()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    gc.disable()
    yield
    gc.enable()
    memory.settle_collector.cache_clear()
    gc.set_threshold(*thresholds)


def _walked_by_the_collector(thing: object) -> bool:
    """Whether a full collection walks ``thing`` (``gc.get_objects`` lists every generation but the frozen one)."""
    return any(candidate is thing for candidate in gc.get_objects())


@pytest.mark.usefixtures("collector_as_python_leaves_it")
def test_settling_freezes_what_lives_then_and_raises_the_thresholds_once() -> None:
    alive_at_settling = {"module-like": [1, 2]}
    assert _walked_by_the_collector(alive_at_settling)

    memory.settle_collector()

    assert gc.is_tracked(alive_at_settling) and not _walked_by_the_collector(alive_at_settling)
    assert gc.get_threshold() == (50_000, 20, 20)
    frozen = gc.get_freeze_count()
    created_later = {"session": [3, 4]}
    memory.settle_collector()  # later runs: nothing more is frozen
    assert _walked_by_the_collector(created_later)
    assert gc.get_freeze_count() <= frozen


class _Node:
    """An object that only a reference cycle keeps (a list cannot be weakly referenced)."""

    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("collector_as_python_leaves_it")
def test_garbage_held_only_by_a_cycle_is_collected_not_frozen() -> None:
    node = _Node()
    gone = weakref.ref(node)
    del node
    assert gone() is not None  # only the collector frees a cycle
    memory.settle_collector()
    assert gone() is None
