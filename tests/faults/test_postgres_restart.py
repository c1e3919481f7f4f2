"""PostgreSQL stopped or restarted under a running web process.

What people and operators must see: while the database is away every page answers at once
with a clear 503 "temporarily unavailable" page saying nothing was saved, and /healthz
says "down" (503); when it is back the same web process (same gunicorn master and
workers, no restart) serves the same signed-in session again; and a save cut off half-way,
its file already written, leaves nothing behind: no row, no file.
"""

import contextlib
import re
import threading
import time

import pytest

from tests.faults.conftest import wait_until

pytestmark = pytest.mark.faults

UNAVAILABLE = "Sorry, the service is temporarily unavailable"
NOTHING_SAVED = "Nothing you sent has been saved."
RECOVERY_TIMEOUT = 30


def _update_form(narrative: str, status: str) -> dict:
    return {
        "as_of": time.strftime("%d/%m/%Y"),
        "narrative": narrative,
        "proposed_rag": "amber",
        "status": status,
        "links": "",
    }


def _evidence(content: bytes) -> dict:
    return {"files": ("minutes.csv", content, "text/csv")}


def _action_state(postgres, action_id: int) -> dict:
    status, version = postgres.query("SELECT status, version FROM actionplans_action WHERE id = %s", (action_id,))[0]
    return {
        "status": status,
        "version": version,
        "updates": postgres.scalar("SELECT count(*) FROM actionplans_progressupdate WHERE action_id = %s", (action_id,)),
        "evidence": postgres.scalar("SELECT count(*) FROM actionplans_evidence WHERE action_id = %s", (action_id,)),
        "history": postgres.scalar("SELECT count(*) FROM actionplans_historicalaction WHERE id = %s", (action_id,)),
    }


def _assert_unavailable_page(response, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code}\n{response.text[:500]}"
    assert response.headers["Content-Type"].startswith("text/html")
    assert UNAVAILABLE in response.text
    assert NOTHING_SAVED in response.text
    assert response.headers.get("Retry-After")


def test_with_postgresql_stopped_pages_say_unavailable_then_the_same_process_recovers(
    web, demo, private_postgres, browser_for, figure
):
    manager = browser_for()
    manager.sign_in("manager@demo.example")
    form_path = f"/actions/{demo.action_id}/update/"
    token = manager.csrf_token(form_path)
    master, workers = web.pid, web.worker_pids()
    before = _action_state(private_postgres, demo.action_id)
    files_before = web.stored_files()

    private_postgres.stop()

    started = time.monotonic()
    first = manager.get("/my-actions/")
    figure("postgres down: time to the 503 page", f"{time.monotonic() - started:.3f} s")
    _assert_unavailable_page(first, "GET /my-actions/")
    for path in (f"/plans/{demo.plan_slug}/", f"/actions/{demo.action_id}/", "/dashboard/", "/reports/"):
        _assert_unavailable_page(manager.get(path), f"GET {path}")
    # Someone signing in meanwhile (the sign-in form itself needs no database) is told the
    # service is unavailable, not that their password is wrong.
    newcomer = browser_for()
    sign_in = newcomer.post(
        "/accounts/login/", {"login": "director@demo.example", "password": "demo-password"},
        token=newcomer.csrf_token("/accounts/login/"),
    )
    _assert_unavailable_page(sign_in, "POST /accounts/login/")

    health = manager.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "down"
    assert health.json()["checks"]["database"]["ok"] is False

    narrative = "Sent while PostgreSQL was stopped."
    response = manager.post(
        form_path, _update_form(narrative, "in_progress"), token=token, files=_evidence(b"sent,while\ndown,1\n")
    )
    _assert_unavailable_page(response, f"POST {form_path}")

    private_postgres.start()
    started = time.monotonic()
    wait_until(
        lambda: manager.get("/my-actions/").status_code == 200,
        timeout=RECOVERY_TIMEOUT, interval=0.1, what="the same session served again",
    )
    figure("postgres back: first page served after", f"{time.monotonic() - started:.3f} s")

    page = manager.get("/my-actions/")
    assert page.status_code == 200
    assert "/accounts/login/" not in page.url  # still signed in: the session survived
    assert (web.pid, web.worker_pids()) == (master, workers), "the web process was restarted"
    assert web.proc.poll() is None
    assert manager.get("/healthz").status_code == 200

    # Nothing of the POST sent while the database was away: no row, no file.
    assert _action_state(private_postgres, demo.action_id) == before
    assert private_postgres.scalar("SELECT count(*) FROM actionplans_progressupdate WHERE narrative = %s", (narrative,)) == 0
    assert web.stored_files() == files_before

    # Sent again now, as the page told them to, it is saved once.
    token = manager.csrf_token(form_path)
    again = manager.post(
        form_path, _update_form(narrative, "in_progress"), token=token, files=_evidence(b"sent,again\nup,1\n")
    )
    assert again.status_code == 200
    assert "Your update has been recorded." in again.text
    assert private_postgres.scalar("SELECT count(*) FROM actionplans_progressupdate WHERE narrative = %s", (narrative,)) == 1


