"""Validate + ingest of a 100,000-row return, run in its own process so its peak memory is its
own. A real return cannot hold 100,000 distinct county-quarters after 1949 (107 x 308), so
this throughput test lowers the plausible first year to 1700 and sets 'today' to 2200Q4; every
other rule runs as in production. The process is warmed by a 300-row return first (imports),
as a running app server is. The baselines run the same way, each in a fresh process warmed
by reading the small file with the same engine (a reader timed inside the bench's own process
is slowed by that process's big heap: its garbage collector walks it while the reader makes a
million objects).

Usage: python -m bench.big_return FILE  -> prints JSON {"seconds", "peak_rss_mb", "values"}
       python -m bench.big_return FILE openpyxl|calamine|read_csv  -> JSON {"seconds"} of
       pandas.read_excel with that engine (median of 3 for calamine, one openpyxl read) or of
       pandas.read_csv (median of 3; FILE a .csv)
       python -m bench.big_return FILE floor  -> JSON {"parse", "to_python", "bind", "insert",
       "commit"}
       python -m bench.big_return FILE validate  -> JSON {"seconds"}: read + every reading and
       validation rule, no store (``urbdash validate``), median of 3
       python -m bench.big_return FILE check  -> JSON {"seconds", "peak_rss_mb", "status",
       "rule"}: one validation, cold (a file refused or read whatever its shape)
"""

from __future__ import annotations

import itertools
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

import cli  # noqa: F401 - first: one BLAS thread, as every process of the product
from data.accounts.policy import Principal

SYSTEM = Principal.system("bench")


def header() -> list[str]:
    from data.reference import indicators

    return ["期别", "区划代码", "地区名称"] + [i.name_zh for i in indicators.REPORTED]


def _rows(n_rows: int):
    from data.reference import periods
    from geo.regions import load_registry

    counties = load_registry().query("level == 'county'").code.tolist()
    quarters = periods.quarter_range("1750Q1", "2199Q4")
    yield header()
    for i in range(n_rows):
        yield [
            quarters[(i // len(counties)) % len(quarters)],  # wraps past 192,600 rows
            counties[i % len(counties)],
            "",
            100 + i % 50,
            20,
            5,
            50_000,
            30_000,
            52_000,
            20_000,
        ]


def write_big(path: Path, n_rows: int = 100_000) -> Path:
    """The return as an .xlsx workbook, or (``path`` ending .csv) as a CSV file the way Excel
    saves one on Chinese Windows (GBK)."""
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="gbk", newline="") as fh:
            csv.writer(fh).writerows(_rows(n_rows))
        return path
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    for row in _rows(n_rows):
        ws.append(row)
    wb.save(path)
    return path


def write_shape(path: Path, n_rows: int, n_cols: int) -> Path:
    """A return of ``n_rows`` × ``n_cols``: the real columns, then extra ones (remarks, as
    some offices add), written as a writer that declares no dimension (openpyxl's write-only
    mode) writes the sheet XML, straight to the zip (openpyxl would take minutes)."""
    rows = _rows(n_rows)
    names = next(rows) + [f"备注{i}" for i in range(n_cols - len(header()))]
    return _write_sheet(path, [names], (row + [r] * (n_cols - len(row)) for r, row in
                                        enumerate(rows, start=2)))  # fmt: skip


def write_quarter_columns(path: Path, n_rows: int) -> Path:
    """A return whose every cell under the header is a value: the quarters of 2015-2021 as
    28 columns of one indicator (named in the title) beside code and name, ``n_rows`` rows
    (the counties over and over: a file of duplicates, the costliest shape to check)."""
    from geo.regions import load_registry

    counties = load_registry().query("level == 'county'").code.tolist()
    quarters = [f"{y}Q{q}" for y in range(2015, 2022) for q in range(1, 5)]
    top = [["本季农业转移人口城镇落户人数（各季度）"], ["区划代码", "地区名称", *quarters]]
    body = (
        [counties[r % len(counties)], "", *[100 + r % 50] * len(quarters)] for r in range(n_rows)
    )
    return _write_sheet(path, top, body)


def _write_sheet(path: Path, top: list[list], body) -> Path:
    """A one-sheet workbook of ``top`` then ``body`` rows, its sheet XML streamed into the
    zip without a dimension."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    shell = io.BytesIO()
    wb = Workbook()
    wb.active.title = "data"
    wb.save(shell)

    def cell(ref: str, value) -> str:
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    def row_xml(r: int, row: list) -> str:
        cells = "".join(cell(f"{get_column_letter(c + 1)}{r}", v) for c, v in enumerate(row))
        return f'<row r="{r}">{cells}</row>'

    def sheet():
        yield (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<sheetData>"
        )
        for r, row in enumerate(itertools.chain(top, body), start=1):
            yield row_xml(r, row)
        yield "</sheetData></worksheet>"

    src = zipfile.ZipFile(io.BytesIO(shell.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with dst.open(item.filename, "w") as fh:
                    for part in sheet():
                        fh.write(part.encode())
            else:
                dst.writestr(item, src.read(item.filename))
    return path


def check_once(path: str) -> None:
    """One ``urbdash validate`` of the file in a fresh process: its time, this process's peak
    memory, and the file's verdict (the first error's rule when refused)."""
    from data.intake.ingest import check
    from data.reference import periods

    periods.FIRST_YEAR, periods.LAST_YEAR = 1700, 2200  # the rows' quarters, 1750–2199
    content = Path(path).read_bytes()
    t0 = time.perf_counter()
    report = check(content, Path(path).name, use_store=False, today="2200Q4")
    seconds = time.perf_counter() - t0
    errors = [p.rule for p in report.errors]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": _peak_mb(),
                "status": report.status,
                "rule": errors[0] if errors else None,
            }
        )
    )


def _peak_mb() -> float:
    """This process's own peak RSS: VmHWM belongs to the memory map made at exec, whereas
    ru_maxrss survives exec and can report the parent that forked us (the bench's parent
    holds the all-China map by then)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pg_database(admin_url: str) -> str:
    """A new empty database on the PostgreSQL server of ``admin_url``; its URL."""
    from bench.pg import create_database

    return create_database(admin_url, "bench")[1]


