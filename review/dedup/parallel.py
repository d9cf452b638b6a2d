"""Spreading pair comparison over processes for large imports.

Comparisons are pure and independent per pair, so slices of them run in forked workers that inherit the
normalised records (nothing is pickled on the way in) and send back only the pairs that are not plainly
distinct. Normalisation stays in the main process: shipping normalised records back costs more than it saves.
Small runs, platforms without fork, and daemonic processes (a Celery prefork child may not start a pool)
stay in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from review.dedup.prepare import Prepared
from review.dedup.scoring import Model, Verdict, Versions, decide

__all__ = ["compare_pairs", "worker_count"]

PARALLEL_FROM = 20_000  # below this, starting processes costs more than it saves
SLICES_PER_WORKER = 8  # enough slices for a smooth progress bar

Found = tuple[int, int, Verdict]
_inherited: dict[str, Any] = {}
_FORKING = threading.Lock()


def worker_count(n_records: int, requested: int | None = None) -> int:
    if requested is not None:
        return max(1, requested)
    if n_records < PARALLEL_FROM or multiprocessing.current_process().daemon:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _bounds(n: int, parts: int) -> list[tuple[int, int]]:
    step = max(1, -(-n // parts))
    return [(start, min(n, start + step)) for start in range(0, n, step)]


def _compare_slice(bounds: tuple[int, int], state: dict[str, Any] | None = None) -> tuple[int, list[Found]]:
    state = _inherited if state is None else state
    prepared: Sequence[Prepared] = state["prepared"]
    pairs: Sequence[tuple[int, int]] = state["pairs"]
    model: Model = state["model"]
    versions: Versions = state["versions"]
    found: list[Found] = []
    for x, y in pairs[bounds[0] : bounds[1]]:
        verdict = decide(prepared[x], prepared[y], model, versions)
        if verdict.outcome != "distinct":
            found.append((x, y, verdict))
    return bounds[1] - bounds[0], found


def _run(fn: Callable[..., Any], n: int, workers: int, state: dict[str, Any]) -> Iterator[Any]:
    parts = workers * SLICES_PER_WORKER if workers > 1 else max(1, n // 5000)
    if workers == 1:
        # In this process the state is passed along: two runs in two threads of one process (the embedded
        # mode's background threads, a threaded worker) must not share it.
        for bounds in _bounds(n, parts):
            yield fn(bounds, state)
        return
    # Forked workers inherit the state through a module global set just before the fork; one run at a time
    # per process may use it.
    with _FORKING:
        _inherited.update(state)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                yield from pool.imap(fn, _bounds(n, parts))
        finally:
            _inherited.clear()


def compare_pairs(
    prepared: Sequence[Prepared],
    pairs: Sequence[tuple[int, int]],
    *,
    workers: int,
    model: Model | None = None,
    versions: Versions = "possible",
    progress: Callable[[int, int], None] | None = None,
) -> list[Found]:
    """Every pair that is not plainly distinct, in the order of `pairs`."""
    if model is None:
        from review.dedup.weights import MODEL

        model = MODEL
    found: list[Found] = []
    done = 0
    state = {"prepared": prepared, "pairs": pairs, "model": model, "versions": versions}
    for count, chunk in _run(_compare_slice, len(pairs), workers, state):
        found.extend(chunk)
        done += count
        if progress is not None:
            progress(done, len(pairs))
    return found
