"""Handing the heap a step freed back to the OS (glibc's ``malloc_trim``): the intake between
the steps of a large return, the app server after its page runs.

Reading a big sheet makes and drops about a million small Python objects, and each validation
step makes and drops arrays of a few MB; glibc keeps those pages for reuse, but the next step's
arrays often come from fresh pages, so without a trim the process holds both.
"""

from __future__ import annotations

from functools import lru_cache


def release_freed_memory() -> None:
    """Return the heap freed by the previous step to the OS (glibc ``malloc_trim``, a few ms;
    no garbage collection is needed: the freed objects hold no cycles).

    Reading a large sheet makes and drops a million small Python objects (the cell grid);
    glibc keeps those pages, while the numpy arrays of the later steps are fresh mappings, so
    without this the process holds both. Elsewhere than glibc this does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own symbols: glibc on Linux
    except (OSError, AttributeError):
        return None
