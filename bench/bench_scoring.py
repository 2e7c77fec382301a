"""Benchmark the scoring engine at dashboard scale: 10,000 projects × 30 indicators.

Run: ``python bench/bench_scoring.py`` (or ``python -m bench.bench_scoring``).
Prints, per operation, the median time of repeated runs, the target from
issue 4, an estimated floor (what the work reduces to: bytes that must move
at this machine's measured memory bandwidth, or the numpy primitive it
cannot avoid, timed here), how far the code is from that floor, and the
tracemalloc peak of one run. Nothing is written to disk.

``weights.entropy`` is measured against pymcdm's ``entropy_weights`` (pymcdm by
Andrii Shekhovtsov and Bartłomiej Kizielewicz, MIT licence). pymcdm is not a
dependency, so the peer is re-implemented below exactly as pymcdm 1.x computes
it: sum normalisation column by column (refusing values ≤ 0), then
``−Σ p ln p / ln m`` per column, ``w ∝ 1 − e``.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run by path from anywhere

from timing import median_ms  # bench/ is on sys.path when run as a script

import scoring
from scoring import weights as weight_methods
from scoring import whatif

PROJECTS, INDICATORS, SAMPLES = 10_000, 30, 1_000
# weights.entropy before its column-wise rewrite (issue 11) and pymcdm's time in the same run, on the 2-core
# reference machine: the "before" of the entropy comparison printed at the end.
ENTROPY_BEFORE_MS, ENTROPY_BEFORE_PEER_MS = 24.4, 17.6


def peak_mb(work: Callable[[], object]) -> float:
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def interleaved_medians_ms(first: Callable[[], object], second: Callable[[], object],
                           repeats: int) -> tuple[float, float]:
    """Median times of two functions run turn about, so a busy machine slows both alike."""
    first(), second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for work, bucket in zip((first, second), times, strict=True):
            start = time.perf_counter()
            work()
            bucket.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times[0]), statistics.median(times[1])


def memory_bandwidth_gb_s() -> float:
    """Streaming copy of 160 MB (read + write), best of 5."""
    source = np.ones(10_000_000)
    target = np.empty_like(source)
    best = min(median_ms(lambda: np.copyto(target, source), 1) for _ in range(5))
    return 2 * source.nbytes / (best / 1e3) / 1e9


def pymcdm_entropy_weights(matrix: np.ndarray) -> np.ndarray:
    """pymcdm's ``entropy_weights`` (pymcdm/weights/weights.py with helpers.normalize_matrix and
    normalizations.sum_normalization), re-implemented step for step; it has no directions."""
    m, n = matrix.shape
    nmatrix = matrix.astype("float")
    for i in range(n):
        column = matrix[:, i]
        if np.any(column <= 0):
            raise ValueError("sum_normalization requires all positive values.")
        nmatrix[:, i] = column / np.sum(column)
    entropies = np.empty(n)
    for i, col in enumerate(nmatrix.T):
        entropies[i] = 0 if np.any(col == 0) else -np.sum(col * np.log(col))
    entropies = entropies / np.log(m)
    e = 1 - entropies
    return e / np.sum(e)


def dashboard_inputs(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Raw values with 5 % gaps and a spec table mixing all four methods and both directions."""
    columns = [f"ind_{j:02d}" for j in range(INDICATORS)]
    values = pd.DataFrame(rng.uniform(0, 120, (PROJECTS, INDICATORS)), columns=columns,
                          index=pd.Index([f"P{i:05d}" for i in range(PROJECTS)], name="project"))
    values = values.mask(rng.random(values.shape) < 0.05)
    methods = [("target", "higher"), ("minmax", "lower"), ("band", "band"), ("threshold", "higher"),
               ("target", "lower"), ("minmax", "higher")]
    chosen = [methods[j % len(methods)] for j in range(INDICATORS)]
    specs = pd.DataFrame({
        "method": [m for m, _ in chosen],
        "direction": [d for _, d in chosen],
        "target": [100.0 if m == "target" else np.nan for m, _ in chosen],
        "lower": [40.0 if m == "band" else np.nan for m, _ in chosen],
        "upper": [80.0 if m == "band" else np.nan for m, _ in chosen],
        "falloff": [20.0 if m == "band" else np.nan for m, _ in chosen],
        "thresholds": [[(30, 50), (60, 80), (90, 100)] if m == "threshold" else None for m, _ in chosen],
    }, index=columns)
    return values, specs, pd.Series(rng.uniform(0.5, 2.0, INDICATORS), index=columns)


