"""Session state of the app: the page registry, the language and the formatters that follow it."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from data import settings
from data.i18n import formats, messages


class Page(NamedTuple):
    """A page of the app: its script, the catalogue key of its title, its menu icon, its url
    path and the catalogue key of its menu group."""

    script: str
    title_key: str
    icon: str
    path: str
    group_key: str


# Every page of the app: app.py registers exactly these; the first is the landing page. A url
# path must differ from its script's file name: on a fresh server a deep link equal to a file
# name in pages/ is served by Streamlit's old pages-folder mode, before app.py has called
# st.navigation.
PAGES: tuple[Page, ...] = (
    Page("pages/overview_page.py", "page.overview", ":material/dashboard:", "overview",
         "nav.monitor"),
    Page("pages/trends_page.py", "page.trends", ":material/show_chart:", "trends", "nav.monitor"),
    Page("pages/map_page.py", "page.map", ":material/map:", "map", "nav.monitor"),
    Page("pages/projection_page.py", "page.projection", ":material/trending_up:", "projection",
         "nav.monitor"),
    Page("pages/whatif_page.py", "page.whatif", ":material/tune:", "whatif", "nav.monitor"),
    Page("pages/tasks_page.py", "page.tasks", ":material/checklist:", "tasks", "nav.plan"),
    Page("pages/returns_page.py", "page.returns", ":material/upload_file:", "returns",
         "nav.data"),
    Page("pages/review_page.py", "page.review", ":material/approval:", "review", "nav.data"),
    Page("pages/quality_page.py", "page.quality", ":material/fact_check:", "quality", "nav.data"),
    Page("pages/published_page.py", "page.published", ":material/monitoring:", "published",
         "nav.data"),
    Page("pages/admin_page.py", "page.admin", ":material/admin_panel_settings:", "admin",
         "nav.admin"),
)  # fmt: skip
# pages shown only to a role (the others are for every signed-in user)
PAGE_ROLES = {"pages/admin_page.py": "admin"}


def lang() -> str:
    """The session's language: the switch's value, else ``?lang=``, else the default."""
    if "lang" in st.session_state:
        return st.session_state["lang"]
    first = st.query_params.get("lang")
    return first if first in messages.LANGS else settings.get("language")


def tr(key: str, **fields) -> str:
    return messages.t(key, lang(), **fields)


def target_set_label(name: str) -> str:
    """A target set as people call it: the published sets by their message, another by the
    name the admin gave it."""
    key = f"tset.{name}"
    return tr(key) if key in messages.MESSAGES else name


def target_set_choice(name: str, horizon: str) -> str:
    """A target set in a picker: its name and its horizon."""
    return f"{target_set_label(name)} · {horizon}"


def language_switch() -> None:
    """Sidebar switch kept in the session; a link with ``?lang=en`` opens in English.

    The first choice comes from the radio's ``index``, never from pre-setting its session
    state: a pre-set value left the radio out of sync and swallowed the first click.
    """
    first = lang()
    st.sidebar.radio(
        messages.t("app.language"),
        options=list(messages.LANGS),
        index=messages.LANGS.index(first),
        key="lang",
        horizontal=True,
        format_func=lambda c: {"zh": "中文", "en": "English"}[c],
    )


def view() -> str:
    """Which returns the session reads (``data.store.observations.VIEWS``): the released
    quarters, unless the signed-in person switched on "include provisional"."""
    return "provisional" if st.session_state.get("provisional") else "released"


def view_switch() -> None:
    """The sidebar switch to include the quarters not yet released, and its label on every
    page while it is on."""
    st.sidebar.toggle(tr("view.toggle"), key="provisional", help=tr("view.toggle_help"))
    if view() == "provisional":
        st.warning(tr("view.provisional_label"), icon=":material/pending:")


def md_escape(text: object) -> str:
    """Typed text (a file, user or scenario name) shown inside markdown as plain text: every
    character markdown would act on is escaped, and HTML is never enabled."""
    out = str(text)
    for ch in "\\`*_{}[]()<>#|~$":
        out = out.replace(ch, "\\" + ch)
    return out


def indicator_name(code: str) -> str:
    """An indicator's name in the page's language."""
    from data.reference import indicators

    return indicators.get(code).name(lang())


def short_name(name: str) -> str:
    """A region's name for a narrow cell: in English without its level's suffix (Yangling)."""
    from geo.names import without_suffix

    return name if lang() == "zh" else without_suffix(name)


def fmt_persons(value: float, compact: bool = False) -> str:
    return formats.format_persons(value, lang(), compact)


VERDICT_COLORS = {"met": "green", "missed": "red", "pending": "gray"}


def verdict_badge(word: str) -> str:
    """A closed target's verdict ("met", "missed", "pending") as a coloured badge."""
    return f":{VERDICT_COLORS[word]}-badge[{tr('verdict.' + word)}]"


def verdict(record: dict, compact: bool = False) -> tuple[str, str]:
    """A closed target as drawn on a page: its verdict badge and the line that goes with it
    (final value, gap, when reached later, the census basis it is judged on when that is not
    the target's), from ``analytics.overview.verdict_text``. ``compact`` (the overview, one
    screen): the basis part is left to ``verdict_basis``, shown as the line's help."""
    from analytics.overview import verdict_text

    word, parts = verdict_text(record, lang(), basis=not compact)
    return verdict_badge(word), tr("list.sep").join(parts)


def verdict_basis(record: dict) -> str | None:
    """The basis part of a verdict (``verdict``), or None when the target is judged on the
    basis it was set on."""
    from analytics.overview import basis_note

    return basis_note(record, lang())


def fmt_target(value: float, unit: str) -> str:
    return formats.format_target_value(value, unit, lang())


__all__ = [
    "Page",
    "PAGES",
    "PAGE_ROLES",
    "md_escape",
    "lang",
    "tr",
    "target_set_label",
    "target_set_choice",
    "language_switch",
    "view",
    "view_switch",
    "indicator_name",
    "fmt_persons",
    "short_name",
    "fmt_target",
    "verdict_badge",
    "verdict_basis",
    "verdict",
    "VERDICT_COLORS",
]
