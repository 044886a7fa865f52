"""The returns page's tables and words: the upload zone, a file's findings and the changes it
would make, the submission history, who has reported, and the newest quarter's nowcast."""

from __future__ import annotations

import math

import pandas as pd

from analytics.render import charts
from data import settings
from data.accounts.policy import scope
from data.intake.problems import problems_frame
from data.reference import periods
from data.reference.indicators import KEY_FIELDS, REPORTED_CODES, field_name
from ui.state import fmt_target, indicator_name, lang, tr

# the findings' columns in their order (the rule's code stays out of sight; the message says
# what it found)
FINDING_COLUMNS = ["severity", "sheet", "row", "column", "field", "value", "message"]


def scope_of(user) -> tuple[str, ...] | None:
    """The regions this statistician's returns may cover (None: every region)."""
    return scope(user)


def upload_limit_mb(transport_mb: int) -> int:
    """urbdash's own upload limit (a setting), never above the transport's."""
    return min(math.ceil(float(settings.get("max_upload_mb"))), transport_mb)


def upload_zone_style() -> str:
    """Streamlit's own drop-zone text is English only: ours, in the page's words (its button's
    word is drawn by the style sheet in place of Streamlit's "Upload")."""
    zone = "[data-testid='stFileUploaderDropzone']"
    return (
        "<style>[data-testid='stFileUploaderDropzoneInstructions']{display:none}"
        f"{zone} button p{{font-size:0}}"
        f"{zone} button p::after{{content:'{tr('returns.upload_button')}';font-size:0.875rem}}"
        "</style>"
    )


def template_period(raw: str) -> tuple[str | None, str | None]:
    """The quarter typed for a template, or why it is not one."""
    try:
        return periods.parse_period(raw), None
    except periods.PeriodError as exc:
        return None, str(exc)


def headline(report) -> tuple[str, str, str | None]:
    """What a checked (or stored) file's box says first: the box (error, info, warning,
    success), its words and icon. A file with warnings says they wait for confirmation, never
    "ready to store"."""
    status, sep = report.status, tr("list.enum")
    if status == "rejected":
        return "error", tr("returns.status.rejected"), ":material/error:"
    if status == "duplicate":
        return "info", tr("returns.status.duplicate", id=report.submission_id), None
    if status == "committed" and len(report.submission_ids) > 1:
        ids = sep.join(map(str, report.submission_ids))
        words = tr("returns.status.committed_quarters", ids=ids, periods=sep.join(report.periods))
        return "success", words, None
    if status == "committed":
        return "success", tr("returns.status.committed", id=report.submission_id), None
    if status == "unchanged":
        return "info", tr("returns.status.unchanged"), None
    if status == "conflict":
        return "warning", tr("returns.status.conflict", id=report.submission_id), None
    if report.warnings:  # storable once the person confirms them
        words = tr("returns.status.checked_warnings", n=len(report.warnings))
        return "warning", words, ":material/warning:"
    return "success", tr("returns.status.checked"), ":material/check_circle:"


def summary(report) -> str:
    return tr(
        "returns.summary",
        rows=report.rows,
        regions=report.regions,
        periods=tr("list.enum").join(report.periods) or "—",
        new=report.new,
        changed=len(report.changes),
        unchanged=report.unchanged,
    )


def findings(problems: list, shown: list[str]) -> tuple[pd.DataFrame, dict]:
    """A file's findings of the kinds ``shown`` (error, warning) for people, with headers."""
    frame = problems_frame(problems, lang())
    table = findings_table(frame[frame.severity.isin(shown or [])], severity_names())
    return table, {c: tr(f"returns.col.{c}") for c in table.columns}


def finding_kinds() -> dict[str, str]:
    """The kinds of finding a person may show or hide (the filter's options)."""
    return {"error": tr("returns.errors"), "warning": tr("returns.warnings")}


def severity_names() -> dict[str, str]:
    """One finding's severity, as its row says it (Error, not the filter's Errors)."""
    return {"error": tr("returns.severity.error"), "warning": tr("returns.severity.warning")}


