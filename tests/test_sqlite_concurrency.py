"""Security finding 11: on the embedded default (SQLite), people writing at the same moment
each get an answer, never a 500 "database is locked".

The pytest database is SQLite in memory, one connection, so simultaneous writers can only be
seen against a real file and a real server: this migrates a temporary SQLite file, starts
``manage.py runserver`` on it (what ``make run`` serves, one thread a request) and sends
several POSTs through a barrier so that they arrive together:

- six paper requests at once (each writes a job and runs it in-process, as without a broker);
- the same sign-off twice (a double submit): one signs it off, the other is told it already is;
- two edits of the same action from the same page: one is saved, the other gets the 409 page
  with the other person's changes.

config/settings.py puts SQLite in WAL mode with a busy timeout and starts every transaction
with BEGIN IMMEDIATE, so a writer waits for the one before it rather than failing.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.test_submission_walk import page_form

BASE_DIR = Path(__file__).resolve().parent.parent

SETUP = r"""
import datetime as dt, json
from django.conf import settings
from django.test import Client
from actionplans.choices import ActionStatus, PlanStatus
from actionplans.actions.services import EvidenceLink, evidence_attach
from partners.choices import Role
from tests.factories import ActionFactory, AgencyFactory, PlanFactory, PostFactory, UserFactory

council = AgencyFactory(name="Alpha County Council", short_name="ACC")
manager = UserFactory(email="manager@race.test", role=Role.PLAN_MANAGER, agency=council)
director = UserFactory(email="director@race.test", role=Role.DIRECTOR, agency=council)
clerk = UserFactory(email="clerk@race.test", role=Role.CLERK, agency=council)
plan = PlanFactory(title="Race plan", slug="race-plan", status=PlanStatus.LIVE, plan_date=dt.date.today())
plan.managers.add(manager)
action = ActionFactory(plan=plan, section=None, reference="1", lead_post=PostFactory(agency=council),
                       status=ActionStatus.IN_PROGRESS, due_date=dt.date.today() + dt.timedelta(days=30))
evidence_attach(action=action, added_by=manager, links=[EvidenceLink(url="https://example.org/m", description="M")])
sessions = {}
for user in (manager, director, clerk):
    client = Client()
    client.force_login(user)
    sessions[user.email] = client.cookies[settings.SESSION_COOKIE_NAME].value
print("SETUP=" + json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions, "plan": plan.pk, "slug": plan.slug, "action": action.pk}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A runserver on a fresh SQLite file, with the world of SETUP; yields its address and ids."""
    tmp = tmp_path_factory.mktemp("sqlite-race")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}", MFA_REQUIRED="false", DJANGO_DEBUG="true",
               PRIVATE_FILES_ROOT=str(tmp / "files"), EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
               PYTHONUNBUFFERED="1")
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=120)  # noqa: S603
    setup = subprocess.run([*manage, "shell", "-c", SETUP], cwd=BASE_DIR, env=env, check=True, timeout=60,  # noqa: S603
                           capture_output=True, text=True)
    world = json.loads(re.search(r"^SETUP=(.*)$", setup.stdout, re.M).group(1))
    port = _free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(  # noqa: S603 - a fixed command line
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=BASE_DIR, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp / "server.log").read_text()[-3000:]
                time.sleep(0.2)
        world.update(base=base, log=tmp / "server.log")
        yield world
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


def _session(server, email: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set(server["cookie"], server["sessions"][email], domain="127.0.0.1")
    return session


def _form(session: requests.Session, url: str) -> dict:
    """The page's form as the browser would send it, CSRF token and all."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    return {k: (v[0] if len(v) == 1 else v) for k, v in page_form(page.text, urlsplit(url).path).items()}


def _together(posts: list) -> list[requests.Response]:
    """Send every (session, url, data) at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def send(i, session, url, data):
        barrier.wait()
        try:
            results[i] = session.post(url, data=data, allow_redirects=False, timeout=60,
                                      headers={"Referer": url})
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def _codes(results, server) -> list[int]:
    codes = [r.status_code if hasattr(r, "status_code") else repr(r) for r in results]
    assert all(isinstance(c, int) and c < 500 for c in codes), (codes, server["log"].read_text()[-4000:])
    return codes


def test_six_simultaneous_paper_requests_all_succeed(server):
    url = f"{server['base']}/reports/new/?plan={server['slug']}"
    posts = []
    for email in ("clerk@race.test", "director@race.test", "manager@race.test") * 2:
        session = _session(server, email)
        data = _form(session, url)
        data.update(plan=str(server["plan"]), kind="actions-export", format="csv")
        posts.append((session, url, data))
    codes = _codes(_together(posts), server)
    assert codes == [302] * 6, codes


def test_a_double_submitted_sign_off_signs_once_and_tells_the_other(server):
    url = f"{server['base']}/actions/{server['action']}/sign-off/"
    session = _session(server, "director@race.test")
    data = _form(session, url)
    data.update(stage="delivered", note="Audited.")
    codes = sorted(_codes(_together([(session, url, data), (session, url, data)]), server))
    assert codes == [200, 302], codes


def test_simultaneous_edits_of_one_action_save_one_and_show_the_other_a_conflict(server):
    url = f"{server['base']}/plans/{server['slug']}/actions/{server['action']}/edit/"
    posts = []
    for n in (1, 2):
        session = _session(server, "manager@race.test")
        data = _form(session, url)
        data.update(description=f"Edited by tab {n}")
        posts.append((session, url, data))
    codes = sorted(_codes(_together(posts), server))
    assert codes == [302, 409], codes
