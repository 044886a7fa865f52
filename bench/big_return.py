"""Validate + ingest of a 100,000-row return, run in its own process so its peak memory is its
own. A real return cannot hold 100,000 distinct county-quarters after 1949 (107 x 308), so
this throughput test lowers the plausible first year to 1700 and sets 'today' to 2200Q4; every
other rule runs as in production. The process is warmed by a 300-row return first (imports),
as a running app server is; the baselines run in the parent with pandas already imported.

Usage: python -m bench.big_return FILE  -> prints JSON {"seconds", "peak_rss_mb", "values"}
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook


def header() -> list[str]:
    from data import indicators

    return ["期别", "区划代码", "地区名称"] + [i.name_zh for i in indicators.REPORTED]


def write_big(path: Path, n_rows: int = 100_000) -> Path:
    from data import periods
    from geo.regions import load_registry

    counties = load_registry().query("level == 'county'").code.tolist()
    quarters = periods.quarter_range("1750Q1", "2199Q4")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(header())
    for i in range(n_rows):
        ws.append(
            [
                quarters[i // len(counties)],
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
        )
    wb.save(path)
    return path


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


def main(path: str) -> None:
    from data import periods, store
    from data.bootstrap import init_store
    from data.ingest import ingest

    periods.FIRST_YEAR = 1700
    content = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as d:
        # a warm process, as the app server is: the modules of the path imported by a small
        # return first (into a store of its own), not counted
        warm = write_big(Path(d) / "warm.xlsx", 300)
        warm_engine = store.get_engine(f"sqlite:///{Path(d) / 'warm.sqlite'}")
        init_store(warm_engine)
        ingest(warm.read_bytes(), "warm.xlsx", engine=warm_engine, today="2200Q4")
        engine = store.get_engine(f"sqlite:///{Path(d) / 'big.sqlite'}")
        init_store(engine)
        t0 = time.perf_counter()
        report = ingest(content, "big.xlsx", engine=engine, today="2200Q4", accept_warnings=True)
        seconds = time.perf_counter() - t0
    assert report.status == "committed", (report.status, [p.rule for p in report.errors[:5]])
    peak = _peak_mb()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "values": report.values}))


if __name__ == "__main__":
    main(sys.argv[1])
