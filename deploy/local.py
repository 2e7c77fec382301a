"""A production-shaped perfdash on this machine's loopback: PostgreSQL, Streamlit replicas, the API, nginx.

    python -m deploy.local start --state-dir data/deploy-local [--port 8080] [--app-ports 8511,8512]
                                 [--api-port 8700] [--api-workers 2] [--pg-port 5433] [--projects 300 --months 24]
    python -m deploy.local stop --state-dir data/deploy-local
    python -m deploy.local nginx-conf --app 10.0.0.11:8501,10.0.0.12:8501 --api 10.0.0.21:8700 \\
                                      --listen "443 ssl" --server-name perfdash.example.gov.cn [--secure-cookie]

``start`` makes a PostgreSQL cluster (as root through ``su postgres``) with the owner and app roles and the
database, migrates as the owner, seeds the demo as the app, starts the Streamlit replicas, the API and Debian's
nginx (its own config, pid and logs in the state directory, never /etc/nginx), waits for every health check and
prints the addresses. Every process is started in its own process group and recorded in
``<state-dir>/deployment.json``; ``stop`` ends those groups and the cluster, and nothing else. ``nginx-conf``
prints deploy/nginx/perfdash.conf filled in for real servers (deploy/README.md).

From Python (bench/): ``deployment = start(Path(dir), http_port=..., app_ports=(...))`` returns the addresses
and the environment the processes run with; ``stop(Path(dir))`` ends it. ``kill_replica(deployment, port)`` crashes
one replica (SIGKILL) and ``restart_replica(deployment, port)`` brings it back (tests/deploy, bench/bench_faults.py).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

from devtools.pg_cluster import find_binaries

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx" / "perfdash.conf"
STATE_FILE = "deployment.json"
OWNER_ROLE, APP_ROLE, DATABASE = "perfdash_owner", "perfdash_app", "perfdash"
UPSTREAM_HEADER = "X-Perfdash-Upstream"  # local config only: which replica answered (for tests and benchmarks)
DEMO_LOGINS = ("admin", "leader", "analyst", "official_longting", "pm_kaifeng1", "auditor")


class DeploymentError(RuntimeError):
    """The local deployment could not be started or stopped; the message says what and where the log is."""


@dataclass(frozen=True)
class Deployment:
    """A running local deployment: where to reach it, and what its processes were started with."""

    state_dir: Path
    url: str  # nginx: what users open
    app_urls: tuple[str, ...]  # each Streamlit replica directly
    api_url: str  # the API directly (through nginx: url + "/api/v1")
    database_url: str  # the app role
    migration_database_url: str  # the owner role
    env: dict[str, str] = field(repr=False)  # the environment of every process (keys included)
    pids: dict[str, int] = field(default_factory=dict)  # process group of each started process


def render_nginx(app_servers: Sequence[str], api_servers: Sequence[str], *, listen: str, server_name: str = "_",
                 max_body_mb: int | None = None, upstream_header: bool = False, secure_cookie: bool = False) -> str:
    """deploy/nginx/perfdash.conf with the addresses filled in (``host:port`` each)."""
    if not app_servers or not api_servers:
        raise DeploymentError("nginx needs at least one app replica and one API server")
    mb = max_body_mb if max_body_mb is not None else int(os.environ.get("PERFDASH_IMPORT_MAX_MB", "20"))
    extra = f"    add_header {UPSTREAM_HEADER} $upstream_addr always;" if upstream_header else ""
    values = {
        "@APP_SERVERS@": "\n".join(f"    server {a} max_fails=0;" for a in app_servers),  # why: perfdash.conf
        "@API_SERVERS@": "\n".join(f"    server {a} max_fails=0;" for a in api_servers),
        "@LISTEN@": f"    listen {listen};",
        "@SERVER_NAME@": server_name,
        "@MAX_BODY_MB@": str(mb),
        "@EXTRA_HEADERS@": extra,
        "@COOKIE_SECURE@": "; Secure" if secure_cookie else "",
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def _nginx_main_conf(nginx_dir: Path, as_root: bool) -> str:
    """A whole nginx.conf around the site file: pid, logs and temporary files in the state directory."""
    temp = "\n".join(f"    {kind}_temp_path {nginx_dir / 'tmp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (("user www-data;\n" if as_root else "")
            + f"worker_processes 2;\npid {nginx_dir / 'nginx.pid'};\nerror_log {nginx_dir / 'error.log'} warn;\n"
            + "events { worker_connections 2048; }\nhttp {\n"
            + f"    access_log {nginx_dir / 'access.log'};\n{temp}\n    include {nginx_dir / 'perfdash.conf'};\n}}\n")


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, which is not on every user's PATH), or None."""
    return shutil.which("nginx", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")


def _pg_binaries() -> Path:
    found = find_binaries()
    if found is None:
        raise DeploymentError("PostgreSQL's server binaries (initdb, pg_ctl) are missing: apt-get install postgresql")
    return found


def _as_postgres(command: list[str]) -> None:
    """Run a PostgreSQL server command, as the ``postgres`` user when we are root (it refuses to run as root)."""
    if os.geteuid() == 0:
        quoted = " ".join("'" + part.replace("'", "'\\''") + "'" for part in command)
        command = ["su", "postgres", "-s", "/bin/sh", "-c", quoted]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DeploymentError(f"{command[-1]} failed: {(result.stderr or result.stdout).strip()}")


def _start_postgres(pg_dir: Path, port: int) -> None:
    bindir = _pg_binaries()
    password_file = pg_dir / "superuser-password"
    password_file.write_text(secrets.token_hex(16))
    if os.geteuid() == 0:
        shutil.chown(pg_dir, "postgres", "postgres")
        shutil.chown(password_file, "postgres", "postgres")
    _as_postgres([str(bindir / "initdb"), "-D", str(pg_dir / "data"), "-U", "postgres", "--auth-local=trust",
                  "--auth-host=scram-sha-256", f"--pwfile={password_file}", "--no-sync", "-E", "UTF8", "--locale=C"])
    options = f"-p {port} -k {pg_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
    _as_postgres([str(bindir / "pg_ctl"), "-D", str(pg_dir / "data"), "-l", str(pg_dir / "postgres.log"), "-w",
                  "-o", options, "start"])


def _create_roles(pg_dir: Path, port: int) -> tuple[str, str]:
    """The owner and app roles with fresh passwords, and the database the owner owns: (owner URL, app URL)."""
    passwords = {OWNER_ROLE: secrets.token_hex(16), APP_ROLE: secrets.token_hex(16)}
    with psycopg.connect(host=str(pg_dir), port=port, user="postgres", dbname="postgres", autocommit=True) as pg:
        for role, password in passwords.items():
            pg.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        pg.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER_ROLE}")
    return tuple(f"postgresql+psycopg://{role}:{passwords[role]}@127.0.0.1:{port}/{DATABASE}"  # type: ignore[return-value]
                 for role in (OWNER_ROLE, APP_ROLE))


