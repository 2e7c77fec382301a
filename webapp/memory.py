"""The cyclic garbage collector in a long-lived server process.

Under 200 sessions a replica tracked about a million objects and spent a fifth of its time collecting them, with
full collections holding the interpreter (and so every session on the replica) for 1–2.7 s each. Two things
made it so: Python's default first threshold (700 new objects) promotes a page run's short-lived frames, figures
and rows to the older generations while the run is still using them, and every full collection walks the
modules' own objects (about 350,000: functions, classes, constants), which live as long as the process.
``settle_collector`` freezes what the first run leaves (the modules, before any session's data piles up) so the
collector no longer walks it, and raises the first threshold so that what a run creates mostly dies young.
"""
from __future__ import annotations

import functools
import gc

# New objects before a young collection (Python's default: 700). A page run creates tens of thousands.
YOUNG_OBJECTS = 50_000
# Young collections before a middle one, middle ones before a full one (Python's defaults: 10 and 10; a full one
# also waits until a quarter more objects have survived since the last).
YOUNG_PER_MIDDLE = 20
MIDDLE_PER_FULL = 20


@functools.cache
def settle_collector() -> None:
    """Once per process, after its first run: collect, freeze the survivors, raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, YOUNG_PER_MIDDLE, MIDDLE_PER_FULL)
