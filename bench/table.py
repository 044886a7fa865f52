"""The bench's table: each row our figure beside its baseline, the ratio, and whether it keeps
DESIGN.md's budget as written there ("≤ 150 ms", "≤ 0.25×", "≤ 0.5 s and ≤ 1.0×")."""

from __future__ import annotations

import math
import re

UNITS = {"s": 1.0, "ms": 1e-3}


def within_budget(ours: float, baseline: float | None, budget: str, unit: str) -> bool | None:
    """Whether ``ours`` keeps a budget written as DESIGN.md writes them ("≤ 150 ms", "≤ 0.25×",
    "≤ 500 MB", "≤ 0.5 s and ≤ 1.0×"); None when the row is only reported."""
    verdicts = []
    for part in budget.split(" and "):
        m = re.fullmatch(r"≤ ([\d.,]+) ?(ms|s|KB|MB|×)?", part.strip())
        if m is None:
            return None
        limit, kind = float(m[1].replace(",", "")), m[2]
        if kind == "×":
            value = ours / baseline if baseline else math.inf
        elif kind in UNITS and unit == "s":
            value = ours / UNITS[kind]
        else:
            value = ours
        verdicts.append(value <= limit)
    return all(verdicts)


def as_row(name, ours, baseline, baseline_name, budget, unit="s") -> dict:
    ratio = ours / baseline if baseline else None
    return {
        "name": name,
        "unit": unit,
        "ours": ours,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": ratio,
        "budget": budget,
        "within_budget": within_budget(ours, baseline, budget, unit),
    }


def _show(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,.1f} {unit}" if unit != "count" else f"{value:.0f}"


def table(rows: list[dict]) -> str:
    verdict = {True: "yes", False: "NO", None: "-"}
    lines = [f"{'benchmark':<46} {'ours':>10} {'baseline':>10} {'ratio':>7}  {'budget':<18} within"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "-"
        lines.append(
            f"{r['name']:<46} {_show(r['ours'], r['unit']):>10} "
            f"{_show(r['baseline'], r['unit']):>10} {ratio:>7}  {r['budget']:<18} "
            f"{verdict[r['within_budget']]}   (baseline: {r['baseline_name']})"
        )
    return "\n".join(lines)
