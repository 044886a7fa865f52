"""Every write a page makes, in one place. Each calls the core as the signed-in user (who is
checked again there), clears the data caches after it, so the next run reads the new state
(``ui.cached.clear_data_caches``), and gives back what the page says: ``None`` when the write
was done, else its refusal in the page's language. Pages import no core module; a write goes
through here as a read goes through ``ui.cached``."""

from __future__ import annotations

from data.refusal import Refusal
from ui.cached import clear_data_caches, engine
from ui.state import lang, tr


def _attempt(write) -> str | None:
    """One write on the store (a call without arguments); its refusal (not allowed, locked,
    rejected text) as words."""
    try:
        write()
    except Refusal as exc:
        return exc.message(lang())
    finally:
        clear_data_caches()
    return None


# ---------------------------------------------------------------------------- returns
def check_return(content: bytes, name: str, user):
    """A file's report against what is stored now, for this user's regions (nothing written)."""
    from data.intake.ingest import check

    return check(content, name, engine=engine(), user=user)


def commit_return(report, content: bytes, name: str, user, replace: bool, accept: bool):
    """Store a checked file, checked once more against what is stored at this moment (another
    upload may have landed since). Gives the fresh report and whether it was stored; a file
    whose verdict changed is not stored, and the page says so."""
    from data.intake.ingest import commit, same_verdict

    fresh = check_return(content, name, user)
    stored = same_verdict(report, fresh)
    if stored:
        commit(fresh, content, user=user, replace=replace, accept_warnings=accept, engine=engine())
    clear_data_caches()
    return fresh, stored


def revert_return(submission_id: int, user) -> tuple[bool, str]:
    """Withdraw a stored return (the values it replaced come back): whether it was, and the
    outcome in words."""
    from data.intake.ingest import RevertError, revert

    try:
        out = revert(int(submission_id), user=user, engine=engine())
    except RevertError as exc:
        return False, str(exc)
    except Refusal as exc:  # not allowed, or the quarter is approved (locked)
        return False, exc.message(lang())
    finally:
        clear_data_caches()
    words = tr("returns.reverted", id=submission_id, withdrawn=out["withdrawn"],
               restored=out["restored"])  # fmt: skip
    return True, words


# ---------------------------------------------------------------------------- review
def review_step(step: str, *args) -> str | None:
    """One step of the review cycle by name: approve (one or many), send back, undo an
    approval, release or take a release back (``data.store.approvals`` / ``releases``)."""
    from data.store import approvals, releases

    steps = {
        "approve": approvals.approve,
        "approve_many": approvals.approve_many,
        "send_back": approvals.send_back,
        "unapprove": approvals.unapprove,
        "release": releases.release,
        "unrelease": releases.unrelease,
    }
    return _attempt(lambda: steps[step](*args, engine=engine()))


# ---------------------------------------------------------------------------- tasks
def update_task(number: int, status: str, note: str, evidence: str, user) -> str | None:
    from analytics.tasks import TaskError
    from analytics.tasks import update_task as update

    try:
        return _attempt(lambda: update(number, status, note, evidence, user, engine=engine()))
    except TaskError as exc:  # an unknown task or status, said as the core says it
        return str(exc)


# ---------------------------------------------------------------------------- what-if
def save_scenario(params, user) -> tuple[int | None, str | None]:
    """Save a planner's scenario: its id, or why it was not saved."""
    from analytics.scenarios import ScenarioError, save

    try:
        return save(params, user, engine()), None
    except Refusal as exc:
        return None, exc.message(lang())
    except ScenarioError as exc:
        return None, str(exc)
    finally:
        clear_data_caches()


# ---------------------------------------------------------------------------- admin
def account(step: str, *args) -> str | None:
    """One change to the accounts by name (``data.store.users``): add, assign, set_contact,
    set_disabled, unlock, set_password; the signed-in admin is the first argument."""
    from data.store import users

    steps = {
        "add": users.add_user,
        "assign": users.assign,
        "set_contact": users.set_contact,
        "set_disabled": users.set_disabled,
        "unlock": users.unlock,
        "set_password": users.set_password,
    }
    return _attempt(lambda: steps[step](engine(), *args))


def set_target(*args) -> str | None:
    """Add or replace a province target (``analytics.targets.set_target``'s arguments after
    the engine)."""
    from analytics.targets import set_target as write

    return _attempt(lambda: write(engine(), *args))
