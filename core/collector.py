"""Tuning of Python's cyclic garbage collector for a long-running server process.

A push login allocates thousands of short-lived objects (HTTP events, rows,
dataclasses), so with the default thresholds (700, 10, 10) the collector ran
every few hundred microseconds of work and took 7.7 % of the CPU of a
``pushsim bench`` at 100 phones and concurrency 20 (1.86 s of 24 s, measured
with ``gc.callbacks``). With a young generation of 20,000 allocations it took
0.55 s and the bench ran 11 % faster. The objects built at start-up (servers,
keys, phones, the window: about 100,000) are frozen first, so the rare full
collections never walk them again. Reference counting still frees everything
at once; only reference cycles wait a little longer for their collection.

The window freezes its start-up heap too but keeps the default thresholds
(``widen=False``): there a collection's pause is what a user sees, and a
generation-1 collection over 50 young generations of 20,000 can take tens of
milliseconds (one 86 ms stall in five runs of ``benchmarks/gui_stall.py``).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # allocations (minus frees) before a generation-0 collection
OLDER_THRESHOLDS = (50, 100)  # a gen-1 run every 50 gen-0 runs, a gen-2 every 100 gen-1


def settle_heap(*, widen: bool = True) -> None:
    """Once start-up is done: collect, freeze what exists, and widen the thresholds."""
    gc.collect()
    gc.freeze()
    if widen:
        gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
