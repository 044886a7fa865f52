"""The review page's tables: who reviews which office, the offices in the order they ask for
a step, the counts per city, and the quarter's history, with the page's words."""

from __future__ import annotations

import pandas as pd

from analytics.review import STATES
from data.accounts.policy import covered_counties, may_review
from data.i18n.formats import local_time
from geo.regions import PROVINCE_CODE
from ui.state import tr

COLOUR = {"not_submitted": "gray", "submitted": "blue", "returned": "orange",
          "approved_city": "violet", "approved_province": "violet", "scheduled": "violet",
          "released": "green"}  # fmt: skip


def state_names() -> dict[str, str]:
    return {s: tr(f"review.state.{s}") for s in STATES}


def counts_line(counts: dict) -> str:
    """One line of counts that wraps on a narrow screen (seven metrics side by side were cut)."""
    names = state_names()
    return " ".join(f":{COLOUR[s]}-badge[{names[s]} **{counts[s]}**]" for s in STATES)


def in_order(offices: pd.DataFrame) -> pd.DataFrame:
    """Rows that ask for a step first: submitted, returned; then the rest in the cycle's order."""
    order = {"submitted": 0, "returned": 1, **{s: 2 + i for i, s in enumerate(STATES)}}
    return offices.sort_values("state", key=lambda s: s.map(order), kind="stable")


def reviewed_by(user, offices: pd.DataFrame, reviewers: dict) -> pd.DataFrame:
    """The counties this person reviews: those whose reviewer (their city; the province for
    杨凌示范区) is one of their regions."""
    mine = [may_review(user, reviewers[c]) and not user.is_system for c in offices.county_code]
    return offices[mine]


def reported_by(user, offices: pd.DataFrame, mine: pd.DataFrame) -> pd.DataFrame:
    """The offices this person reports for (a county's statistician), not reviewed by them."""
    return offices[
        offices.county_code.isin(covered_counties(user.regions))
        & ~offices.county_code.isin(mine.county_code)
    ]


def reviews_province(user) -> bool:
    return may_review(user, PROVINCE_CODE) and not user.is_system


def releases(user) -> bool:
    return (user.has("admin") or may_review(user, PROVINCE_CODE)) and not user.is_system


def own_table(own: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    shown = own.assign(state=own.state.map(state_names()))
    columns = {
        "county_name": tr("col.county"),
        "state": tr("review.col.state"),
        "by": tr("review.col.by"),
        "comment": tr("review.col.comment"),
    }
    return shown[list(columns)], columns


def units_table(by_unit: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    shown = by_unit.assign(unit_approved=by_unit.unit_approved.map({True: "✓", False: ""}))
    columns = {
        "unit_name": tr("col.city"),
        **state_names(),
        "expected": tr("col.expected"),
        "unit_approved": tr("review.unit_approved"),
    }
    return shown.drop(columns=["unit_code"]), columns


def counties_table(mine: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    shown = mine.assign(
        state=mine.state.map(state_names()),
        at=[local_time(a) if not pd.isna(a) else None for a in mine["at"]],
    )
    columns = {
        "county_name": tr("col.county"),
        "unit_name": tr("col.city"),
        "state": tr("review.col.state"),
        "by": tr("review.col.by"),
        "at": tr("review.col.at"),
        "comment": tr("review.col.comment"),
    }
    return shown[list(columns)], columns


def units_ready(by_unit: pd.DataFrame, offices: pd.DataFrame) -> list[str]:
    """Cities (and 杨凌示范区) whose counties the city has all approved, not yet approved by
    the province; a unit that is itself an office is approved as one."""
    own_office = by_unit.unit_code.isin(offices.county_code)
    ready = (by_unit.approved_city == by_unit.expected) & ~by_unit.unit_approved & ~own_office
    return by_unit[ready].unit_code.tolist()


def units_done(by_unit: pd.DataFrame, offices: pd.DataFrame) -> list[str]:
    done = by_unit.unit_approved & ~by_unit.unit_code.isin(offices.county_code)
    return by_unit[done].unit_code.tolist()


def history_table(events: pd.DataFrame, names: dict) -> tuple[pd.DataFrame, dict]:
    """The quarter's steps, newest first. A release made public at once says so itself: its
    "made public" step shows only for a release scheduled for a later day."""
    at_once = {
        on for on, at in zip(events.release_on, events["at"], strict=True)
        if on is not None and not pd.isna(at) and pd.Timestamp(at).date() >= on
    }  # fmt: skip
    events = events[~((events.action == "publish") & events.release_on.isin(at_once))]
    every = {**names, PROVINCE_CODE: tr("returns.province")}
    shown = events.iloc[::-1].assign(
        region=events.region_code.map(every),
        action=events.action.map(lambda a: tr(f"review.action.{a}")),
        at=[local_time(a) for a in events["at"]],
    )
    columns = {
        "at": tr("review.col.at"),
        "region": tr("col.region"),
        "action": tr("review.col.action"),
        "user": tr("review.col.by"),
        "comment": tr("review.col.comment"),
    }
    return shown[list(columns)], columns
