"""Reminders to offices that have not reported a quarter, at stated stages around the day the
return is due (the quarter's end + ``report_due_days``):

- ``before``: 3 days before it is due, to the office;
- ``due``: on the day, to the office;
- ``late``: 5 days late, to the office;
- ``escalate``: 10 days late, to the statisticians of its city (杨凌示范区: the province's).

An office's mail goes to its statisticians (users assigned the county, or 杨凌示范区); where a
county has none, to those of its city, who report for it. Each recipient gets one mail per
quarter and stage listing their offices, in their own language. A stage is sent once per
office and quarter (kept in the store, ``data.store.reminders``); when a run finds several
stages due at once (it did not run for days), it sends only the latest, never the missed
earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

import pandas as pd

from data import settings
from data.i18n import messages
from data.reference import periods
from data.store import Engine
from data.store import reminders as kept
from data.store.reminders import ReminderRecords
from geo.names import localized
from geo.regions import PROVINCE_CODE, reporting_unit, unit_names


@dataclass(frozen=True)
class Stage:
    name: str
    days: int  # after the due day (negative: before)
    to: str  # "office" or "city"


STAGES = (
    Stage("before", -3, "office"),
    Stage("due", 0, "office"),
    Stage("late", 5, "office"),
    Stage("escalate", 10, "city"),
)


@dataclass
class Notice:
    """One mail: a recipient, the quarter and stage, and the offices it names."""

    period: str
    stage: str
    due: date
    email: str
    user: str
    lang: str
    offices: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "stage": self.stage,
            "due": self.due.isoformat(),
            "to": self.email,
            "user": self.user,
            "lang": self.lang,
            "offices": self.offices,
            "office_names": self.names,
        }


def due_day(period: str) -> date:
    """The day a quarter's return is due.

    Parameters
    ----------
    period : str
        The quarter.

    Returns
    -------
    datetime.date
        The quarter's end plus the due days.
    """
    return (
        periods.quarter_end(period) + pd.Timedelta(days=int(settings.get("report_due_days")))
    ).date()


WINDOW_AFTER_DAYS = 7  # a quarter's reminders stop this long after its last stage's day


def stage_on(period: str, today: date) -> Stage | None:
    """The latest reminder stage whose day has come for a quarter.

    Parameters
    ----------
    period : str
        The quarter.
    today : datetime.date
        Today.

    Returns
    -------
    Stage or None
        None before the first stage and once the last is ``WINDOW_AFTER_DAYS`` old (a run
        started months later does not remind of long-past quarters).
    """
    due = due_day(period)
    come = [s for s in STAGES if due + timedelta(days=s.days) <= today]
    if not come or today > due + timedelta(days=STAGES[-1].days + WINDOW_AFTER_DAYS):
        return None
    return come[-1]


def window(today: date) -> list[str]:
    """The quarters that may be in their reminder window on a day.

    Parameters
    ----------
    today : datetime.date
        The run's day.

    Returns
    -------
    list of str
        The three quarters before the day's own, oldest first.
    """
    this = periods.quarter_of(today)
    return [periods.shift(this, -k) for k in (3, 2, 1)]


def planned(
    records: ReminderRecords, registry: pd.DataFrame, today: date
) -> tuple[list[Notice], list[tuple[str, str]]]:
    """The mails a run sends, and the offices nobody would hear about.

    Parameters
    ----------
    records : ReminderRecords
        The reporting state, contacts and stages sent for ``window(today)``
        (``data.store.reminders.read_reminder_records``, read at the edge).
    registry : pandas.DataFrame
        The region registry.
    today : datetime.date
        The run's day.

    Returns
    -------
    tuple of (list of Notice, list of tuple)
        For each quarter in its reminder window, each office without a current value, at the
        latest stage due and not yet sent; and the (office, quarter) pairs due one that nobody
        with an e-mail address would get.
    """
    quarters = window(today)
    held = {(c, p) for c, p, _ in records.state.current}
    counties = registry.loc[registry.level == "county", "code"].tolist()
    unit = reporting_unit(registry)
    names = {lang: unit_names(localized(registry, lang)) for lang in messages.LANGS}
    people = records.people.to_dict("records")
    sent = records.sent
    default_lang = settings.get("language")
    out: dict[tuple, Notice] = {}
    nobody = []
    for q in quarters:
        stage = stage_on(q, today)
        if stage is None:
            continue
        for code in counties:
            if (code, q) in held or (code, q, stage.name) in sent:
                continue
            to = _recipients(people, code, unit.get(code), stage)
            if not to:
                nobody.append((code, q))
            for person in to:
                key = (q, stage.name, person["email"])
                notice = out.setdefault(
                    key,
                    Notice(q, stage.name, due_day(q), person["email"], person["name"],
                           person["lang"] or default_lang),
                )  # fmt: skip
                notice.offices.append(code)
                notice.names.append(names.get(notice.lang, names["zh"]).get(code, code))
    return list(out.values()), nobody


def _recipients(people: list[dict], county: str, unit: str | None, stage: Stage) -> list[dict]:
    """Who a stage of a county's reminder goes to (see the module's note)."""

    def assigned(code: str) -> list[dict]:
        return [p for p in people if code in p["regions"]]

    city = unit if unit and unit != county else PROVINCE_CODE
    if stage.to == "city":
        return assigned(city)
    return assigned(county) or assigned(city)


def message(notice: Notice, today: date) -> EmailMessage:
    """A reminder as a mail, in the recipient's language.

    Parameters
    ----------
    notice : Notice
        The planned mail.
    today : datetime.date
        The day it is sent.

    Returns
    -------
    email.message.EmailMessage
        The mail.
    """
    lang = notice.lang if notice.lang in messages.LANGS else "zh"
    t = lambda key, **kw: messages.t(key, lang, **kw)  # noqa: E731
    joined = ("、" if lang == "zh" else ", ").join(notice.names)
    days = (notice.due - today).days
    msg = EmailMessage()
    msg["To"] = notice.email
    msg["Subject"] = t(
        f"remind.subject.{notice.stage}", period=notice.period, due=notice.due.isoformat()
    )
    body = [
        t("remind.greeting", user=notice.user),
        t(
            f"remind.body.{notice.stage}",
            period=notice.period,
            due=notice.due.isoformat(),
            offices=joined,
            n=len(notice.offices),
            days=abs(days),
        ),
    ]
    url = settings.get("app_url").strip()
    if url:
        body.append(t("remind.link", url=url.rstrip("/") + "/returns"))
    body.append(t("remind.footer"))
    msg.set_content("\n\n".join(body))
    return msg


def run(
    engine: Engine, notices: list[Notice], today: date, dry_run: bool = False, server=None
) -> list[dict]:
    """Send the reminders planned (unless ``dry_run``).

    Each mail's offices are claimed in the store first (a stage taken by another run at once is
    skipped), then sent, then marked sent or failed.

    Parameters
    ----------
    engine : Engine
        The store, where each mail's offices are claimed and marked.
    notices : list of Notice
        The plan (``planned``).
    today : datetime.date
        The run's day.
    dry_run : bool
        Send nothing, keep nothing.
    server : object or None
        An SMTP connection (None: the configured server's).

    Returns
    -------
    list of dict
        What was sent (or would be), each with its outcome.
    """
    from data import mail

    if dry_run:
        return [n.as_dict() | {"outcome": "dry-run"} for n in notices]
    server = server or mail.MailServer.from_settings()
    out = []
    groups: dict[tuple, list[Notice]] = {}
    for n in notices:
        groups.setdefault((n.period, n.stage), []).append(n)
    for (period, stage), group in groups.items():
        offices = sorted({o for n in group for o in n.offices})
        emails = sorted({n.email for n in group})
        claimed = set(kept.claim(engine, offices, period, stage, emails))
        todo = []
        for n in group:
            keep = [(o, nm) for o, nm in zip(n.offices, n.names, strict=True) if o in claimed]
            if keep:
                n.offices, n.names = [o for o, _ in keep], [nm for _, nm in keep]
                todo.append(n)
        if not todo:
            continue
        try:
            results = mail.send(server, [message(n, today) for n in todo])
        except mail.MailError as exc:
            kept.finish(engine, sorted(claimed), period, stage, exc.message("en"))
            raise
        failed = [e for e in results if e]
        kept.finish(engine, sorted(claimed), period, stage, "; ".join(failed) or None)
        out += [n.as_dict() | {"outcome": e or "sent"} for n, e in zip(todo, results, strict=True)]
    return out
