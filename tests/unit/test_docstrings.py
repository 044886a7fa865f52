"""Every public function of analytics/ and data/store/ says what goes in and what comes out, in
the numpydoc format (as statsmodels does), checked by numpydoc's own validator: a docstring
(GL08), every parameter documented (PR01) and none that is not in the signature (PR02), a
Returns (or Yields) section when the function returns something (RT01, YD01)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from numpydoc.validate import validate

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("analytics", "data.store")
CHECKED = {"GL08", "PR01", "PR02", "RT01", "YD01"}


def public_functions(package: str) -> list[str]:
    """The qualified names of the public functions defined in ``package``'s modules."""
    base = importlib.import_module(package)
    names = [package]
    names += [m.name for m in pkgutil.walk_packages(base.__path__, package + ".")]
    out = []
    for name in names:
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(obj):
                continue
            if obj.__module__ == name:
                out.append(f"{name}.{attr}")
    return sorted(out)


FUNCTIONS = [f for p in PACKAGES for f in public_functions(p)]


def problems(qualname: str) -> list[str]:
    found = validate(qualname)["errors"]
    return [f"{code}: {text}" for code, text in found if code in CHECKED]


def test_the_packages_have_public_functions():
    assert len(FUNCTIONS) > 250  # the walk found the modules (a broken walk checks nothing)
    assert "analytics.conformal.conformal_factor" in FUNCTIONS
    assert "data.store.observations.read_observations" in FUNCTIONS


@pytest.mark.parametrize("qualname", FUNCTIONS)
def test_every_public_function_says_what_goes_in_and_comes_out(qualname):
    assert problems(qualname) == []


def test_the_check_catches_a_prose_docstring(tmp_path, monkeypatch):
    """A planted function whose docstring is prose only fails on its parameter and its return;
    the same documented in numpydoc passes."""
    (tmp_path / "planted_doc.py").write_text(
        "def prose(flows, period):\n"
        '    """The flows of ``period``, summed."""\n'
        "    return flows[period].sum()\n\n\n"
        "def documented(flows, period):\n"
        '    """The flows of a quarter, summed.\n\n'
        "    Parameters\n    ----------\n    flows : pandas.DataFrame\n"
        "        Quarters x counties.\n    period : str\n        The quarter.\n\n"
        "    Returns\n    -------\n    float\n        Their sum.\n"
        '    """\n'
        "    return flows[period].sum()\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    codes = [p.split(":")[0] for p in problems("planted_doc.prose")]
    assert codes == ["PR01", "RT01"]
    assert problems("planted_doc.documented") == []
