"""/healthz: database, cache, broker and worker status as JSON for load balancers and
monitoring.

Only the database is required: without it nothing works, so the answer is 503 "down".
Without Redis (the cache and the broker) or without a worker, pages still work and report
jobs wait, recorded in PostgreSQL, until the broker and a worker are back: 200 "degraded",
naming the part that does not answer, so that a load balancer keeps sending people to
this instance while monitoring raises the alarm. In the embedded default (no broker)
tasks run in-process, so the broker and worker are reported as such."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "required": True}
    except Exception as exc:  # noqa: BLE001 - any failure is "down", reported with its reason
        return {"ok": False, "required": True, "error": exc.__class__.__name__}


def _check_cache() -> dict:
    try:
        # Redis itself, not the local memory the cache falls back to (foundation/cache.py).
        ping = getattr(cache, "ping", None)
        if ping is not None:
            ok = ping()
        else:
            cache.set("healthz", "1", 10)
            ok = cache.get("healthz") == "1"
        return {"ok": ok, "required": False}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "required": False, "error": exc.__class__.__name__}


def _check_broker_and_worker() -> tuple[dict, dict]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        in_process = {"ok": True, "required": False, "mode": "in-process"}
        return in_process, in_process
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        broker = {"ok": True, "required": False}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "required": False, "error": exc.__class__.__name__}, {"ok": False, "required": False}
    try:
        replies = app.control.inspect(timeout=1.0).ping() or {}
    except Exception:  # noqa: BLE001
        replies = {}
    return broker, {"ok": bool(replies), "required": False, "workers": len(replies)}


@never_cache
@require_GET
def healthz(request):
    database = _check_database()
    cache_status = _check_cache()
    broker, worker = _check_broker_and_worker()
    checks = {"database": database, "cache": cache_status, "broker": broker, "worker": worker}
    healthy = all(c["ok"] for c in checks.values() if c["required"])
    status = "ok" if all(c["ok"] for c in checks.values()) else ("degraded" if healthy else "down")
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
