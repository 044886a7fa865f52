"""The three-page brief: renders, embeds the CJK font, carries the headline figures."""

import itertools
import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from analytics.render.brief import BriefError, brief_data, write_brief
from cli.main import main
from data.store.snapshot import read_records, read_snapshot
from tests.conftest import in_ci


def _read(eng, view: str = "released"):
    """The store read once, as the CLI and the page cache do before drawing a brief."""
    return read_snapshot(eng, view), read_records(eng)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        msg = f"{name} missing (`make test` installs poppler-utils)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def test_brief_renders_three_pages_with_headline_figures(demo_store, tmp_path):
    from data import store

    eng = store.get_engine(demo_store["url"])
    data = brief_data(*_read(eng), "2018Q4")
    pdf = write_brief(tmp_path / "brief.pdf", *_read(eng), "2018Q4")
    info = subprocess.run([_tool("pdfinfo"), pdf], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.M), info
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
    # page 3: the cities' data quality, worst last, with the rule and the demo calendar note
    quality = data["quality"]
    assert len(quality) == 11 and quality.attrs["quarters"] == ["2018Q1", "2018Q2", "2018Q3",
                                                                "2018Q4"]  # fmt: skip
    assert "各市数据质量" in flat and "2018Q1至2018Q4，共4个季度" in flat
    last = quality.iloc[-1]
    page3 = subprocess.run(
        [_tool("pdftotext"), "-layout", "-f", "3", "-l", "3", pdf, "-"],
        capture_output=True,
        text=True,
    ).stdout
    row = rf"{last['name']}\s+{last.grade}\s+{last.score:.1f}\s+{last.on_time:.0%}"
    assert re.search(row, page3), page3
    assert "评分规则" in flat and "示例数据的报送日期由示例生成器按固定规则编排" in flat
    assert "第3页，共3页" in flat
    # the pages are drawn (not blank): rendered PNGs carry ink
    subprocess.run([_tool("pdftoppm"), "-r", "30", "-png", pdf, tmp_path / "p"], check=True)
    from PIL import Image

    for png in sorted(tmp_path.glob("p-*.png")):
        ink = int((np.asarray(Image.open(png).convert("L")) < 200).sum())
        assert ink > 2000, png


def test_a_brief_with_provisional_figures_says_so(demo_store, tmp_path):
    from data import store

    eng = store.get_engine(demo_store["url"])
    plain = write_brief(tmp_path / "r.pdf", *_read(eng), "2020Q4", "zh")
    marked = write_brief(tmp_path / "p.pdf", *_read(eng, "provisional"), "2020Q4", "en")
    text = {
        p: subprocess.run([_tool("pdftotext"), p, "-"], capture_output=True, text=True).stdout
        for p in (plain, marked)
    }
    assert "含未发布数据" not in text[plain]
    assert "Includes provisional figures" in " ".join(text[marked].split())


def test_brief_english(demo_store, tmp_path):
    from data import store

    pdf = write_brief(
        tmp_path / "b.pdf", *_read(store.get_engine(demo_store["url"])), "2020Q4", "en"
    )
    text = subprocess.run([_tool("pdftotext"), pdf, "-"], capture_output=True, text=True).stdout
    assert "brief" in text and "million" in text and "Demo data" in text


@pytest.mark.parametrize(
    "period,message",
    [
        ("2018", "--period must be a quarter such as 2018Q4, not '2018'"),
        ("2010Q1", "no released returns up to 2010Q1"),
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
        write_brief(tmp_path / "b.png", *_read(store.get_engine(demo_store["url"])), "2018Q4")


def _words(pdf) -> list[tuple[int, float, float, float, str]]:
    """Every word of the PDF as (page, x min, x max, baseline, text), from pdftotext -bbox."""
    import html

    out = subprocess.run([_tool("pdftotext"), "-bbox", pdf, "-"], capture_output=True, text=True)
    words, page = [], 0
    for line in out.stdout.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(
            r'xMin="([\d.]+)" yMin="[-\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if m:
            words.append((page, float(m[1]), float(m[2]), float(m[3]), html.unescape(m[4])))
    return words


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("period", ["2018Q4", "2020Q4"])
def test_brief_text_stays_on_the_page_and_never_overlaps(demo_store, tmp_path, lang, period):
    """Long English target names, statuses, gaps and Chinese task texts wrap inside their
    columns and the page: no word runs past the right margin, no two words on a line overlap."""
    from data import store

    pdf = write_brief(tmp_path / "b.pdf", *_read(store.get_engine(demo_store["url"])), period, lang)
    words = _words(pdf)
    assert len(words) > 100
    width = 595.44  # A4 in points
    past = [w for w in words if w[2] > width - 20]
    assert not past, past
    lines: dict[tuple[int, float], list] = {}
    for w in words:
        lines.setdefault((w[0], round(w[3])), []).append(w)
    clashes = []
    for line in lines.values():
        line.sort(key=lambda w: w[1])
        clashes += [(a[4], b[4]) for a, b in itertools.pairwise(line) if b[1] < a[2] - 0.5]
    assert not clashes, clashes
    text = " ".join(w[4] for w in words)
    if lang == "en":  # ASCII punctuation in English (quoted Chinese titles keep theirs)
        assert not re.search(r"[A-Za-z0-9%][（：]", text), text


def test_text_typed_by_an_administrator_is_drawn_as_typed(demo_copy, tmp_path):
    """A target set whose name and source hold matplotlib math ("$x^2$", an unknown macro)
    becomes the brief's leading set: the brief is written, and the text is there as typed
    (before: x² drawn, and `ParseFatalException: Unknown symbol` for the macro)."""
    from analytics.targets import set_target
    from tests.fixtures.actors import admin

    source = r"$\undefinedmacro{x}$ 规划 $x^2$ 条"
    set_target(demo_copy["engine"], "urbanization_rate", "610000", 70.0, "2030Q4", None,
               source, admin(), "$x^2$-set", source)  # fmt: skip
    pdf = write_brief(
        tmp_path / "b.pdf", *_read(demo_copy["engine"]), "2020Q4", target_set="$x^2$-set"
    )
    text = subprocess.run([_tool("pdftotext"), pdf, "-"], capture_output=True, text=True).stdout
    assert "$x^2$" in text and r"\undefinedmacro{x}" in text


def test_the_brief_reads_the_store_once_at_the_edge(demo_store, tmp_path):
    """The command reads the store once (``read_snapshot``, ``read_records``): each table
    once, the returns twice (their current values, and the quality scorecard's history of
    every value ever stored); drawing the brief from those frames runs no statement at all
    (before, the brief's helpers read the returns three times, the targets twice, and the
    official series and tasks besides)."""
    from sqlalchemy import event

    from data import store

    eng = store.get_engine(demo_store["url"])
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(eng, "before_cursor_execute", count)
    try:
        snapshot, records = _read(eng)
        at_edge = list(seen)
        write_brief(tmp_path / "b.pdf", snapshot, records, "2018Q4")
    finally:
        event.remove(eng, "before_cursor_execute", count)
    assert seen[len(at_edge) :] == []

    def reads_of(table: str) -> int:
        return sum(bool(re.search(rf"\bFROM {table}\b", s)) for s in at_edge)

    assert reads_of("observation") == 2
    assert {t: reads_of(t) for t in ("official_value", "target", "task", "task_update")} == {
        "official_value": 1,
        "target": 1,
        "task": 1,
        "task_update": 1,
    }
