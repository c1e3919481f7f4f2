"""A real Celery worker for the tests marked ``services``: a separate process, started
with ``celery -A config worker``, reading the same broker and the test database that
pytest-django created, exactly as the production worker reads the production ones.

The tests that use it need rows committed where the worker can see them, so they use
``transactional_db``; they are skipped, saying why, unless the suite runs against
PostgreSQL with a broker configured (``make test-services``).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

WORKER_START_TIMEOUT = 60
WORKER_STOP_TIMEOUT = 20
PIDFILE = Path(settings.BASE_DIR) / "test-artifacts" / "celery-worker.pid"


def services_missing() -> str | None:
    """Why the real services cannot be used here, or None when they can."""
    if not settings.CELERY_BROKER_URL:
        return "needs a broker: set CELERY_BROKER_URL (make test-services does)"
    if connection.vendor != "postgresql":
        return f"needs PostgreSQL, not {connection.vendor}: set DATABASE_URL (make test-services does)"
    return None


def _database_url(settings_dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture(scope="session")
def celery_worker(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Start ``celery -A config worker`` on the test database; yield its node name; stop it."""
    reason = services_missing()
    if reason:
        pytest.skip(reason)
    from config.celery import app

    # Messages left by an earlier run (or by tests that queued jobs without a worker)
    # name jobs of another database: start from an empty queue.
    app.control.purge()
    with running_celery_worker(tmp_path_factory) as worker:
        yield worker


@contextlib.contextmanager
def running_celery_worker(tmp_path_factory, *, env=None, queue: str | None = None, pidfile: Path = PIDFILE):
    """A real worker process on the test database and broker, with ``env`` added to its
    environment (another machine's settings, say) and, when ``queue`` is given, taking
    only that queue's messages, so that it runs beside the session's worker without either
    taking the other's work. Yields what ``celery_worker`` yields; stops it on exit."""
    from config.celery import app

    files_root = tmp_path_factory.mktemp("worker-files")
    log_path = tmp_path_factory.mktemp("worker-log") / "celery-worker.log"
    node = f"ci-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",  # hold no connection that would stop the test database being dropped
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PRIVATE_FILES_ROOT": str(files_root),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-heartbeat",
        "--without-gossip", "--without-mingle", "-n", node,
        *(["-Q", queue] if queue else []),
    ]
    log = open(log_path, "wb")  # noqa: SIM115 - closed at teardown
    # Its own process group, so that stopping it stops its pool children too.
    worker = subprocess.Popen(  # noqa: S603 - a fixed command line
        command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    # Where .ci/run finds the worker to stop should this process die before its teardown.
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{worker.pid}\n")

    def output() -> str:
        log.flush()
        return log_path.read_text(errors="replace")[-5000:]

    hostname = node.replace("%h", os.uname().nodename)
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    try:
        while True:
            if worker.poll() is not None:
                pytest.fail(f"The Celery worker exited with {worker.returncode}:\n{output()}")
            replies = app.control.inspect(destination=[hostname], timeout=1.0).ping() or {}
            if hostname in replies:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not answer a ping in {WORKER_START_TIMEOUT}s:\n{output()}")
        yield {"hostname": hostname, "pid": worker.pid, "files_root": files_root, "output": output, "queue": queue}
    finally:
        _stop(worker)
        log.close()
        pidfile.unlink(missing_ok=True)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task in hand, then exit
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(WORKER_STOP_TIMEOUT)
    # Whatever is left of the worker's own process group (its pool children) goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(WORKER_STOP_TIMEOUT)


def pool_children(worker_pid: int) -> list[int]:
    """A prefork worker's pool processes: its children, read from /proc (the tests that
    kill one mid-task)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == worker_pid:
            children.append(int(stat.parent.name))
    return children
