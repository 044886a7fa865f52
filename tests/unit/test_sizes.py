"""Modules by concept, functions that fit on a screen: no module of the product, bench or deploy
over ``MODULE_LINES`` lines of code, no function over ``FUNCTION_LINES`` unless its docstring
says why it is one function "on purpose". Lines of code leave out blank lines, comments and
docstrings: the numpydoc sections every public function of analytics/ and data/store/ carries
(tests/unit/test_docstrings.py) document a concept, they do not add one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("analytics", "bench", "cli", "data", "deploy", "geo", "pages", "ui")
MODULE_LINES = 500
FUNCTION_LINES = 80
REASON = "on purpose"


def _docstring_lines(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    out.update(range(first.lineno, first.end_lineno + 1))
    return out


def code_lines(
    source: str, start: int = 1, end: int | None = None, docs: set[int] | None = None
) -> int:
    """Lines of code of ``source`` between ``start`` and ``end`` (1-based, inclusive): not
    blank, not a comment, not part of a docstring (``docs``: the file's docstring lines, when
    already known)."""
    docs = _docstring_lines(ast.parse(source)) if docs is None else docs
    lines = source.splitlines()
    end = len(lines) if end is None else end
    return sum(
        1
        for i in range(start, end + 1)
        if lines[i - 1].strip() and not lines[i - 1].strip().startswith("#") and i not in docs
    )


def oversized(path: str, source: str) -> list[str]:
    """What in one file breaks the size rules, as readable lines."""
    found = []
    tree = ast.parse(source)
    docs = _docstring_lines(tree)  # once per file: parsing again per function took 27 s
    if (n := code_lines(source, docs=docs)) > MODULE_LINES:
        found.append(f"{path}: {n} lines of code (limit {MODULE_LINES})")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = code_lines(source, node.lineno, node.end_lineno, docs)
            if n > FUNCTION_LINES and REASON not in (ast.get_docstring(node) or ""):
                found.append(f"{path}:{node.lineno} {node.name}: {n} lines of code")
    return found


def product_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def test_no_module_or_function_past_its_size():
    found = []
    for path in product_files():
        found += oversized(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    assert found == []


def _function(lines: int, doc: str = "") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 2))
    return f'def f():\n    """{doc}"""\n{body}    return x0\n'


@pytest.mark.parametrize(
    "source,expected",
    [
        (_function(81), ["x.py:1 f: 81 lines of code"]),
        (_function(81, "One function on purpose: timed together."), []),
        (_function(80), []),
        ("".join(f"x{i} = {i}\n" for i in range(501)), ["x.py: 501 lines of code (limit 500)"]),
        ('"""' + "doc\n" * 600 + '"""\n' + "# note\n" * 50 + "x = 1\n", []),
    ],
)
def test_the_rule_counts_code_not_documentation(source, expected):
    assert oversized("x.py", source) == expected