def findings_table(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """The findings of a return for people: severity and field in the page's language, empty
    cells blank (never "None"), rows as whole numbers."""

    def field_label(code) -> str:
        if not isinstance(code, str):
            return ""
        if code == "region":
            return tr("col.region")
        if code in KEY_FIELDS or code in REPORTED_CODES:
            return field_name(code, lang())
        return code

    out = frame.assign(
        severity=frame.severity.map(kinds),
        field=frame.field.map(field_label),
        row=frame.row.astype("Int64").astype(str).replace("<NA>", ""),
    )
    return out.fillna("").astype({"value": str})


def changes_table(changes: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """A revision's changes for people: the region's name, the period, the indicator's name and
    the stored and the new value, headed in the page's language."""
    names = registry.set_index("code").name
    return pd.DataFrame(
        {
            tr("col.region"): changes.region_code.map(names).fillna(changes.region_code),
            tr("col.period"): changes.period,
            tr("col.indicator"): changes.indicator.map(lambda c: field_name(c, lang())),
            tr("col.old"): changes.old.map(_plain),
            tr("col.new"): changes.new.map(_plain),
        }
    )


def _plain(value) -> str:
    """A stored or reported number as people write it: 1,234 or 12.5; blank when there is none."""
    if value is None or pd.isna(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def submissions_table(subs: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    shown = subs.drop(columns=["sha256"]).assign(
        status=subs.status.map(lambda s: tr(f"returns.sub_status.{s}"))
    )
    return shown, {c: tr(f"returns.sub.{c}") for c in shown.columns}


def revert_choices(committed: pd.DataFrame) -> dict:
    """A stored return as the revert picker names it: id, file, quarters."""
    return {i: f"{i} · {r.filename} · {r.periods}" for i, r in committed.iterrows()}


def missing_lines(comp) -> str:
    """The offices not yet reported, by city, as lines."""
    by_unit = comp.missing.groupby("city_name", sort=False).county_name.agg(tr("list.enum").join)
    return "  \n".join(f"**{city}**：{names}" for city, names in by_unit.items())


def completeness_tables(comp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who has reported: per city, and per indicator."""
    counts = {"reported": tr("col.reported"), "expected": tr("col.expected")}
    by_city = comp.by_city.rename(columns={"city_name": tr("col.city"), **counts})
    per_indicator = comp.by_indicator.assign(
        indicator=[indicator_name(c) for c in comp.by_indicator.indicator]
    ).drop(columns=["name"])
    per_indicator = per_indicator.rename(columns={"indicator": tr("col.indicator"), **counts})
    return by_city.drop(columns=["city_code"]), per_indicator


def persons(value: float) -> str:
    return fmt_target(value, "人")


def nowcast_table(units: pd.DataFrame, names: dict) -> pd.DataFrame:
    """The cities with counties still missing: reported, estimated, total and its interval
    (none where too few of the city's counties have reported)."""
    units = units[units.counties_reported < units.counties_expected]
    return pd.DataFrame(
        {
            tr("col.city"): [names.get(c, c) for c in units.code],
            tr("nowcast.col.counties"): [
                f"{int(a)}/{int(b)}"
                for a, b in zip(units.counties_reported, units.counties_expected, strict=True)
            ],
            tr("nowcast.reported"): units.reported.map(persons),
            tr("nowcast.estimated"): units.estimated.map(persons).where(units.enough),
            tr("nowcast.col.total"): units.total.map(persons).where(units.enough),
            tr("nowcast.col.interval"): [
                f"{persons(lo)}–{persons(hi)}" if ok else None
                for lo, hi, ok in zip(units.lower, units.upper, units.enough, strict=True)
            ],
        }
    )


def backtest_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The nowcast's backtest: per scenario and method, cases, error, the calibrated interval's
    coverage out of sample and, labelled, the coverage before calibration."""

    def coverage(r) -> str:
        if pd.isna(r.coverage):
            return "—"
        if r.patterns > 1:
            return tr(
                "nowcast.coverage_range",
                mean=f"{r.coverage:.0f}%",
                lo=f"{r.coverage_min:.0f}",
                hi=f"{r.coverage_max:.0f}%",
                n=r.patterns,
            )
        return f"{r.coverage:.0f}%"

    return pd.DataFrame(
        {
            tr("nowcast.col.scenario"): scores.scenario.map(lambda s: tr(f"nowcast.scenario.{s}")),
            tr("nowcast.col.method"): scores.method.map(lambda m: tr(f"nowcast.method.{m}")),
            tr("nowcast.col.cases"): scores.cases,
            tr("nowcast.col.mape"): scores.mape.map(lambda v: f"{v:.1f}%"),
            tr("nowcast.col.coverage"): [coverage(r) for r in scores.itertuples()],
            tr("nowcast.col.coverage_raw"): [
                "—" if pd.isna(v) else f"{v:.0f}%" for v in scores.coverage_raw
            ],
        }
    )


def narrow_line(scores: pd.DataFrame) -> str | None:
    """The interval's honesty, said plainly: where its coverage falls below 90%."""
    ours = scores[scores.method == "nowcast"]
    if not (ours.coverage < 90).any():
        return None
    return tr(
        "nowcast.narrow",
        coverage=tr("list.enum").join(
            f"{tr(f'nowcast.scenario.{r.scenario}')} {r.coverage:.0f}%" for r in ours.itertuples()
        ),
        short=f"{90 - ours.coverage.min():.0f}",
    )


def nowcast_chart(units: pd.DataFrame, names: dict):
    return charts.nowcast_chart(units, names, lang())
