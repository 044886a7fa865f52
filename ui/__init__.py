"""The one UI helper package: session and language state (``state``), the cached calls into
the core (``cached``) and the shared widgets (``widgets``). Pages use them as ``ui.<name>``;
the submodules load on first use, so ``urbdash serve`` (``ui.server``) starts without the
cache decorators, which need Streamlit's runtime. Streamlit is imported here, in app.py and in
pages/ only."""

from __future__ import annotations

import importlib

_PARTS = ("ui.state", "ui.cached", "ui.widgets", "ui.auth", "ui.readable")


def __getattr__(name: str):
    for part in _PARTS:
        module = importlib.import_module(part)
        if name in module.__all__:
            return getattr(module, name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