def main() -> None:
    rng = np.random.default_rng(20240601)
    values, specs, weights = dashboard_inputs(rng)
    scores = scoring.normalize_frame(values, specs)
    slider_moved = weights.copy()
    slider_moved.iloc[:3] *= 1.5
    upper_logs = np.triu(rng.normal(0, 0.8, (15, 15)), 1)
    pairwise = np.exp(upper_logs - upper_logs.T)  # positive, reciprocal, unit diagonal
    # entropy: raw positive values (the peer refuses zeros), every other indicator lower-is-better
    raw = np.random.default_rng(11).uniform(1, 120, (PROJECTS, INDICATORS))
    alternate = [1 if j % 2 else -1 for j in range(INDICATORS)]
    entropy_ms, peer_ms = interleaved_medians_ms(lambda: weight_methods.entropy(raw, alternate),
                                                 lambda: pymcdm_entropy_weights(raw), 51)

    def score_all() -> None:
        result = scoring.composite(scoring.normalize_frame(values, specs), weights)
        scoring.rank(result["total"])

    gb_s = memory_bandwidth_gb_s()
    cell_bytes = PROJECTS * INDICATORS * 8
    filled = np.nan_to_num(scores.to_numpy())
    totals = filled @ (weights / weights.sum()).to_numpy()
    draws = rng.dirichlet(np.full(INDICATORS, 10.0), size=SAMPLES)
    sample_totals = np.round(filled @ draws[:100].T, 9).T

    # floors: the data that must move (values in, scores out, contributions out: 3 tables) plus one sort
    sort_ms = median_ms(lambda: np.argsort(totals), 50)
    floor_score = 3 * cell_bytes / gb_s / 1e6 + sort_ms
    floor_compare = median_ms(lambda: (filled @ weights.to_numpy(), filled @ slider_moved.to_numpy()), 50) + 2 * sort_ms
    sample_sort_ms = median_ms(lambda: np.argsort(sample_totals, axis=1), 5) * SAMPLES / 100
    floor_uncertainty = median_ms(lambda: filled @ draws.T, 5) + sample_sort_ms
    floor_ahp = median_ms(lambda: np.linalg.eig(pairwise), 500)
    floor_entropy = median_ms(lambda: np.log(raw), 30)

    composite_result = scoring.composite(scores, weights)
    rows = [
        ("  normalize_frame", lambda: scoring.normalize_frame(values, specs), 30, None,
         2 * cell_bytes / gb_s / 1e6, "values in + scores out"),
        ("  composite", lambda: scoring.composite(scores, weights), 30, None,
         2 * cell_bytes / gb_s / 1e6, "scores in + contributions out"),
        ("  rank", lambda: scoring.rank(composite_result["total"]), 30, None, sort_ms, "argsort(10k)"),
        ("normalise + composite + rank", lambda: score_all(), 30, 20.0, floor_score,
         f"3 × {cell_bytes / 1e6:.1f} MB at {gb_s:.1f} GB/s + argsort(10k)"),
        ("compare (slider move)", lambda: whatif.compare(scores, weights, slider_moved), 30, 10.0, floor_compare,
         "2 mat-vec + 2 argsort(10k)"),
        ("rank_uncertainty (1,000 samples)", lambda: whatif.rank_uncertainty(scores, weights, samples=SAMPLES), 5,
         2000.0, floor_uncertainty, "matmul 10k×30×1k + 1k argsort(10k)"),
        ("ahp (n = 15)", lambda: weight_methods.ahp(pairwise), 500, 1.0, floor_ahp, "np.linalg.eig 15×15"),
        ("entropy (half lower-is-better)", lambda: weight_methods.entropy(raw, alternate), 30, peer_ms,
         floor_entropy, "np.log(10k×30); target: pymcdm's time"),
    ]
    print(f"scoring benchmark: {PROJECTS:,} projects × {INDICATORS} indicators, median of repeated runs")
    header = (f"{'operation':<34}{'median ms':>11}{'target ms':>11}{'floor ms':>10}{'× floor':>9}{'peak MB':>9}"
              "  floor basis")
    print(header)
    print("-" * len(header))
    for name, work, repeats, target, floor, basis in rows:
        ms = median_ms(work, repeats)
        goal = "" if target is None else f"{target:>8.0f} " + ("ok" if ms < target else "SLOW")
        print(f"{name:<34}{ms:>11.2f}{goal:>11}{floor:>10.2f}{ms / floor:>9.1f}"
              f"{peak_mb(work):>9.1f}  {basis}")
    print(f"\nentropy weights, {PROJECTS:,} × {INDICATORS}, medians of 51 interleaved runs:")
    for label, ms, note in [
        ("scoring.weights.entropy", entropy_ms, f"{peer_ms / entropy_ms:.1f}× pymcdm's speed; target ≥ 1×"),
        ("pymcdm entropy_weights (re-implemented)", peer_ms, ""),
        ("scoring.weights.entropy before issue 11", ENTROPY_BEFORE_MS,
         f"whole-matrix temporaries; {ENTROPY_BEFORE_PEER_MS / ENTROPY_BEFORE_MS:.1f}× pymcdm's speed "
         f"({ENTROPY_BEFORE_PEER_MS:.2f} ms) when measured"),
    ]:
        print(f"  {label:<40}{ms:>8.2f} ms" + (f"  ({note})" if note else ""))


if __name__ == "__main__":
    main()
