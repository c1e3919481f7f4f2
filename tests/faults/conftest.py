"""The fault-test harness (``make test-faults``): the service as it runs in production, with
its Redis or its PostgreSQL taken away mid-use, checked from outside as a person or an
operator would see it.

Nothing here touches the machine's own PostgreSQL or Redis, which other work uses. The
harness starts its own of each, on free ports, for the session:

- ``private_redis``: ``redis-server`` without persistence, in the foreground, so that a test
  can stop it and start it again on the same port;
- ``private_postgres``: a throw-away cluster (``initdb``, trust authentication) in a
  temporary folder. PostgreSQL refuses to run as root, so as root the cluster belongs to
  the ``postgres`` user and every ``initdb``/``pg_ctl`` runs through ``runuser``;
- ``web``: the database migrated and the demo loaded, static files collected, then the web
  process itself: gunicorn with config/gunicorn.conf.py (two sync workers), DEBUG off, the
  cache and the broker on the private Redis, files in a private folder;
- ``browser_for``: a requests session signed in through the real sign-in form;
- ``start_worker``: a real Celery worker on the private Redis and PostgreSQL.

Every test starts with both services answering (``services_up``) whatever the test before
it left behind. The figures a test measures (time to a 503, time to recover, ...) are
printed at the end of the run and kept in the JUnit report.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
DEMO_PASSWORD = "demo-password"
START_TIMEOUT = 60
STOP_TIMEOUT = 20

# Where .ci/run finds what to stop should pytest die before its teardown: a line
# "group <pid>" per process group started here (redis-server, gunicorn, a Celery worker)
# and "pgdata <folder>" for the PostgreSQL cluster (stop it with pg_ctl as postgres).
PIDFILE = ROOT / "test-artifacts" / "faults-processes"

_figures: list[tuple[str, str]] = []


# --- small helpers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str):
    """Poll ``predicate`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _remember(line: str) -> None:
    PIDFILE.parent.mkdir(parents=True, exist_ok=True)
    with PIDFILE.open("a") as handle:
        handle.write(line + "\n")


def _forget(line: str) -> None:
    if PIDFILE.exists():
        rest = [kept for kept in PIDFILE.read_text().splitlines() if kept != line]
        if rest:
            PIDFILE.write_text("".join(f"{kept}\n" for kept in rest))
        else:
            PIDFILE.unlink(missing_ok=True)


def _spawn(command: list[str], *, log: Path, **kwargs) -> subprocess.Popen:
    """Start ``command`` in its own process group (so that stopping it stops its children),
    its output appended to ``log``."""
    with open(log, "ab") as handle:
        proc = subprocess.Popen(  # noqa: S603 - fixed command lines
            command, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    _remember(f"group {proc.pid}")
    return proc


def _stop_process_group(proc: subprocess.Popen, *, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(STOP_TIMEOUT)
    _forget(f"group {proc.pid}")


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, read from /proc (gunicorn's workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.fixture
def figure(record_testsuite_property):
    """Record a measured figure: printed in the run's summary and kept in the JUnit XML
    (as a property of the test suite, which every JUnit format allows)."""

    def record(name: str, value: str) -> None:
        _figures.append((name, value))
        record_testsuite_property(name, value)

    return record


def pytest_terminal_summary(terminalreporter):
    if _figures:
        terminalreporter.section("fault figures")
        for name, value in _figures:
            terminalreporter.write_line(f"{name}: {value}")


# --- PostgreSQL --------------------------------------------------------------------------


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


def _run_as_postgres() -> list[str] | None:
    """The prefix that runs a command as the ``postgres`` user; [] when not root; None when
    root cannot become ``postgres`` here."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return [runuser, "-u", "postgres", "--"]


class PrivatePostgres:
    """A throw-away cluster on 127.0.0.1:<port>, socket and data in a temporary folder."""

    def __init__(self, prefix: list[str], initdb: str, pg_ctl: str):
        self.prefix = prefix
        self.initdb = initdb
        self.pg_ctl = pg_ctl
        # Not under pytest's own temporary folders: those are private to root.
        self.root = Path(tempfile.mkdtemp(prefix="actionplans-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        if prefix:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - fixed command lines
            [*self.prefix, *args], cwd=self.root, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            pytest.fail(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{_tail(self.log)}")
        return result

    def _options(self) -> str:
        # fsync off: a throw-away cluster; a fast shutdown still rolls back what was in flight.
        return f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"

    def init(self) -> None:
        _remember(f"pgdata {self.data}")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")

    def start(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", self._options(), "-w", "-t", "30", "start")

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def restart(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", self._options(), "-m", "fast", "-w", "-t", "30", "restart")

    def is_running(self) -> bool:
        result = subprocess.run(  # noqa: S603
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "status"], cwd=self.root, capture_output=True
        )
        return result.returncode == 0

    def url(self, dbname: str = "actionplans") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "actionplans", *, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=autocommit, connect_timeout=5
        )

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params=()):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def destroy(self) -> None:
        if self.data.exists() and self.is_running():
            subprocess.run(  # noqa: S603
                [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                cwd=self.root, capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)
        _forget(f"pgdata {self.data}")


@pytest.fixture(scope="session")
def private_postgres():
    prefix = _run_as_postgres()
    if prefix is None:
        pytest.skip("running as root without runuser or a postgres user: PostgreSQL refuses to run as root")
    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    cluster = PrivatePostgres(prefix, initdb, pg_ctl)
    try:
        cluster.init()
        cluster.start()
        with cluster.connect("postgres") as conn:
            conn.execute("CREATE DATABASE actionplans")
        yield cluster
    finally:
        cluster.destroy()


# --- Redis -------------------------------------------------------------------------------


class PrivateRedis:
    """``redis-server`` on 127.0.0.1:<port>, no persistence: stopped, it forgets everything."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.log = folder / "redis.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.is_running():
            return
        self.proc = _spawn(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.folder)],
            log=self.log,
        )
        wait_until(self.answers, timeout=START_TIMEOUT, what=f"redis-server on port {self.port} answering")

    def stop(self) -> None:
        if self.proc is not None:
            _stop_process_group(self.proc)
            self.proc = None

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory):
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- the web process ---------------------------------------------------------------------


@dataclass
class Web:
    base_url: str
    env: dict
    files_root: Path
    log: Path
    proc: subprocess.Popen
    host: str = field(init=False)

    def __post_init__(self):
        self.host = self.base_url.removeprefix("http://")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def worker_pids(self) -> set[int]:
        return children_of(self.proc.pid)

    def output(self) -> str:
        return _tail(self.log, 6000)

    def stored_files(self, folder: str = "") -> set[str]:
        base = self.files_root / folder
        return {str(p.relative_to(self.files_root)) for p in base.rglob("*") if p.is_file()} if base.exists() else set()


def _manage(env: dict, *args: str, log: Path) -> subprocess.Popen:
    with open(log, "ab") as handle:
        return subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
        )


@pytest.fixture(scope="session")
def web_env(private_postgres, private_redis, tmp_path_factory):
    files_root = tmp_path_factory.mktemp("private-files")
    static_root = tmp_path_factory.mktemp("static-root")
    port = free_port()
    # Nothing of the caller's deployment settings: no shared services, no object store.
    inherited = ("DJANGO_", "CELERY_", "GUNICORN_", "PYTEST_", "DATABASE_", "REDIS_", "S3_", "AWS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": private_postgres.url(),
        "REDIS_URL": private_redis.url(1),
        "CELERY_BROKER_URL": private_redis.url(0),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "faults-test-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MFA_REQUIRED": "false",
        "PRIVATE_FILES_ROOT": str(files_root),
        "STATIC_ROOT": str(static_root),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CLAMAV_ADDRESS": "",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_TIMEOUT": "60",
        "PYTHONUNBUFFERED": "1",
    })
    return {"env": env, "port": port, "files_root": files_root}


@pytest.fixture(scope="session")
def web(web_env, tmp_path_factory):
    """The database migrated with the demo loaded, then gunicorn serving it."""
    env = web_env["env"]
    logs = tmp_path_factory.mktemp("web-logs")
    setup_log = logs / "setup.log"
    # collectstatic needs no database: run it beside migrate and load_demo.
    collect = _manage(env, "collectstatic", "--noinput", "-v", "0", log=setup_log)
    migrate = _manage(env, "migrate", "--noinput", "-v", "0", log=setup_log)
    if migrate.wait(300) != 0:
        pytest.fail(f"migrate failed:\n{_tail(setup_log)}")
    demo = _manage(env, "load_demo", log=setup_log)
    if demo.wait(300) != 0 or collect.wait(300) != 0:
        pytest.fail(f"load_demo or collectstatic failed:\n{_tail(setup_log)}")

    log = logs / "gunicorn.log"
    proc = _spawn([PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"], log=log, cwd=ROOT, env=env)
    server = Web(base_url=f"http://127.0.0.1:{web_env['port']}", env=env, files_root=web_env["files_root"], log=log, proc=proc)

    def answering():
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{server.output()}")
        try:
            response = requests.get(f"{server.base_url}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5)
        except requests.RequestException:
            return False
        return response.status_code in (200, 503) and len(server.worker_pids()) == 2

    try:
        wait_until(answering, timeout=START_TIMEOUT, interval=0.2, what="gunicorn answering /healthz")
        yield server
    finally:
        _stop_process_group(proc)


@dataclass(frozen=True)
class Demo:
    plan_id: int
    plan_slug: str
    inspection_id: int
    action_id: int  # an action of the plan that is not started or in progress


@pytest.fixture(scope="session")
def demo(web, private_postgres) -> Demo:
    """Where the demo's plan, inspection and an open action are in the private database."""
    plan_id, plan_slug = private_postgres.query("SELECT id, slug FROM actionplans_plan ORDER BY id LIMIT 1")[0]
    inspection_id = private_postgres.scalar(
        "SELECT min(inspection_id) FROM actionplans_plan_inspections WHERE plan_id = %s", (plan_id,)
    )
    action_id = private_postgres.scalar(
        "SELECT min(id) FROM actionplans_action WHERE plan_id = %s AND status IN ('not_started', 'in_progress')",
        (plan_id,),
    )
    assert inspection_id and action_id, "the demo has no inspection or no open action"
    return Demo(plan_id=plan_id, plan_slug=plan_slug, inspection_id=inspection_id, action_id=action_id)


@pytest.fixture(autouse=True)
def services_up(request):
    """Each test starts with PostgreSQL, Redis and the web process up, whatever the test
    before it left stopped."""
    if "web" not in request.fixturenames:
        return
    postgres = request.getfixturevalue("private_postgres")
    redis = request.getfixturevalue("private_redis")
    web = request.getfixturevalue("web")
    if not postgres.is_running():
        postgres.start()
    redis.start()
    assert web.proc.poll() is None, f"the web process has exited:\n{web.output()}"


# --- a browser's view --------------------------------------------------------------------

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A requests session that behaves as a browser behind the council's TLS proxy: every
    request says X-Forwarded-Proto: https (so Django sees HTTPS, as behind the proxy), the
    Secure ``__Host-`` cookies are sent back although the hop to gunicorn is plain HTTP,
    and forms are posted with their CSRF token and a same-origin Referer."""

    MAX_REDIRECTS = 10

    def __init__(self, web: Web):
        self.web = web
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "actionplans-fault-tests"})

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.web.base_url + path

    def _send(self, method: str, path: str, *, follow: bool = True, timeout: float = 60, **kwargs) -> requests.Response:
        # requests copies the session's cookies into a fresh jar with the default policy for
        # each request, which withholds Secure cookies from http:// URLs: the cookies are
        # unmarked before each hop instead, and redirects followed here, hop by hop.
        for _ in range(self.MAX_REDIRECTS):
            for cookie in self.session.cookies:
                cookie.secure = False
            response = self.session.request(method, self.url(path), allow_redirects=False, timeout=timeout, **kwargs)
            if not (follow and response.is_redirect):
                return response
            location = response.headers["Location"]
            assert not location.startswith("https://"), f"redirected to {location}: HTTPS was not recognised"
            method, path, kwargs = "GET", location, {}
        pytest.fail(f"more than {self.MAX_REDIRECTS} redirects from {path}")

    def get(self, path: str, **kwargs) -> requests.Response:
        return self._send("GET", path, **kwargs)

    def csrf_token(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        match = _CSRF_INPUT.search(response.text)
        assert match, f"no CSRF token on {path}"
        return html.unescape(match.group(1))

    def post(self, path: str, data: dict, *, token: str, files=None, **kwargs) -> requests.Response:
        headers = {"Referer": f"https://{self.web.host}{path}"}
        return self._send(
            "POST", path, data={**data, "csrfmiddlewaretoken": token}, files=files, headers=headers, **kwargs
        )

    def sign_in(self, email: str) -> requests.Response:
        token = self.csrf_token("/accounts/login/")
        response = self.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD}, token=token)
        assert response.status_code == 200, f"signing in as {email}: {response.status_code}\n{response.text[:2000]}"
        assert "/accounts/login/" not in response.url, f"signing in as {email} did not leave the sign-in page"
        return response


@pytest.fixture
def browser_for(web):
    def make() -> Browser:
        return Browser(web)

    return make


# --- a Celery worker ---------------------------------------------------------------------


@pytest.fixture
def start_worker(web, tmp_path):
    """Start ``celery -A config worker`` on the web process's database, broker and files;
    stopped at teardown. Returns once the worker says it is ready."""
    started: list[subprocess.Popen] = []

    def start() -> dict:
        log_path = tmp_path / f"celery-worker-{len(started)}.log"
        proc = _spawn(
            [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
             "-n", f"faults-{len(started)}@%h"],
            log=log_path, cwd=ROOT, env=web.env,
        )
        started.append(proc)

        def ready():
            if proc.poll() is not None:
                pytest.fail(f"the Celery worker exited with {proc.returncode}:\n{_tail(log_path)}")
            return " ready." in _tail(log_path, 100_000)

        wait_until(ready, timeout=START_TIMEOUT, interval=0.2, what="the Celery worker ready")
        return {"pid": proc.pid, "output": lambda: _tail(log_path)}

    yield start
    for proc in started:
        _stop_process_group(proc)
