"""Hypothesis-generated workbooks fed to validate and ingest: random and near-real headers, cell
types (huge, tiny, negative and fractional numbers, dates, booleans, numeric text), merged
cells, title rows, several sheets, hidden ones. Never an unhandled exception; a file is either
committed (and stored) or refused with errors (and the store is unchanged).

`make test` runs URBDASH_FUZZ_EXAMPLES (default 60) examples; `make fuzz` runs 2,000."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from data import store
from data.intake.ingest import check, ingest
from data.store.bootstrap import init_store
from data.store.models import Observation, Submission
from geo.regions import load_registry
from tests.fixtures.actors import SYSTEM
from tests.fixtures.workbooks import HEADER_EN, HEADER_ZH

EXAMPLES = int(os.environ.get("URBDASH_FUZZ_EXAMPLES", "60"))
COUNTIES = load_registry().query("level == 'county'").code.astype(str).tolist()
# words offices write in headers, beside ours: units, synonyms, notes, blanks
HEADER_WORDS = HEADER_ZH + HEADER_EN + [
    "序号", "单位：人", "（人）", "备注", "合计", "县区", "代码", "名称", "落户人数", "本期",
    "本季度农业转移人口落户数（人）", "城镇常住人口（万人）", "户籍人口", "", " ", "Unnamed: 3",
]  # fmt: skip
TITLES = ["2021年第一季度农业转移人口落户情况统计表", "2016年3季度", "落户情况", "2015Q4", ""]
SHEET_CHARS = st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc"))

# what a cell can hold (Excel has no control characters in cells; openpyxl refuses them)
TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs"))
TEXT = st.text(TEXT_CHARS, max_size=12)
numbers = st.one_of(
    st.integers(-(10**15), 10**15),
    st.integers(0, 2_000_000),
    st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 0.5, 1e-9, 10**12, 99999999999]),
)
cells = st.one_of(
    numbers,
    st.none(),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)),
    st.sampled_from(COUNTIES),
    st.sampled_from(["1,234", "１２３", "12.5%", "—", "-", "无", "#N/A", "=1+1", "  7 "]),
    TEXT,
)


@st.composite
def near_real_sheets(draw):
    """A return an office might send: a period title, our header in full or in part and in any
    order, county rows with consistent figures, and now and then one stray cell."""
    columns = list(range(2, len(HEADER_ZH)))
    kept = draw(st.lists(st.sampled_from(columns), min_size=1, unique=True))
    order = [0, 1] + draw(st.permutations(kept))
    header = [draw(st.sampled_from([HEADER_ZH[i], HEADER_EN[i]])) for i in order]
    rows = [[draw(st.sampled_from(TITLES[:4]))], header]
    for code in draw(st.lists(st.sampled_from(COUNTIES), min_size=1, max_size=6, unique=True)):
        resident = draw(st.integers(50_000, 3_000_000))
        registered = int(resident * draw(st.floats(0.9, 1.1)))
        full = [code, "", draw(st.integers(0, 5_000)), draw(st.integers(0, 1_000)),
                draw(st.integers(0, 500)), resident, int(resident * draw(st.floats(0.3, 0.8))),
                registered, int(registered * draw(st.floats(0.2, 0.6)))]  # fmt: skip
        rows.append([full[i] for i in order])
    if draw(st.booleans()):
        r = draw(st.integers(2, len(rows) - 1)) if len(rows) > 2 else 1
        rows[r][draw(st.integers(0, len(order) - 1))] = draw(cells)
    return "Sheet1", rows, [], "visible"


@st.composite
def sheets(draw):
    """One sheet: optional title rows, a header made of real and stray words, rows that are
    near-real (a county code and numbers) or random, and merged ranges."""
    width = draw(st.integers(1, 10))
    rows = [[draw(st.sampled_from(TITLES))] for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        rows.append([draw(st.sampled_from(HEADER_WORDS) | TEXT) for _ in range(width)])
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            rows.append([draw(st.sampled_from(COUNTIES)), None] + [draw(numbers)] * (width - 2))
        else:
            rows.append([draw(cells) for _ in range(width)])
    merges = []
    for _ in range(draw(st.integers(0, 2))):
        r0, c0 = draw(st.integers(1, max(1, len(rows)))), draw(st.integers(1, width))
        merges.append((r0, c0, r0 + draw(st.integers(0, 2)), c0 + draw(st.integers(0, 3))))
    name = draw(st.text(SHEET_CHARS, min_size=1, max_size=20).filter(lambda s: s.strip()))
    state = draw(st.sampled_from(["visible", "visible", "hidden", "veryHidden"]))
    return name, rows, merges, state


def build(specs: list) -> bytes:
    """The workbook of ``specs`` (what Hypothesis draws, and prints when a case fails)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, merges, state in specs:
        ws = wb.create_sheet(name[:31])
        for row in rows:
            ws.append(row)
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}")
        ws.sheet_state = state
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # Excel itself refuses a book with none shown
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = store.get_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}")
    init_store(eng)
    return eng


