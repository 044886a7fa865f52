"""Demo accounts: one per role, each with a random password, made only in demo mode (a store
the demo loader filled). The passwords are written once to ``var/demo-accounts.txt`` (mode
0600) and printed once; they are never stored in clear anywhere else."""

from __future__ import annotations

import os
from pathlib import Path

from data.accounts.passwords import random_password
from data.accounts.policy import Principal
from data.store import Engine
from data.store.users import add_user, list_users
from geo.regions import code_named

# (name, role, regions, departments): a statistician of 西安市 and a department user of the
# department that leads most tasks of the plan
DEMO_ACCOUNTS = (
    ("demo-leader", "leader", (), ()),
    ("demo-statistician", "statistician", ("西安市",), ()),
    ("demo-planner", "planner", (), ()),
    ("demo-department", "department", (), ("省公安厅",)),
    ("demo-admin", "admin", (), ()),
)
ACCOUNTS_FILE = "demo-accounts.txt"


def create_demo_accounts(engine: Engine, var_dir: Path) -> list[tuple[str, str, str]]:
    """Make the demo accounts if the store has none yet; write their passwords to
    ``var_dir/demo-accounts.txt`` (0600) and return (name, role, password) of each made."""
    users = list_users(engine)
    if users.is_demo.any():
        return []
    maker = Principal.system("demo")
    made = []
    for name, role, regions, departments in DEMO_ACCOUNTS:
        password = random_password()
        codes = tuple(code_named(r) for r in regions)  # the demo names its regions
        add_user(engine, maker, name, password, (role,), codes, departments, is_demo=True)
        made.append((name, role, password))
    path = Path(var_dir) / ACCOUNTS_FILE
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(
            "# urbdash demo accounts (示例账户): one per role, random passwords, demo data only.\n"
            "# name\trole\tpassword\n"
        )
        out.writelines(f"{n}\t{r}\t{p}\n" for n, r, p in made)
    return made