def main(path: str, pg_admin: str | None = None) -> None:
    from data import store
    from data.intake.ingest import ingest
    from data.reference import periods
    from data.store.bootstrap import init_store

    periods.FIRST_YEAR, periods.LAST_YEAR = 1700, 2200  # the rows' quarters, 1750–2199
    content = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as d:
        # a warm process, as the app server is: the modules of the path imported by a small
        # return first (into a store of its own), not counted
        warm = write_big(Path(d) / f"warm{Path(path).suffix}", 300)
        url = _pg_database(pg_admin) if pg_admin else f"sqlite:///{Path(d) / 'warm.sqlite'}"
        warm_engine = store.get_engine(url)
        init_store(warm_engine)
        ingest(warm.read_bytes(), warm.name, user=SYSTEM, engine=warm_engine, today="2200Q4")
        url = _pg_database(pg_admin) if pg_admin else f"sqlite:///{Path(d) / 'big.sqlite'}"
        engine = store.get_engine(url)
        init_store(engine)
        t0 = time.perf_counter()
        report = ingest(
            content,
            Path(path).name,
            user=SYSTEM,
            engine=engine,
            today="2200Q4",
            accept_warnings=True,
        )
        seconds = time.perf_counter() - t0
    assert report.status == "committed", (report.status, [p.rule for p in report.errors[:5]])
    peak = _peak_mb()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "values": report.values}))


