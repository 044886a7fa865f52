"""Progress towards a target by the Statistics Canada / Open SDG rule (FACTS.md).

R = observed compound growth rate since the base year / compound growth rate needed from the
base year to reach the target on time (for a cumulative count that starts at zero, the linear
paces: achieved per year / target per year). R >= 0.95: on track; 0.60-0.95: acceleration needed;
0-0.60: limited progress; below 0: moving away. A target already reached is on track.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

THRESHOLDS = ((0.95, "on_track"), (0.60, "acceleration_needed"), (0.0, "limited_progress"))
STATUSES = ("on_track", "acceleration_needed", "limited_progress", "moving_away")


@dataclass(frozen=True)
class Progress:
    base_value: float
    base_year: float
    current_value: float
    current_year: float
    target_value: float
    target_year: float
    observed_rate: float
    required_rate: float
    ratio: float
    status: str
    share_achieved: float  # (current - base) / (target - base)
    share_of_time: float  # (current_year - base_year) / (target_year - base_year)

    def as_dict(self) -> dict:
        return asdict(self)


def _cagr(start: float, end: float, years: float) -> float:
    return (end / start) ** (1.0 / years) - 1.0


def classify_ratio(ratio: float) -> str:
    """The Open SDG class of a pace ratio (``THRESHOLDS``).

    Parameters
    ----------
    ratio : float
        Achieved per year / needed per year.

    Returns
    -------
    str
        "on_track" from 0.95, "acceleration_needed" from 0.60, "limited_progress" from 0,
        "moving_away" below.
    """
    for floor, status in THRESHOLDS:
        if ratio >= floor:
            return status
    return "moving_away"


# the odds of meeting a target on time below which a status cannot stay better than this
ODDS_CAPS = ((0.05, "limited_progress"), (0.5, "acceleration_needed"))


def status_with_odds(ratio: float, probability: float | None) -> str:
    """The one rule for an open target's status.

    The Open SDG class of its pace so far (``classify_ratio``), never better than its forecast
    odds allow. Below a 50% chance of meeting it on time it is at best "acceleration needed";
    below 5%, at best "limited progress" ("moving away" stays). So a pace that was fine but can
    no longer make the date is not shown "on track" beside a probability of 0%.

    Parameters
    ----------
    ratio : float
        Achieved per year / needed per year.
    probability : float or None
        The forecast's chance of meeting the target on time; None: no forecast.

    Returns
    -------
    str
        One of ``STATUSES``.
    """
    status = classify_ratio(ratio)
    if probability is None:
        return status
    for below, best in ODDS_CAPS:
        if probability < below and STATUSES.index(status) < STATUSES.index(best):
            return best
    return status


def assess(
    base_value: float,
    base_year: float,
    current_value: float,
    current_year: float,
    target_value: float,
    target_year: float,
) -> Progress:
    """Progress of a rising indicator (urbanization, cumulative settlements) towards a target.

    Parameters
    ----------
    base_value, base_year : float
        The value at the baseline and when (years may be fractional: a quarter end is year +
        0.25 * quarter).
    current_value, current_year : float
        The value now and when.
    target_value, target_year : float
        The target and its date.

    Returns
    -------
    Progress
        The observed and required yearly rates, their ratio, the status by pace alone and the
        shares of the way and of the time.

    Raises
    ------
    ValueError
        For a target dated at or before its base, a current date before the base, or a
        non-positive base (growth rates are undefined).
    """
    if target_year <= base_year:
        raise ValueError(f"target year {target_year:g} is not after its base year {base_year:g}")
    if current_year < base_year:
        raise ValueError(f"current year {current_year:g} is before the base year {base_year:g}")
    if base_value < 0:
        raise ValueError("the base value cannot be negative")
    elapsed = current_year - base_year
    if base_value == 0:  # a cumulative count from zero: compare linear paces
        required = target_value / (target_year - base_year)
        observed = current_value / elapsed if elapsed > 0 else 0.0
    else:
        required = _cagr(base_value, target_value, target_year - base_year)
        observed = _cagr(base_value, current_value, elapsed) if elapsed > 0 else 0.0
    if current_value >= target_value:
        ratio = max(1.0, observed / required if required > 0 else 1.0)
    elif required <= 0:
        ratio = 1.0
    else:
        ratio = observed / required
    span = target_value - base_value
    return Progress(
        base_value,
        base_year,
        current_value,
        current_year,
        target_value,
        target_year,
        observed,
        required,
        ratio,
        classify_ratio(ratio),
        (current_value - base_value) / span if span else 1.0,
        elapsed / (target_year - base_year),
    )
