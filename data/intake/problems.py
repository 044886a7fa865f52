"""The Problem type: one finding of the reader or the rules, located where a person sees it
(sheet, Excel row, column letter), with its message in Chinese or English; and ReadResult, the
rows a workbook gave with the problems met on the way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from data.i18n import messages
from data.keys import distinct
from data.reference import indicators


@dataclass
class Problem:
    """One finding, located where a person sees it (sheet, Excel row, column letter)."""

    sheet: str
    row: int | None
    column: str | None
    field: str | None
    value: object
    rule: str
    params: dict = field(default_factory=dict)
    severity: str = "error"

    @classmethod
    def of_file(cls, rule: str, **params) -> Problem:
        """A problem with the whole file (no sheet, row or column)."""
        return cls("", None, None, None, None, rule, params)

    def message(self, lang: str = "zh") -> str:
        params = self.params
        if "span" in params:  # what kind of span a column counts over, in the language
            params = {**params, "span": messages.t(f"rule.span.{params['span']}", lang)}
        if lang == "en":  # an indicator's name or unit given in Chinese
            params = {k: _english(k, v) for k, v in params.items()}
        return messages.t(f"rule.{self.rule}", lang, **params)

    def as_dict(self, lang: str = "zh") -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": show_value(self.value),
            "rule": self.rule,
            "message": self.message(lang),
            "severity": self.severity,
        }


def other_span_problem(sheet: str, row: int, column: str, label: str, field: str, kind: str,
                       ignored: bool) -> Problem:  # fmt: skip
    """A column (or a long table's row) of indicator ``field`` over another span (``kind``:
    累计, 上年同期, 比上年增长): beside the quarter's own figure of it, a reader's aid that is
    ``ignored`` (a warning); alone, an error, since storing it as the quarter's would be wrong."""
    return Problem(
        sheet, row, column, field, label, "other_span_ignored" if ignored else "other_span",
        {"label": label, "span": kind}, "warning" if ignored else "error",
    )  # fmt: skip


def _english(key: str, value: object) -> object:
    """An indicator's name or unit given in Chinese, in English. Column names (``column``,
    ``names``) are given in both languages, since the workbook itself is Chinese."""
    if key in ("name", "unit", "other"):
        return indicators.ENGLISH.get(value, value)
    if key in ("names", "column") and isinstance(value, str):
        both = [
            f"{indicators.ENGLISH[v]} ({v})" if v in indicators.ENGLISH else v
            for v in value.split("、")
        ]
        return ", ".join(both)
    return value


def show_value(value: object) -> str | None:
    """A cell value as a person typed it: 50000.0 read from Excel shows as 50000."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


@dataclass
class ReadResult:
    """Tidy rows read from a workbook and the problems met on the way."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    totals: list[dict] = field(default_factory=list)  # subtotal rows, checked by validate
    sheets: list[str] = field(default_factory=list)
    # the reported indicators no sheet has a column for: a partial return leaves them
    # unreported (never 0); the report names them
    not_carried: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @cached_property
    def n_rows(self) -> int:
        """Spreadsheet rows that gave values (sheet x row pairs)."""
        if self.rows.empty:
            return 0
        sheet = pd.factorize(self.rows.sheet)[0].astype(np.int64)
        return int(len(distinct(sheet * (int(self.rows.row.max()) + 1) + self.rows.row.to_numpy())))

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def problems_frame(problems: list[Problem], lang: str = "zh") -> pd.DataFrame:
    """Problems as a table for the upload page (one row per problem, located)."""
    cols = ["severity", "sheet", "row", "column", "message", "field", "value", "rule"]
    return pd.DataFrame([p.as_dict(lang) for p in problems], columns=cols)
