"""The one UI helper package: session and language state (``state``), the cached calls into
the core (``cached``) and the shared widgets (``widgets``). Pages use them as ``ui.<name>``.
Streamlit is imported here, in app.py and in pages/ only."""

from ui.cached import *  # noqa: F403
from ui.state import *  # noqa: F403
from ui.widgets import *  # noqa: F403
