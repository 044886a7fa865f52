"""A widget keeps its callbacks (format_func, on_click, on_change, on_select) as long as its
session lives. A function made in a page script holds that page's whole namespace, every frame
and figure of the run, so each open session kept its last page's data: about 3 MB a session on
the map, which took a replica past its 500 MB budget under the 30-session load. Pages therefore
pass label dictionaries' ``.get``, bound methods or ``functools.partial`` of ui's functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui import server

ROOT = Path(__file__).resolve().parents[2]
CALLBACKS = {"format_func", "on_click", "on_change", "on_select", "on_submit"}


def callbacks_made_in_page(source: str) -> list[str]:
    """``line: keyword`` of every widget callback that is a lambda or a function of the page
    itself (also inside ``partial``)."""
    tree = ast.parse(source)
    own = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

    def made_here(value: ast.expr) -> bool:
        if isinstance(value, ast.Lambda):
            return True
        if isinstance(value, ast.Name):
            return value.id in own
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "partial":
            return bool(value.args) and made_here(value.args[0])
        return False

    return [
        f"{kw.value.lineno}: {kw.arg}"
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        for kw in call.keywords
        if kw.arg in CALLBACKS and made_here(kw.value)
    ]


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_no_page_gives_a_widget_a_function_of_its_own(page):
    assert callbacks_made_in_page(page.read_text(encoding="utf-8")) == []


def test_the_rule_finds_what_the_map_page_did_before():
    source = """
from functools import partial
def drill() -> None: ...
def jump(): ...
st.radio("x", [1], format_func=lambda v: v)
st.button("y", on_click=lambda: state.update(a=1))
st.plotly_chart(fig, on_select=drill)
st.text_input("z", on_change=partial(jump, 1))
st.selectbox("ok", [1], format_func={1: "one"}.get, on_change=ui.jump_to_county)
st.button("ok", on_click=state.update, kwargs={"a": 1})
"""
    assert callbacks_made_in_page(source) == [
        "5: format_func",
        "6: on_click",
        "7: on_select",
        "8: on_change",
    ]


def test_the_heap_is_trimmed_at_most_every_few_seconds():
    start = 10_000_000.0
    assert server.trim_heap(now=start) is True
    assert server.trim_heap(now=start + server.TRIM_EVERY_S / 2) is False
    assert server.trim_heap(now=start + server.TRIM_EVERY_S) is True


def test_heap_arenas_are_capped_on_glibc():
    assert server.limit_arenas() is True