def floor(path: str) -> None:
    """The parts no implementation of DESIGN.md's store can skip, each timed alone: calamine's
    parse of the sheet (inside Rust, before any Python object exists), and SQLite writing the
    700,000 values into the real schema (foreign keys on, the unique index, the index by
    submission) from a staging table, i.e. with no Python binding at all, then the commit;
    and calamine's conversion of the cells to Python objects, which any reader that looks at
    the values needs. The values go in as the product's rule has them: each of the file's
    935 quarters its own submission (the two indexes then grow in orders that disagree).

    One function of about 90 lines on purpose: each part is timed in the same process right
    after the one before, on the same file and schema, so that none is measured on a warmer
    or colder heap than the product's path meets."""
    import io
    import sqlite3

    from python_calamine import CalamineWorkbook

    from data import store
    from data.intake.ingest import check
    from data.reference import periods
    from data.store.bootstrap import init_store
    from data.store.observations import ROWS_PER_STATEMENT

    periods.FIRST_YEAR, periods.LAST_YEAR = 1700, 2200  # the rows' quarters, 1750–2199
    content = Path(path).read_bytes()
    parse, convert = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        t1 = time.perf_counter()
        sheet.to_python(skip_empty_area=False)
        parse.append(t1 - t0)
        convert.append(time.perf_counter() - t1)
    del sheet
    with tempfile.TemporaryDirectory() as d:
        engine = store.get_engine(f"sqlite:///{Path(d) / 'floor.sqlite'}")
        init_store(engine)
        rows = check(content, "big.xlsx", engine=engine, today="2200Q4")._merged
        rows = rows.sort_values(["region_code", "indicator", "period"])  # the index's order
        con = sqlite3.connect(Path(d) / "floor.sqlite", isolation_level=None)
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TEMP TABLE staging (r, i, p, v, s)")
        con.execute("BEGIN")
        quarters = sorted(rows.period.astype(str).unique())
        for q in quarters:  # one submission per quarter, as write_submissions makes them
            con.execute(
                "INSERT INTO submission (sha256, filename, content, uploaded_by, uploaded_at, "
                "n_rows, n_values, is_demo, status) "
                "VALUES (?, 'x', x'00', 'bench', '2026-01-01', 0, 0, 0, 'committed')",
                (q,),
            )
        con.execute("COMMIT")
        sub_of = dict(con.execute("SELECT sha256, id FROM submission").fetchall())
        flat = list(
            itertools.chain.from_iterable(
                zip(
                    rows.region_code.astype(str),
                    rows.indicator.astype(str),
                    rows.period.astype(str),
                    rows.value.astype(float),
                    rows.period.astype(str).map(sub_of),
                    strict=True,
                )
            )
        )
        # the sqlite3 module's cheapest way in: multi-row VALUES, 160 rows a statement, into a
        # table with no index, key or constraint (what binding the values costs, GIL held)
        per = ROWS_PER_STATEMENT * 4 // 5  # rows of 5 values, as many parameters a statement
        width = 5 * per
        many = "INSERT INTO staging VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * per)
        t0 = time.perf_counter()
        con.execute("BEGIN")
        full = len(flat) // width * width
        con.executemany(many, [flat[k : k + width] for k in range(0, full, width)])
        rest = [flat[k : k + 5] for k in range(full, len(flat), 5)]
        con.executemany("INSERT INTO staging VALUES (?, ?, ?, ?, ?)", rest)
        con.execute("COMMIT")
        bind = time.perf_counter() - t0
        del flat
        con.execute("BEGIN")
        t0 = time.perf_counter()
        con.execute(
            "INSERT INTO observation (region_code, indicator_code, period, value, "
            "submission_id, is_current) SELECT r, i, p, v, s, 1 FROM staging"
        )
        t1 = time.perf_counter()
        con.execute("COMMIT")
        t2 = time.perf_counter()
        con.close()
    print(
        json.dumps(
            {
                "parse": min(parse),
                "to_python": min(convert),
                "bind": bind,
                "insert": t1 - t0,
                "commit": t2 - t1,
            }
        )
    )


def validate_only(path: str) -> None:
    """Read + every reading and validation rule with no store (``urbdash validate``)."""
    import statistics

    from data.intake.ingest import check
    from data.reference import periods

    periods.FIRST_YEAR, periods.LAST_YEAR = 1700, 2200  # the rows' quarters, 1750–2199
    suffix = Path(path).suffix
    with tempfile.TemporaryDirectory() as d:
        warm = write_big(Path(d) / f"warm{suffix}", 300)
        check(warm.read_bytes(), warm.name, use_store=False, today="2200Q4")
    content = Path(path).read_bytes()
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = check(content, Path(path).name, use_store=False, today="2200Q4")
        runs.append(time.perf_counter() - t0)
    assert not report.errors, [p.rule for p in report.errors[:5]]
    print(json.dumps({"seconds": statistics.median(runs)}))


def baseline(path: str, engine: str) -> None:
    import statistics

    import pandas as pd

    def read(file):
        if engine == "read_csv":  # as one reads Excel's CSV on Chinese Windows
            return pd.read_csv(file, encoding="gbk")
        return pd.read_excel(file, engine=engine)

    with tempfile.TemporaryDirectory() as d:
        read(write_big(Path(d) / f"warm{Path(path).suffix}", 300))
    runs = []
    for _ in range(1 if engine == "openpyxl" else 3):
        t0 = time.perf_counter()
        read(path)
        runs.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(runs)}))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "check":
        check_once(sys.argv[1])
    elif len(sys.argv) > 2 and sys.argv[2] == "floor":
        floor(sys.argv[1])
    elif len(sys.argv) > 2 and sys.argv[2] == "validate":
        validate_only(sys.argv[1])
    elif len(sys.argv) > 3 and sys.argv[2] == "postgresql":
        main(sys.argv[1], sys.argv[3])
    elif len(sys.argv) > 2:
        baseline(sys.argv[1], sys.argv[2])
    else:
        main(sys.argv[1])
