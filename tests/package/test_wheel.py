"""The package installs whole: the built wheel, installed (not editable) into a fresh virtual
environment and run from a folder that is not the checkout, initialises a store and serves the
app. app.py, pages/, ui/, the data files and the migrations must come from the wheel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=900, **kw)


UV = Path(sys.executable).parent / "uv"  # the installer `make` uses (.ci/install.sh)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the wheel installed (dependencies pinned by constraints.txt), by the
    installer `make` uses: uv where the test venv has it, else pip."""
    base = tmp_path_factory.mktemp("wheel")
    dist, venv = base / "dist", base / "venv"
    constraints = str(ROOT / "constraints.txt")
    if UV.exists():
        build = [str(UV), "build", "--wheel", "--quiet", "--out-dir", str(dist), str(ROOT)]
        make_venv = [str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)]
        install = [str(UV), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python")]
    else:
        build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."]
        make_venv = [sys.executable, "-m", "venv", str(venv)]
        install = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    built = _run(build, cwd=ROOT)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("urbdash-*.whl")
    assert _run(make_venv).returncode == 0
    pip = _run([*install, "-c", constraints, str(wheel)])
    assert pip.returncode == 0, pip.stderr[-3000:]
    work = base / "elsewhere"  # not the checkout: nothing may be found through it
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("URBDASH_")}
    env.update(URBDASH_VAR_DIR=str(work / "var"), PYTHONPATH="")
    return {"venv": venv, "work": work, "env": env}


def test_modules_come_from_the_wheel_not_the_checkout(installed):
    code = "import app, cli, data, ui, pages, data.store.models as m; print(data.__file__)"
    out = _run(
        [str(installed["venv"] / "bin" / "python"), "-c", code],
        cwd=installed["work"],
        env=installed["env"],
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "site-packages" in out.stdout and str(ROOT) not in out.stdout


def test_installed_urbdash_initialises_and_serves(installed):
    urbdash = str(installed["venv"] / "bin" / "urbdash")
    init = _run([urbdash, "init", "--json"], cwd=installed["work"], env=installed["env"])
    assert init.returncode == 0, init.stderr[-2000:]
    counts = json.loads(init.stdout)
    assert counts["regions"] == 118 and counts["official_values"] > 0
    assert counts["database"].startswith(f"sqlite:///{installed['work']}")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(installed["work"] / "serve.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [urbdash, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=installed["work"],
        env=installed["env"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, health = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/_stcore/health"
                health = urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        served = (installed["work"] / "serve.log").read_text()
        assert health == b"ok", served[-3000:]
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
        assert b"<html" in page.lower()
        # the map's label glyphs are served from the installed static folder
        glyphs = f"http://127.0.0.1:{port}/app/static/glyphs/NotoSansCJKsc-Regular/0-255.pbf"
        body = urllib.request.urlopen(glyphs, timeout=5).read()
        assert body == (ROOT / "static/glyphs/NotoSansCJKsc-Regular/0-255.pbf").read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