def _run(command: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise DeploymentError(f"{' '.join(command[1:])} failed (exit {result.returncode}); see {log}")


def _spawn(command: list[str], env: dict[str, str], log: Path) -> int:
    """Start a long-running process in its own process group (so stop ends it and its children, nothing else)."""
    with log.open("a", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    return process.pid


def _spawn_replica(port: int, env: dict[str, str], state_dir: Path) -> int:
    """One Streamlit replica on ``port`` (its log: ``<state-dir>/app-<port>.log``, appended to)."""
    return _spawn([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
                   str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
                   "--browser.gatherUsageStats", "false"], env, state_dir / f"app-{port}.log")


def _refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def kill_replica(deployment: Deployment, port: int, seconds: float = 10.0) -> None:
    """SIGKILL the replica on ``port`` (a crash: no shutdown, its sockets reset) and wait until its port refuses
    connections, so that whatever comes next meets a dead replica, not a dying one."""
    group = deployment.pids[f"app-{port}"]
    _signal_groups([group], signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while _signal_groups([group], 0) or not _refuses(port):
        if time.monotonic() > deadline:
            raise DeploymentError(f"the replica on port {port} still answers {seconds:.0f} s after SIGKILL")
        time.sleep(0.02)


def restart_replica(deployment: Deployment, port: int, wait_seconds: float = 90.0) -> None:
    """Start the replica on ``port`` again (after kill_replica), with the deployment's environment, record it for
    ``stop`` and wait until it is healthy: nginx sends it its routes again from the next request on."""
    state_dir = deployment.state_dir
    state = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    deployment.pids[f"app-{port}"] = state["pids"][f"app-{port}"] = _spawn_replica(port, deployment.env, state_dir)
    _save(state_dir, state)
    _wait_healthy([f"http://127.0.0.1:{port}/_stcore/health"], wait_seconds)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_healthy(urls: Sequence[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    waiting = list(urls)
    while waiting and time.monotonic() < deadline:
        waiting = [url for url in waiting if not _healthy(url)]
        if waiting:
            time.sleep(0.2)
    if waiting:
        raise DeploymentError(f"not healthy after {seconds:.0f} s: {', '.join(waiting)} (logs in the state directory)")


def _save(state_dir: Path, state: dict[str, object]) -> None:
    path = state_dir / STATE_FILE
    path.write_text(json.dumps(state, indent=2, default=str), encoding="utf-8")
    path.chmod(0o600)  # it holds the database passwords and keys


def start(state_dir: Path, *, http_port: int = 8080, app_ports: Sequence[int] = (8511, 8512), api_port: int = 8700,
          api_workers: int = 2, pg_port: int = 5433, demo_args: Sequence[str] = (), demo_story: bool = True,
          wait_seconds: float = 90.0) -> Deployment:
    """Start everything and wait until healthy; on any failure stop what was started and raise DeploymentError."""
    state_dir = state_dir.resolve()
    if (state_dir / STATE_FILE).exists():
        raise DeploymentError(f"a deployment is recorded in {state_dir}: stop it first (make deploy-local-stop)")
    if nginx_binary() is None:
        raise DeploymentError("nginx is not installed: apt-get install nginx")
    state_dir.mkdir(parents=True, exist_ok=True)
    pg_dir = Path(tempfile.mkdtemp(prefix="perfdash-deploy-pg-"))  # the postgres user can reach /tmp, maybe not here
    state: dict[str, object] = {"pg_dir": str(pg_dir), "pids": {}}
    _save(state_dir, state)
    try:
        _start_postgres(pg_dir, pg_port)
        state["pg_started"] = True
        _save(state_dir, state)
        owner_url, app_url = _create_roles(pg_dir, pg_port)
        env = {**os.environ, "PERFDASH_DEMO": "1", "PERFDASH_DATABASE_URL": app_url,
               "PERFDASH_MIGRATION_DATABASE_URL": owner_url,
               "PERFDASH_COOKIE_KEY": secrets.token_urlsafe(48), "PERFDASH_AUDIT_KEY": secrets.token_urlsafe(48),
               "PERFDASH_AUDIT_ANCHOR_DIR": str(state_dir / "audit-anchors"),
               "PERFDASH_UPLOAD_DIR": str(state_dir / "uploads"), "PYTHONUNBUFFERED": "1",
               # Streamlit signs its cookies with this: the same on every replica, so a session survives a move
               "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(48)}
        state["env"] = {name: value for name, value in env.items() if name.startswith(("PERFDASH_", "STREAMLIT_"))}
        python, setup_log = sys.executable, state_dir / "setup.log"
        _run([python, "-m", "data_access.migrate"], env, setup_log)
        pids: dict[str, int] = {}
        state["pids"] = pids
        for port in app_ports:
            pids[f"app-{port}"] = _spawn_replica(port, env, state_dir)
            _save(state_dir, state)
        pids["api"] = _spawn([python, "-m", "api", "--host", "127.0.0.1", "--port", str(api_port),
                              "--workers", str(api_workers)], env, state_dir / "api.log")
        _save(state_dir, state)
        # The servers start while the demo is written (their health checks do not read data); nginx lets
        # nobody in before both are done.
        _run([python, "-m", "data_access.demo", "--if-empty", *demo_args], env, setup_log)
        if demo_story:  # as `make run` seeds it: the warnings' story, evaluated warnings, the risk models
            for command in (("services.demo_story",), ("services.alerts", "run"),
                            ("services.risk", "train", "--if-missing")):
                _run([python, "-m", *command], env, setup_log)
        app_urls = tuple(f"http://127.0.0.1:{port}" for port in app_ports)
        api_url = f"http://127.0.0.1:{api_port}"
        _wait_healthy([f"{u}/_stcore/health" for u in app_urls] + [f"{api_url}/healthz"], wait_seconds)
        pids["nginx"] = _start_nginx(state_dir / "nginx", app_ports, api_port, http_port)
        _save(state_dir, state)
        url = f"http://127.0.0.1:{http_port}"
        _wait_healthy([f"{url}/_stcore/health", f"{url}/healthz"], wait_seconds)
    except BaseException:
        stop(state_dir)
        raise
    deployment = Deployment(state_dir, url, app_urls, api_url, app_url, owner_url, env, dict(pids))
    state.update({key: value for key, value in asdict(deployment).items() if key not in {"env", "pids"}})
    _save(state_dir, state)
    _write_env_file(state_dir, state["env"])  # type: ignore[arg-type]
    return deployment


def _start_nginx(nginx_dir: Path, app_ports: Sequence[int], api_port: int, http_port: int) -> int:
    as_root = os.geteuid() == 0
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx_dir / "tmp" / kind).mkdir(parents=True, exist_ok=True)
        if as_root:
            shutil.chown(nginx_dir / "tmp" / kind, "www-data")
    (nginx_dir / "perfdash.conf").write_text(render_nginx(
        [f"127.0.0.1:{p}" for p in app_ports], [f"127.0.0.1:{api_port}"], listen=f"127.0.0.1:{http_port}",
        server_name="localhost", upstream_header=True), encoding="utf-8")
    conf = nginx_dir / "nginx.conf"
    conf.write_text(_nginx_main_conf(nginx_dir, as_root), encoding="utf-8")
    command = [str(nginx_binary()), "-p", str(nginx_dir), "-e", str(nginx_dir / "error.log"), "-c", str(conf)]
    result = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DeploymentError(f"nginx refuses its configuration: {result.stderr.strip()}")
    subprocess.run(command, check=True)  # nginx puts itself in the background and writes its pid file
    deadline = time.monotonic() + 10
    while not (nginx_dir / "nginx.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return int((nginx_dir / "nginx.pid").read_text().strip())


def _write_env_file(state_dir: Path, env: dict[str, str]) -> None:
    """``set -a; . <state-dir>/deploy.env`` lets a shell run commands (jobs, imports) against the deployment."""
    path = state_dir / "deploy.env"
    path.write_text("".join(f"{name}='{value}'\n" for name, value in sorted(env.items())), encoding="utf-8")
    path.chmod(0o600)


def _signal_groups(groups: Sequence[int], signum: int) -> list[int]:
    """Send ``signum`` to each process group; the groups that still exist."""
    alive = []
    for group in groups:
        try:
            os.waitpid(group, os.WNOHANG)  # started by this process (bench/, tests): reap it, or it lingers a zombie
        except ChildProcessError:
            pass
        try:
            os.killpg(group, signum)
        except ProcessLookupError:
            continue
        alive.append(group)
    return alive


def _end_groups(groups: Sequence[int], seconds: float = 10.0) -> None:
    """SIGTERM the process groups we started (all at once), then SIGKILL whatever is left after ``seconds``."""
    alive = _signal_groups(groups, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = _signal_groups(alive, 0)
    _signal_groups(alive, signal.SIGKILL)


def stop(state_dir: Path) -> None:
    """End every process the deployment in ``state_dir`` started, stop and remove its cluster; a no-op if none."""
    state_dir = state_dir.resolve()
    path = state_dir / STATE_FILE
    if not path.exists():
        return
    state = json.loads(path.read_text(encoding="utf-8"))
    pids: dict[str, int] = state.get("pids", {})
    if "nginx" in pids:
        try:
            os.kill(pids.pop("nginx"), signal.SIGTERM)  # nginx's master: fast shutdown, its workers with it
        except ProcessLookupError:
            pass
    _end_groups(list(pids.values()))
    pg_dir = Path(state["pg_dir"])
    if state.get("pg_started"):
        # immediate: no shutdown checkpoint, as the cluster is deleted next (a throwaway, like the demo data)
        _as_postgres([str(_pg_binaries() / "pg_ctl"), "-D", str(pg_dir / "data"), "-m", "immediate", "-w", "stop"])
    shutil.rmtree(pg_dir, ignore_errors=True)
    path.unlink()
    (state_dir / "deploy.env").unlink(missing_ok=True)


def _ports(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _describe(deployment: Deployment) -> str:
    replicas = ", ".join(deployment.app_urls)
    return (f"perfdash is up on {deployment.url} (nginx; demo mode: demo logins, not for production)\n"
            f"  Streamlit replicas: {replicas}\n"
            f"  API: {deployment.url}/api/v1 (docs {deployment.url}/docs, health {deployment.url}/healthz), "
            f"direct {deployment.api_url}\n"
            f"  logins: {', '.join(DEMO_LOGINS)} … password Demo@2026 (README: Roles and demo logins)\n"
            f"  scheduled jobs: set -a; . {deployment.state_dir}/deploy.env; python -m services.jobs run-due\n"
            f"  logs and state: {deployment.state_dir}; stop: make deploy-local-stop")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("start", help="start PostgreSQL, the replicas, the API and nginx")
    up.add_argument("--state-dir", type=Path, required=True)
    up.add_argument("--port", type=int, default=8080, help="nginx's port")
    up.add_argument("--app-ports", type=_ports, default=(8511, 8512), help="Streamlit replicas, e.g. 8511,8512")
    up.add_argument("--api-port", type=int, default=8700)
    up.add_argument("--api-workers", type=int, default=2)
    up.add_argument("--pg-port", type=int, default=5433)
    up.add_argument("--projects", default="300", help="demo projects")
    up.add_argument("--months", default="24", help="demo months")
    down = commands.add_parser("stop", help="end everything a start recorded in the state directory")
    down.add_argument("--state-dir", type=Path, required=True)
    conf = commands.add_parser("nginx-conf", help="print the nginx site file for real servers")
    conf.add_argument("--app", type=lambda t: t.split(","), required=True, help="replicas, host:port,host:port")
    conf.add_argument("--api", type=lambda t: t.split(","), required=True, help="API servers, host:port,…")
    conf.add_argument("--listen", default="80", help='nginx listen parameters, e.g. "443 ssl"')
    conf.add_argument("--server-name", default="_")
    conf.add_argument("--secure-cookie", action="store_true", help="the route cookie only over HTTPS")
    args = parser.parse_args(argv)
    try:
        if args.command == "nginx-conf":
            print(render_nginx(args.app, args.api, listen=args.listen, server_name=args.server_name,
                               secure_cookie=args.secure_cookie), end="")
        elif args.command == "stop":
            stop(args.state_dir)
            print(f"perfdash: the local deployment in {args.state_dir} is stopped")
        else:
            print(_describe(start(args.state_dir, http_port=args.port, app_ports=args.app_ports,
                                  api_port=args.api_port, api_workers=args.api_workers, pg_port=args.pg_port,
                                  demo_args=("--projects", args.projects, "--months", args.months))))
    except DeploymentError as error:
        print(f"perfdash: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
