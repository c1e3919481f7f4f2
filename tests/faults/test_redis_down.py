"""Redis stopped: the cache and the broker are gone, PostgreSQL is fine.

What people and operators must see: sign-in and every main page still work; a paper
requested meanwhile is recorded in PostgreSQL, the page saying it is queued, and it is
produced, once, when Redis and a worker are back; /healthz answers 200 "degraded", naming
the cache and the broker, so that load balancers keep the instance while monitoring
raises the alarm.
"""

import hashlib
import re
import time

import pytest

from tests.faults.conftest import wait_until

pytestmark = pytest.mark.faults

# The request must not hang on a broker that is down: publishing gives up within a second
# or two (CELERY_TASK_PUBLISH_RETRY_POLICY), the rest is the page itself.
PAPER_REQUEST_LIMIT = 3.0
JOB_TIMEOUT = 60


def _main_pages(demo) -> list[str]:
    return [
        "/",
        "/my-actions/",
        "/plans/",
        f"/plans/{demo.plan_slug}/",
        f"/plans/{demo.plan_slug}/dashboard/",
        f"/actions/{demo.action_id}/",
        "/actions/",
        f"/actions/?plan={demo.plan_slug}",
        "/dashboard/",
        "/inspections/",
        f"/inspections/{demo.inspection_id}/coverage/",
        "/reports/",
        "/reports/new/",
        "/actions/export/?format=csv",
        "/actions/export/?format=xlsx",
    ]


def _job(postgres, job_id: int) -> dict:
    row = postgres.query(
        "SELECT status, dispatched_at, attempts, file, checksum_sha256, error FROM reports_reportjob WHERE id = %s",
        (job_id,),
    )
    assert row, f"report job {job_id} is not in the database"
    return dict(zip(("status", "dispatched_at", "attempts", "file", "checksum_sha256", "error"), row[0], strict=True))


def test_with_redis_stopped_every_page_works_and_a_paper_asked_for_is_made_once_redis_is_back(
    web, demo, private_redis, private_postgres, browser_for, start_worker, figure
):
    papers_before = web.stored_files("reports")
    private_redis.stop()
    assert not private_redis.answers()

    # Sign-in is throttled through the cache: it must still let people in.
    manager = browser_for()
    started = time.monotonic()
    manager.sign_in("manager@demo.example")
    figure("redis down: sign-in", f"{time.monotonic() - started:.2f} s")

    slowest = (0.0, "")
    for path in _main_pages(demo):
        started = time.monotonic()
        response = manager.get(path)
        slowest = max(slowest, (time.monotonic() - started, path))
        assert response.status_code == 200, f"GET {path} with Redis stopped: {response.status_code}\n{web.output()}"
    figure("redis down: slowest main page", f"{slowest[0]:.2f} s ({slowest[1]})")

    health = manager.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["broker"]["ok"] is False

    token = manager.csrf_token("/reports/new/")
    started = time.monotonic()
    response = manager.post(
        "/reports/new/", {"plan": demo.plan_id, "kind": "actions-export", "format": "csv"}, token=token
    )
    request_seconds = time.monotonic() - started
    figure("redis down: requesting a paper (publish gives up, page answers)", f"{request_seconds:.2f} s")
    assert response.status_code == 200, response.text[:2000]
    found = re.search(r"/reports/(\d+)/$", response.url)
    assert found, f"not sent to the paper's page but to {response.url}"
    assert "Queued" in response.text
    assert request_seconds < PAPER_REQUEST_LIMIT
    job_id = int(found.group(1))
    job = _job(private_postgres, job_id)
    assert job["status"] == "queued"
    assert job["dispatched_at"] is None  # recorded in PostgreSQL, never reached the broker
    assert job["file"] == ""

    private_redis.start()
    back = time.monotonic()
    worker = start_worker()

    def finished():
        state = _job(private_postgres, job_id)
        return state if state["status"] in ("done", "failed") else None

    job = wait_until(finished, timeout=JOB_TIMEOUT, interval=0.2, what=f"report job {job_id} done")
    figure("redis back: the queued paper made after", f"{time.monotonic() - back:.1f} s (worker start included)")
    assert job["status"] == "done", f"{job['error']}\n{worker['output']()}"
    assert job["attempts"] == 1
    assert job["dispatched_at"] is not None
    papers = web.stored_files("reports") - papers_before
    assert papers == {job["file"]}, f"expected exactly one new paper, found {sorted(papers)}"
    content = (web.files_root / job["file"]).read_bytes()
    assert hashlib.sha256(content).hexdigest() == job["checksum_sha256"]

    page = manager.get(f"/reports/{job_id}/")
    assert page.status_code == 200
    assert "Done" in page.text
    download = manager.get(f"/reports/{job_id}/download/")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == job["checksum_sha256"]

    # Back to "ok" once the worker answers /healthz's ping (1 s each; a busy machine may miss one).
    wait_until(
        lambda: manager.get("/healthz").json()["status"] == "ok",
        timeout=20, interval=0.5, what="/healthz saying ok again",
    )


def test_with_redis_stopped_a_lead_records_progress_and_is_told_it_is_saved(
    web, demo, private_redis, private_postgres, browser_for, figure
):
    officer = browser_for()
    officer.sign_in("officer@demo.example")
    mine = officer.get("/my-actions/")
    leads = sorted({int(pk) for pk in re.findall(r'href="/actions/(\d+)/"', mine.text)})
    action_id = private_postgres.scalar(
        "SELECT min(id) FROM actionplans_action WHERE id = ANY(%s) AND status IN ('not_started', 'in_progress')",
        (leads,),
    )
    assert action_id, "the demo officer leads no open action"
    token = officer.csrf_token(f"/actions/{action_id}/update/")
    private_redis.stop()

    started = time.monotonic()
    response = officer.post(
        f"/actions/{action_id}/update/",
        {
            "as_of": time.strftime("%d/%m/%Y"),
            "narrative": "Recorded while Redis was stopped.",
            "proposed_rag": "amber",
            "status": "in_progress",
            "links": "",
        },
        token=token,
        files={"files": ("minutes.csv", b"meeting,date\nboard,2026-01-01\n", "text/csv")},
    )
    figure("redis down: recording progress with evidence", f"{time.monotonic() - started:.2f} s")

    saved = private_postgres.scalar(
        "SELECT count(*) FROM actionplans_progressupdate WHERE action_id = %s AND narrative = %s",
        (action_id, "Recorded while Redis was stopped."),
    )
    assert saved == 1
    # The update was saved, so the person must be told so, not shown an error page that
    # would have them send it again.
    assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}\n{web.output()[-3000:]}"
    assert response.url.endswith(f"/actions/{action_id}/")
    assert "Your update has been recorded." in response.text
    # The managers' emails about it exist, waiting in the outbox for the queue to come back
    # (partners.email_outbox's sweep hands them over): none is lost.
    update_id = private_postgres.scalar(
        "SELECT id FROM actionplans_progressupdate WHERE action_id = %s AND narrative = %s",
        (action_id, "Recorded while Redis was stopped."),
    )
    waiting = private_postgres.scalar(
        "SELECT count(*) FROM partners_emaildelivery WHERE key LIKE %s AND status = 'pending' AND dispatched_at IS NULL",
        (f"notification:update_submitted:{update_id}:%",),
    )
    assert waiting >= 1, "the plan managers' emails about the update were lost"
