"""``urbdash tasks`` and ``task-update``: the 37 key tasks of the division plan."""

from __future__ import annotations

import click

from cli.base import (
    EXIT_INVALID,
    USER,
    acting_user,
    emit,
    fail,
    main,
    said_quarter,
    store_errors,
)
from data import store


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--as-of",
    default=None,
    help="Date (YYYY-MM-DD), quarter or year (its end) for overdue; default today.",
)
@click.option("--section", default=None, help="Only tasks of this section (number or text).")
@click.option("--department", default=None, help="Only tasks this department is listed on.")
@store_errors
def tasks(as_json: bool, as_of: str | None, section: str | None, department: str | None) -> None:
    """The 37 key tasks of the division plan with departments, lead, deadline and status."""
    from analytics.tasks import task_table, tasks_json
    from data.store.tasks import read_tasks

    try:
        if as_of and as_of.strip().isdigit():
            said_quarter(as_of)
        frame = task_table(*read_tasks(store.get_engine()), as_of)
    except ValueError as exc:
        fail(f"--as-of: {exc}")
    if section:
        frame = frame[
            frame.section.str.contains(section, regex=False)
            | (frame.section_order + 1).astype(str).eq(section)
        ]
    if department:
        frame = frame[frame.departments.map(lambda ds: department in ds)]
    records = tasks_json(frame)
    emit(
        records,
        as_json,
        "\n".join(
            f"{r['number']:>2} [{r['status']}] {r['section']} | "
            f"{'、'.join(r['departments'])}"
            f"{' (分别负责)' if r['each_responsible'] else ''}"
            f" | lead {r['lead'] or '-'} | deadline {r['deadline'] or '-'}\n    {r['text']}"
            for r in records
        ),
    )


@main.command("task-update")
@click.argument("number", type=int)
@click.option(
    "--status", required=True, help="not_started, in_progress or done (overdue is computed)."
)
@click.option("--note", default=None, help="What was done, or why not.")
@click.option("--evidence", default=None, help="Link to a document (http/https).")
@USER
@store_errors
def task_update(number: int, status: str, note, evidence, user) -> None:
    """Record a status update for a task (kept with who and when)."""
    from analytics.tasks import TaskError, update_task

    try:
        update_id = update_task(
            number, status, note, evidence, acting_user(user), engine=store.get_engine()
        )
    except TaskError as exc:
        fail(str(exc), EXIT_INVALID)
    click.echo(f"task {number}: {status} (update {update_id})")
