"""Serving the app: ``streamlit run app.py`` in this process with urbdash's Streamlit options.

``urbdash serve`` calls ``run``. app.py and the options file are found through the installed
packages (they ship beside ``ui/`` in the wheel and in a checkout alike), never through a path
of the checkout.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import math
import sys
import threading
import time
import tomllib
from pathlib import Path

OPTIONS_FILE = "streamlit_config.toml"
# glibc's mallopt parameter for the most heap arenas (malloc.h: M_ARENA_MAX)
M_ARENA_MAX = -8
# Every session's script runs in a thread of its own. glibc gives threads up to 8 heap arenas
# per core, and Python's freed memory stays spread over them: measured with 15 sessions at once,
# a replica's RSS kept growing (590 -> 750 MB over four rounds of sessions). Two arenas, and
# freed memory handed back to the system after runs, keep it within the 500 MB budget.
ARENAS = 2
TRIM_EVERY_S = 5.0
_libc = (
    ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6") if sys.platform == "linux" else None
)
_trim_lock = threading.Lock()
_last_trim = [0.0]


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's heap arenas (before the server starts its threads); False off glibc."""
    mallopt = getattr(_libc, "mallopt", None)
    return bool(mallopt and mallopt(M_ARENA_MAX, arenas))


def trim_heap(now: float | None = None) -> bool:
    """Hand the heap's free pages back to the system (glibc's malloc_trim), at most once every
    ``TRIM_EVERY_S`` seconds across sessions; True when it ran."""
    from data.heap import release_freed_memory

    now = time.monotonic() if now is None else now
    if now - _last_trim[0] < TRIM_EVERY_S or not _trim_lock.acquire(False):
        return False
    try:
        _last_trim[0] = now
        release_freed_memory()
        return True
    finally:
        _trim_lock.release()


def _ui_dir() -> Path:
    spec = importlib.util.find_spec("ui")
    return Path(next(iter(spec.submodule_search_locations)))


def app_script() -> Path:
    """app.py, which ships beside the ``ui`` package (and ``pages/``)."""
    return _ui_dir().parent / "app.py"


def streamlit_flags(host: str, port: int) -> list[str]:
    """Streamlit's options from ``ui/streamlit_config.toml`` (each option commented there) as
    command-line flags, with the address and port asked for."""
    from data import settings

    options = tomllib.loads((_ui_dir() / OPTIONS_FILE).read_text(encoding="utf-8"))
    options.setdefault("server", {}).update(
        address=host, port=port, maxUploadSize=math.ceil(float(settings.get("max_upload_mb")))
    )
    if settings.get("development"):
        options.setdefault("client", {})["showErrorDetails"] = "full"
    return [
        f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
        for section, values in options.items()
        for key, value in values.items()
    ]


PR_SET_PDEATHSIG = 1  # prctl option: a signal for the child when its parent dies


WORKER_NICENESS = 10  # the worker yields the CPU to the page runs of the same machine


def _die_with_parent() -> None:
    """In the worker (before exec): end when the server ends, even if it is SIGKILLed, and
    run at a lower CPU priority than the server, so a recomputation never slows a page."""
    import os
    import signal

    prctl = getattr(_libc, "prctl", None)
    if prctl:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    os.nice(WORKER_NICENESS)


def start_worker():
    """The results worker (``urbdash worker``) as a process of its own beside the server, so
    its computing never holds the page runs' interpreter; None when the ``worker`` setting is
    off. Several replicas' workers share the jobs through the store."""
    import atexit
    import subprocess

    from data import settings

    if settings.get("worker") != "on":
        return None
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "cli.main", "worker"],
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
    )
    atexit.register(proc.terminate)
    return proc


# what the first page run needs besides Streamlit: imported once at start in the background, so
# the first person to sign in after a start does not wait for the imports (6.1 s → see note)
WARM_MODULES = (
    "pandas",
    "plotly.graph_objects",
    "plotly.io",
    "argon2",
    "data.accounts",
    "analytics.overview",
    "analytics.progress",
    "analytics.targets",
    "analytics.maps",
    "analytics.results",
    "analytics.scenarios",
    "analytics.trends",
    "analytics.render.charts",
    "analytics.render.choropleth",
)


def warm_up() -> None:
    """Import what the pages use and read the boundary layers once (a thread at start)."""
    for name in WARM_MODULES:
        importlib.import_module(name)
    from analytics.maps import boundary_layers

    boundary_layers()


def run(host: str, port: int) -> int:
    """Serve the app until stopped, with the results worker beside it; returns Streamlit's
    exit code."""
    # With a pages/ folder beside app.py, Streamlit serves a session that arrives before any
    # run of app.py has called st.navigation in its old folder-based mode: a first deep link
    # such as /returns then shows "Page not found" and the wrong menu. The app registers its
    # pages with st.navigation, so the old mode is switched off before the server starts.
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    PagesManager.uses_pages_directory = False
    from ui.security import install

    install()  # the security headers, and /_stcore/metrics closed (ui/security.py)
    limit_arenas()
    start_worker()
    threading.Thread(target=warm_up, name="urbdash-warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(app_script()), *streamlit_flags(host, port)]
    return streamlit_cli.main()