def _waiting_on_lock(postgres, table: str) -> int | None:
    """The backend blocked inserting into ``table``: a save stopped half-way."""
    return postgres.scalar(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
        (f'INSERT INTO "{table}"%',),
    )


def test_postgresql_restarted_in_the_middle_of_a_save_leaves_nothing_half_saved(
    web, demo, private_postgres, browser_for, figure
):
    manager = browser_for()
    manager.sign_in("manager@demo.example")
    form_path = f"/actions/{demo.action_id}/update/"
    token = manager.csrf_token(form_path)
    master, workers = web.pid, web.worker_pids()
    before = _action_state(private_postgres, demo.action_id)
    files_before = web.stored_files()
    new_status = "in_progress" if before["status"] == "not_started" else "not_started"
    narrative = "Cut off half-way by a PostgreSQL restart."

    # The save writes the update, stores the evidence file, writes the evidence row and
    # changes the action, and then its history row: holding the history table here stops
    # it exactly there, half-way, every time, until the restart cuts it off.
    blocker = private_postgres.connect(autocommit=False)
    blocker.execute("LOCK TABLE actionplans_historicalaction IN EXCLUSIVE MODE")
    outcome: dict = {}

    def save():
        try:
            outcome["response"] = manager.post(
                form_path, _update_form(narrative, new_status), token=token,
                files=_evidence(b"cut,off\nhalf,way\n"),
            )
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            outcome["error"] = exc

    saving = threading.Thread(target=save)
    saving.start()
    try:
        wait_until(
            lambda: _waiting_on_lock(private_postgres, "actionplans_historicalaction"),
            timeout=30, interval=0.05, what="the save blocked half-way",
        )
        half_written = web.stored_files("evidence") - files_before
        assert len(half_written) == 1, "the evidence file should be stored by now (the save is half-way)"

        started = time.monotonic()
        private_postgres.restart()
        figure("postgres restart (pg_ctl restart -m fast)", f"{time.monotonic() - started:.2f} s")
        saving.join(60)
        figure("postgres restart: the cut-off save answered after", f"{time.monotonic() - started:.2f} s")
    finally:
        saving.join(60)
        with contextlib.suppress(Exception):  # its server was restarted under it
            blocker.close()

    assert "error" not in outcome, f"the request itself failed: {outcome.get('error')}"
    _assert_unavailable_page(outcome["response"], f"POST {form_path} cut off by the restart")

    # Back, without restarting the web process; and nothing of the cut-off save anywhere.
    page = manager.get(f"/actions/{demo.action_id}/")
    assert page.status_code == 200
    assert re.search(r"Cut off half-way", page.text) is None
    assert (web.pid, web.worker_pids()) == (master, workers), "the web process was restarted"
    assert _action_state(private_postgres, demo.action_id) == before
    assert private_postgres.scalar("SELECT count(*) FROM actionplans_progressupdate WHERE narrative = %s", (narrative,)) == 0
    assert web.stored_files() == files_before, "the half-way save left its evidence file behind"