def _state(engine) -> tuple:
    with store.reader(engine) as sess:
        return (
            sess.scalar(select(func.count()).select_from(Submission)),
            sess.scalar(select(func.count()).select_from(Observation)),
            sess.scalar(select(func.sum(Observation.value)).where(Observation.is_current)),
        )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,  # `make test`: the same examples every run; `make fuzz`: new
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    specs=st.lists(
        near_real_sheets() | sheets(), min_size=1, max_size=3, unique_by=lambda s: s[0].lower()[:31]
    )
)
# found by this test: a merge reaching below the sheet's last row crashed the header search
@example(specs=[("0", [["区划代码", "地区名称"]], [(1, 1, 3, 2)], "visible")])
def test_generated_workbooks_are_stored_or_refused_with_errors(engine, specs):
    content = build(specs)
    checked = check(content, "fuzz.xlsx", engine=engine, user=SYSTEM)
    assert checked.errors or checked.rows > 0, "a file with no rows must say so as an error"
    before = _state(engine)
    report = ingest(content, "fuzz.xlsx", user=SYSTEM, accept_warnings=True, replace=True,
                    engine=engine)  # fmt: skip
    after = _state(engine)
    event(f"ingest: {report.status}")  # --hypothesis-show-statistics shows the mix
    if report.status == "committed":
        assert not report.errors and report.submission_id
        assert after[0] == before[0] + 1 and after[1] > before[1]
    elif report.status == "rejected":
        assert report.errors
        assert after == before
    else:  # nothing new to store: the same file again, or values already stored
        assert report.status in ("duplicate", "unchanged"), report.status
        assert after[1:] == before[1:]
    # the preview and the commit agree on whether the file has errors
    assert bool(checked.errors) == (report.status == "rejected")


_ARCHIVE = None


def _archive() -> bytes:
    global _ARCHIVE
    if _ARCHIVE is None:
        from tests.fixtures import workbooks as wb

        _ARCHIVE = wb.standard()
    return _ARCHIVE


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=EXAMPLES <= 100,  # as above: `make test` repeats its examples, `make fuzz` explores
)
@given(
    st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 10**9),
)
def test_damaged_archives_are_read_or_refused_never_a_traceback(flips, cut):
    """Bytes of a real workbook overwritten here and there, or the file cut short: it is read,
    or refused with a WorkbookError the reader turns into a message; never another error."""
    from data.intake.workbook import WorkbookError, open_workbook

    raw = bytearray(_archive())
    for at, value in flips:
        raw[at % len(raw)] = value
    content = bytes(raw[: len(raw) - cut % 64]) if cut % 3 == 0 else bytes(raw)
    try:
        sheets = open_workbook(content)
    except WorkbookError as exc:
        event(exc.rule)
        return
    event("read")
    assert sheets


@pytest.mark.parametrize("method", [1, 6, 99])
def test_an_unknown_compression_method_is_the_damaged_file_refusal(method):
    """CI's fuzzing found it: one byte of a member's compression method overwritten (1 = shrink,
    6 = implode, 99 = AES) made zipfile raise NotImplementedError, which came out as a traceback."""
    import struct

    from data.intake.workbook import WorkbookError, open_workbook

    raw = bytearray(_archive())
    at = 0
    changed = 0
    while (at := raw.find(b"PK\x01\x02", at)) >= 0:  # each central-directory entry
        struct.pack_into("<H", raw, at + 10, method)
        at += 4
        changed += 1
    assert changed > 3
    with pytest.raises(WorkbookError) as err:
        open_workbook(bytes(raw))
    assert err.value.rule == "corrupt_zip"


@st.composite
def placed_cells(draw):
    """Cells scattered over a sheet that may begin at any row and column (calamine keeps a
    sheet's rows from row 1 but its columns from the first one holding a value)."""
    top, left = draw(st.integers(0, 40)), draw(st.integers(0, 6))
    spots = st.tuples(st.integers(top, top + 45), st.integers(left, left + 8))
    # openpyxl writes a text starting with "=" as a formula without a value, which the reader
    # refuses on purpose (a sheet must be saved by a spreadsheet program): no such cell here
    text = st.text(TEXT_CHARS, min_size=1, max_size=12).filter(lambda t: not t.startswith("="))
    values = st.one_of(numbers, text)
    return draw(st.dictionaries(spots, values, min_size=1, max_size=40))


@settings(max_examples=EXAMPLES, deadline=None)
@given(placed_cells(), st.integers(0, 60), st.lists(st.integers(0, 16), max_size=5), st.booleans())
def test_rows_read_by_column_are_the_cells_of_the_whole_grid(placed, start, columns, streamed):
    """A workbook's rows read lazily (the top rows whole, the rest only in the columns named)
    are exactly the cells of the sheet read whole, '' beyond its edges; also when the sheet
    declares no dimension (openpyxl's write-only mode, as big files are written)."""
    from python_calamine import CalamineWorkbook

    from data.intake.workbook import HEAD_ROWS, open_workbook

    if streamed:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("data")
        for r in range(max(r for r, _ in placed) + 1):
            ws.append([placed.get((r, c)) for c in range(max(c for _, c in placed) + 1)])
    else:
        wb = Workbook()
        for (r, c), v in placed.items():
            wb.active.cell(r + 1, c + 1, v)
    buf = io.BytesIO()
    wb.save(buf)
    content = buf.getvalue()
    whole = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    grid = whole.to_python(skip_empty_area=False)
    sheet = open_workbook(content)[0]
    assert (sheet.height, sheet.width) == (len(grid), len(grid[0]))
    assert sheet.head(start) == grid[:start]
    got = sheet.rows(start, columns)
    assert got == [[row[c] if c < len(row) else "" for c in columns] for row in grid[start:]]
    assert sheet.cells(start, columns, chunk=7).tolist() == got  # filled 7 rows at a time
    sheet.release()
    assert sheet.head(HEAD_ROWS) == grid[:HEAD_ROWS]  # the top rows are kept
