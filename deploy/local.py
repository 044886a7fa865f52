"""The scaled deployment on one machine: a throwaway PostgreSQL, N ``urbdash serve`` replicas on
loopback and nginx in front (``deploy/nginx/urbdash.conf``), started by ``make deploy-local``.

The browser tests and ``bench/load.py`` start the same deployment through ``deployment()``, so
what is tested is what an operator runs. ``python -m deploy.local --print-site`` prints the nginx
site filled in for this machine (for /etc/nginx/sites-enabled/).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ui.security import headers, streamlit_static

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "urbdash.conf"
PG_SCRIPT = ROOT / ".ci" / "pg.sh"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def max_body_mb() -> int:
    """The largest request nginx lets through: urbdash's own upload limit plus room for the
    multipart envelope (the core refuses anything over its limit with its own message)."""
    from data import settings

    return math.ceil(float(settings.get("max_upload_mb"))) + 1


def render_site(listen: str, ports: list[int]) -> str:
    """deploy/nginx/urbdash.conf with its @...@ fields filled."""
    fields = {
        "@LISTEN@": listen,
        "@UPSTREAMS@": "\n".join(f"    server 127.0.0.1:{p};" for p in ports),
        "@MAX_BODY@": str(max_body_mb()),
        # the replicas' own copies hidden, nginx's added (once each, also on its /static/)
        "@SECURITY_HEADERS@": "\n".join(
            f'    proxy_hide_header {name};\n    add_header {name} "{value}" always;'
            for name, value in headers().items()
        ),
        "@STATIC@": f"{streamlit_static()}/",
    }
    text = SITE.read_text(encoding="utf-8")
    for key, value in fields.items():
        text = text.replace(key, value)
    return text


def nginx_conf(prefix: Path, site: Path) -> str:
    """A whole nginx.conf for an nginx of our own under ``prefix`` (no system files touched)."""
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"{url} did not become healthy:\n{tail}")


@dataclass
class Deployment:
    """A running deployment: ``url`` is nginx, ``replicas`` the apps behind it (loopback)."""

    var: Path
    url: str
    replicas: list[str]
    database_url: str
    env: dict
    pg_dir: Path | None
    procs: list[subprocess.Popen] = field(default_factory=list)
    owner_url: str | None = None  # the store's owner (migrations); database_url is the app's

    def pids(self) -> list[int]:
        """The replicas' process ids (nginx last in ``procs`` is not one)."""
        return [p.pid for p in self.procs[:-1]]

    def urbdash(self, *args: str, **kw) -> subprocess.CompletedProcess:
        """Run the CLI against this deployment's store."""
        bindir = Path(sys.executable).parent
        return subprocess.run(
            [str(bindir / "urbdash"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            **kw,
        )

    def pause_database(self) -> None:
        """Stop PostgreSQL (fast shutdown: open connections are cut) and keep its data."""
        subprocess.run(["bash", str(PG_SCRIPT), "pause", str(self.pg_dir)], check=True)

    def resume_database(self) -> None:
        subprocess.run(["bash", str(PG_SCRIPT), "resume", str(self.pg_dir)], check=True)


OWNER_ROLE, APP_ROLE, DATABASE = "urbdash_owner", "urbdash_app", "urbdash"


def least_privilege(admin_url: str) -> tuple[str, str]:
    """On a fresh PostgreSQL server (``admin_url``, a superuser): the owner and app roles and
    the store's database (data/store/roles.py); their URLs, owner's first."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from data.store.roles import create_roles

    admin = create_engine(admin_url)
    try:
        create_roles(admin, DATABASE, OWNER_ROLE, APP_ROLE)
    finally:
        admin.dispose()
    url = make_url(admin_url).set(database=DATABASE)
    return (
        url.set(username=OWNER_ROLE).render_as_string(False),
        url.set(username=APP_ROLE).render_as_string(False),
    )


@contextlib.contextmanager
def deployment(
    var: Path, replicas: int = 2, listen: str | None = None, database_url: str | None = None
) -> Iterator[Deployment]:
    """Start PostgreSQL (unless ``database_url`` is given), the store with its demo data, the
    replicas and nginx; stop them all on leaving.

    One function of about 100 lines on purpose: each process is started after the one it
    needs is ready and stopped in the reverse order in one ``try``/``finally``, so that a
    failure at any step stops exactly what was started."""
    var = Path(var).resolve()
    var.mkdir(parents=True, exist_ok=True)
    pg_dir = None
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        owner_url = database_url
        if database_url is None:
            # outside ``var``: the cluster belongs to the postgres user when run as root, who
            # may not be able to enter ``var`` (a private temporary folder, say)
            pg_dir = Path(tempfile.mkdtemp(prefix="urbdash-pg."))
            admin_url = subprocess.run(
                ["bash", str(PG_SCRIPT), "start", str(pg_dir)],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout.strip()
            owner_url, database_url = least_privilege(admin_url)
        env = {
            **os.environ,
            "URBDASH_DATABASE_URL": database_url,
            "URBDASH_VAR_DIR": str(var),
            # one secret for every replica: the XSRF cookie one replica signs, another accepts
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
        }
        bindir = Path(sys.executable).parent
        # the schema and the demo as the owner; the app's role then gets its rights
        steps = [["init"], ["demo", "--if-empty"]]
        if owner_url != database_url:
            steps.append(["grant-app", APP_ROLE])
        for step in steps:
            subprocess.run(
                [str(bindir / "urbdash"), *step],
                env={**env, "URBDASH_DATABASE_URL": owner_url},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        ports = [free_port() for _ in range(replicas)]
        for i, port in enumerate(ports):
            log = open(var / f"replica-{i + 1}.log", "w")
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [str(bindir / "urbdash"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for i, (url, proc) in enumerate(zip(urls, procs, strict=True)):
            wait_healthy(url, proc, var / f"replica-{i + 1}.log")
        prefix = var / "nginx"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / "tmp" / kind).mkdir(parents=True, exist_ok=True)
        listen = listen or f"127.0.0.1:{free_port()}"
        (prefix / "urbdash.conf").write_text(render_site(listen, ports), encoding="utf-8")
        (prefix / "nginx.conf").write_text(
            nginx_conf(prefix, prefix / "urbdash.conf"), encoding="utf-8"
        )
        checked = subprocess.run(
            [NGINX, "-t", "-q", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            capture_output=True,
            text=True,
        )
        if checked.returncode:
            raise RuntimeError(f"nginx refused its configuration: {checked.stderr.strip()}")
        procs.append(
            subprocess.Popen(
                [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=open(prefix / "stderr.log", "w"),
            )
        )
        host, port = listen.rsplit(":", 1)
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '*') else host}:{port}"
        wait_healthy(url, procs[-1], prefix / "error.log")
        yield Deployment(var, url, urls, database_url, env, pg_dir, procs, owner_url)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()
        if pg_dir is not None:
            subprocess.run(["bash", str(PG_SCRIPT), "stop", str(pg_dir)], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__)
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", 2)))
    parser.add_argument("--listen", default=os.environ.get("LISTEN", "127.0.0.1:8080"))
    parser.add_argument("--var", default=str(ROOT / "var" / "deploy"))
    parser.add_argument(
        "--print-site",
        action="store_true",
        help="print the nginx site for replicas on 127.0.0.1:8501.. and exit",
    )
    args = parser.parse_args(argv)
    if args.print_site:
        print(render_site(args.listen, [8501 + i for i in range(args.replicas)]))
        return 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with deployment(Path(args.var), args.replicas, args.listen) as dep:
        print(f"urbdash behind nginx: {dep.url}")
        for i, (url, pid) in enumerate(zip(dep.replicas, dep.pids(), strict=True)):
            print(f"  replica {i + 1}: {url} (pid {pid}, log {dep.var}/replica-{i + 1}.log)")
        print(f"  PostgreSQL (throwaway, removed on stop): {dep.database_url}")
        accounts = dep.var / "demo-accounts.txt"
        if accounts.exists():
            print(f"  demo accounts (name, role, password): {accounts}")
            for line in accounts.read_text(encoding="utf-8").splitlines():
                print("    " + "  ".join(line.split("\t")))
        print("Ctrl-C stops everything.")
        try:
            while not stop and all(p.poll() is None for p in dep.procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        dead = [p.args[0] for p in dep.procs if p.poll() is not None]
        if dead and not stop:
            print(f"stopped: a process ended ({dead[0]}); see the logs in {dep.var}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
