"""One table of settings, each overridable by an environment variable.

This module imports nothing from the project, so the CLI, the app, the docs and the tests all
read the same declarations (in the manner of datasette's ``SETTINGS``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A source checkout keeps its store in var/ beside the code (git-ignored); an installed package
# keeps it in var/ under the working directory, never inside site-packages.
DEFAULT_VAR_DIR = ROOT / "var" if (ROOT / "pyproject.toml").is_file() else Path.cwd() / "var"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "var_dir",
        "URBDASH_VAR_DIR",
        str(DEFAULT_VAR_DIR),
        "Folder for the embedded SQLite file, caches and generated demo workbooks: var/ in a "
        "source checkout (git-ignored), ./var in the working directory for an installed package.",
    ),
    Setting(
        "database_url",
        "URBDASH_DATABASE_URL",
        "",
        "SQLAlchemy URL of the store. Empty: the SQLite file var/urbdash.sqlite. "
        "PostgreSQL: postgresql+psycopg://user:password@host:5432/dbname",
    ),
    Setting("language", "URBDASH_LANG", "zh", "Default UI language: zh or en."),
    Setting(
        "demo_seed", "URBDASH_DEMO_SEED", "20140923", "Seed of the deterministic demo generator."
    ),
    Setting(
        "max_upload_mb",
        "URBDASH_MAX_UPLOAD_MB",
        "20",
        "Largest uploaded workbook accepted, in MB (checked before parsing).",
    ),
    Setting(
        "max_rows",
        "URBDASH_MAX_ROWS",
        "200000",
        "Most data rows accepted in one uploaded workbook.",
    ),
    Setting(
        "max_cells",
        "URBDASH_MAX_CELLS",
        "1600000",
        "Most cells (filled or styled) accepted in one uploaded workbook, counted while its "
        "sheets are streamed before they are parsed: with the row limit, what bounds the "
        "memory a file can take (checking and storing a file of 1.6 million cells, every one "
        "read, peaks near 370 MB, under DESIGN.md's 400; a return of ten columns fits 160,000 "
        "rows).",
    ),
    Setting(
        "signin_max_failures",
        "URBDASH_SIGNIN_MAX_FAILURES",
        "5",
        "Wrong passwords in a row, for one account from one client address, that stop that "
        "address trying the account for a while (other addresses, such as the user's own "
        "office, are not affected).",
    ),
    Setting(
        "signin_lock_minutes",
        "URBDASH_SIGNIN_LOCK_MINUTES",
        "15",
        "Minutes an address is stopped after the limit; each further wrong password from it "
        "doubles the wait (at most a day). An admin may unlock sooner.",
    ),
    Setting(
        "session_idle_minutes",
        "URBDASH_SESSION_IDLE_MINUTES",
        "30",
        "A signed-in session idle this long is signed out.",
    ),
    Setting(
        "session_max_hours",
        "URBDASH_SESSION_MAX_HOURS",
        "10",
        "A session is signed out this long after signing in, however busy.",
    ),
    Setting(
        "sso_provider",
        "URBDASH_SSO_PROVIDER",
        "",
        "Single sign-on through Streamlit's st.login (OpenID Connect): the provider name of an "
        "[auth.NAME] section in .streamlit/secrets.toml, or 'default' for [auth]. Empty: off. "
        "Signed-in identities are mapped to local users by e-mail (urbdash user add --sso).",
    ),
    Setting(
        "development",
        "URBDASH_DEVELOPMENT",
        "",
        "Set to 1 on a developer's machine only: browsers then see full error details.",
    ),
    Setting(
        "complete_share",
        "URBDASH_COMPLETE_SHARE",
        "1.0",
        "A quarter is complete when this share of the province's counties hold every settlement "
        "count for it (1.0: all 107). Headline figures, maps, rankings and projections use the "
        "latest complete quarter; a newer one shows as still reporting (e.g. 4/107).",
    ),
    Setting(
        "nowcast_min_share",
        "URBDASH_NOWCAST_MIN_SHARE",
        "0.5",
        "The nowcast of a quarter still coming in gives a total (the province's, a city's) only "
        "when at least this share of its counties has reported, and the province's only when "
        "this share of the cities (and 杨凌示范区) has some return in: a missing county is "
        "estimated from what its peers reported, so with few in, one unusual return moves the "
        "whole total (3 of 107 counties once put the province at 119万 against a usual 35万). "
        "Below it the page and `urbdash nowcast` say that too few have reported.",
    ),
    Setting(
        "report_due_days",
        "URBDASH_REPORT_DUE_DAYS",
        "20",
        "A quarterly return counts as on time in the data-quality scorecard when it is first "
        "submitted within this many days after the quarter's end. The product's default, not "
        "an official rule: set it to the bureau's own deadline.",
    ),
    Setting(
        "smtp_host",
        "URBDASH_SMTP_HOST",
        "",
        "The bureau's mail server for reminders (`urbdash remind`). Empty: no mail is sent "
        "(`urbdash remind --dry-run` still lists what would be).",
    ),
    Setting("smtp_port", "URBDASH_SMTP_PORT", "587", "The mail server's port."),
    Setting(
        "smtp_timeout_s",
        "URBDASH_SMTP_TIMEOUT_S",
        "30",
        "Seconds to wait for the mail server at each step before the run reports it failed.",
    ),
    Setting(
        "smtp_security",
        "URBDASH_SMTP_SECURITY",
        "starttls",
        "starttls (upgrade the connection, port 587), ssl (TLS from the start, port 465) or "
        "none (a relay on the local network only).",
    ),
    Setting(
        "smtp_user",
        "URBDASH_SMTP_USER",
        "",
        "User name on the mail server (empty: no login). The password is read from the "
        "environment variable URBDASH_SMTP_PASSWORD, else from the file named by "
        "URBDASH_SMTP_PASSWORD_FILE; it is never printed or logged.",
    ),
    Setting(
        "mail_from",
        "URBDASH_MAIL_FROM",
        "",
        "The sender address of reminders, e.g. 统计数据平台 <noreply@tjj.shaanxi.gov.cn>.",
    ),
    Setting(
        "app_url",
        "URBDASH_APP_URL",
        "",
        "The address people open the app at, put in reminders (e.g. https://urbdash.example). "
        "Empty: the mail names no link.",
    ),
    Setting(
        "worker",
        "URBDASH_WORKER",
        "on",
        "on: `urbdash serve` starts a worker process beside the app that computes the heavy "
        "results (forecasts, backtests, calibration, nowcast) after every write and keeps them in "
        "the store, so no page computes them while a person waits; with several replicas their "
        "workers share the jobs through the store. off: no worker (run `urbdash worker` "
        "yourself).",
    ),
    Setting(
        "result_lease_s",
        "URBDASH_RESULT_LEASE_S",
        "30",
        "Seconds a worker holds a job without renewing it (it renews every third of this while "
        "it computes); a job whose worker was killed is taken over by another after this.",
    ),
    Setting(
        "result_key",
        "URBDASH_RESULT_KEY",
        "",
        "Key that signs the stored results (HMAC-SHA256; a result that does not verify is "
        "recomputed, never read). Empty: a random key kept in the var folder (result.key). Set "
        "the same value on every host when replicas run on several machines.",
    ),
    Setting(
        "map_tiles",
        "URBDASH_MAP_TILES",
        "",
        "Optional raster tile URL template for a basemap under the maps, e.g. "
        "https://tiles.example.gov.cn/{z}/{x}/{y}.png (a deployment's own tile server; GCJ-02 "
        "tiles match the boundaries). Empty: no basemap, nothing is fetched.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """Return the value of setting ``name``: its environment variable if set, else the default."""
    s = _BY_NAME[name]
    value = os.environ.get(s.env, "")
    return value if value != "" else s.default


def var_dir() -> Path:
    path = Path(get("var_dir"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = get("database_url")
    if url:
        return url
    return f"sqlite:///{var_dir() / 'urbdash.sqlite'}"
