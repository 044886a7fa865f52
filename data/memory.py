"""Keeping a large return's peak memory down: hand what a step freed back to the OS.

Reading a big sheet makes and drops about a million small Python objects (the cell grid), and
each validation step makes and drops arrays of a few MB; glibc keeps those pages for reuse, but
the next step's arrays often come from fresh pages, so without a trim the process holds both.
"""

from __future__ import annotations

LARGE_RETURN = 100_000  # values; after reading one this big, hand freed memory back


def release_freed_memory() -> None:
    """Free what the reader dropped and return the heap to the OS (glibc ``malloc_trim``).

    Reading a large sheet makes and drops a million small Python objects (the cell grid);
    glibc keeps those pages, while the numpy arrays of the later steps are fresh mappings, so
    without this the process holds both. Elsewhere than glibc this does nothing."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()  # the reader's frames sit in reference cycles until a collection
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass
