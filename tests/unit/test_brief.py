"""The two-page brief: renders, embeds the CJK font, carries the headline figures."""

import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from analytics.render.brief import BriefError, brief_data, write_brief
from cli.main import main
from tests.conftest import in_ci


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        msg = f"{name} missing (`make test` installs poppler-utils)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def test_brief_renders_two_pages_with_headline_figures(demo_store, tmp_path):
    from data import store

    eng = store.get_engine(demo_store["url"])
    data = brief_data(eng, "2018Q4")
    pdf = write_brief(tmp_path / "brief.pdf", eng, "2018Q4")
    info = subprocess.run([_tool("pdfinfo"), pdf], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M), info
    fonts = subprocess.run([_tool("pdffonts"), pdf], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts and " yes yes " in fonts  # embedded, subset
    text = subprocess.run([_tool("pdftotext"), pdf, "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "陕西省城镇化与户籍制度改革进展简报" in flat and "截至2018Q4" in flat
    settled = next(r for r in data["records"] if r["indicator"] == "settled_cumulative")
    wan = f"{settled['current_value'] / 1e4:,.0f}"
    assert wan in flat and "1,000" in flat and "62.00%" in flat
    assert "示例数据" in flat  # demo values are labelled
    assert "逾期任务" in flat and "各级公安机关" not in flat
    # tasks overdue at 2018Q4: the three with a 2015 deadline
    assert list(data["overdue"].number) == [1, 6, 11]
    assert "陕西省人民政府办公厅" in flat
    # the pages are drawn (not blank): rendered PNGs carry ink
    subprocess.run([_tool("pdftoppm"), "-r", "30", "-png", pdf, tmp_path / "p"], check=True)
    from PIL import Image

    for png in sorted(tmp_path.glob("p-*.png")):
        ink = int((np.asarray(Image.open(png).convert("L")) < 200).sum())
        assert ink > 2000, png


def test_brief_english(demo_store, tmp_path):
    from data import store

    pdf = write_brief(tmp_path / "b.pdf", store.get_engine(demo_store["url"]), "2020Q4", "en")
    text = subprocess.run([_tool("pdftotext"), pdf, "-"], capture_output=True, text=True).stdout
    assert "brief" in text and "million" in text and "Demo data" in text


@pytest.mark.parametrize(
    "period,message",
    [
        ("2018", "--period must be a quarter such as 2018Q4, not '2018'"),
        ("2010Q1", "no returns up to 2010Q1"),
        ("someday", "unparseable period 'someday'"),
    ],
)
def test_brief_bad_period(demo_store, tmp_path, monkeypatch, period, message):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_store["url"])
    out = tmp_path / "b.pdf"
    result = CliRunner().invoke(main, ["brief", str(out), "--period", period])
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_brief_wants_pdf(demo_store, tmp_path):
    from data import store

    with pytest.raises(BriefError, match="the brief is a .pdf"):
        write_brief(tmp_path / "b.png", store.get_engine(demo_store["url"]), "2018Q4")
