"""Measurement only: the garbage collector's pauses in every Streamlit server started with this folder first on
``PYTHONPATH`` (Python imports ``sitecustomize`` at start-up), e.g. a load bench's replicas:

    PYTHONPATH=bench/gc_probe python -m deploy.local start --state-dir DIR …

Every 10 s each server appends a line to ``$GC_PROBE_DIR/<pid>.log`` (default /tmp/perfdash-gc): its CPU seconds
so far, the collector's thresholds, how many objects are frozen, and per generation the seconds spent collecting,
the number of collections and the longest pause (wall time, so a busy machine lengthens them); every minute also
how many objects a full collection would walk. The figures are cumulative: the last line sums up the run.
"""
import gc
import os
import sys
import threading
import time

_FOLDER = os.environ.get("GC_PROBE_DIR", "/tmp/perfdash-gc")


def _probe() -> None:
    spent = {generation: [0.0, 0, 0.0] for generation in range(3)}  # seconds, collections, longest pause
    started: list[float] = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        pause = time.perf_counter() - started[0]
        totals = spent[info["generation"]]
        totals[0] += pause
        totals[1] += 1
        totals[2] = max(totals[2], pause)

    def report() -> None:
        path = os.path.join(_FOLDER, f"{os.getpid()}.log")
        for tick in range(1, 10**9):
            time.sleep(10)
            walked = len(gc.get_objects()) if tick % 6 == 0 else "–"
            line = (f"{time.strftime('%H:%M:%S')} cpu={time.process_time():.1f}s threshold={gc.get_threshold()} "
                    f"frozen={gc.get_freeze_count()} walked={walked} "
                    + " ".join(f"gen{generation}={seconds:.2f}s/{count}/max{longest * 1000:.0f}ms"
                               for generation, (seconds, count, longest) in spent.items()))
            os.makedirs(_FOLDER, exist_ok=True)
            with open(path, "a", encoding="utf-8") as log:
                log.write(line + "\n")

    gc.callbacks.append(timed)
    threading.Thread(target=report, name="gc-probe", daemon=True).start()


if "--server.headless" in sys.argv:  # a Streamlit server, not the tools around it
    _probe()
