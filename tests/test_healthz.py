"""/healthz for load balancers and monitoring: 200 while the database answers ("ok", or
"degraded" when Redis or the worker does not), 503 "down" when it does not. The database
check is real in every test here; the broker and the cache are made unreachable by
configuration (a closed port), not by a mock. tests/faults stops the real ones."""

import pytest

from config.celery import app as celery_app

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def embedded_default(settings):
    """The laptop shape: no broker (tasks in-process) and no Redis, whatever the suite's
    own environment is."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REDIS_URL = ""


def test_embedded_default_is_healthy(client, db, embedded_default):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    in_process = {"ok": True, "required": False, "mode": "in-process"}
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "required": True},
            "cache": {"ok": True, "required": False},
            "broker": in_process,
            "worker": in_process,
        },
    }


def test_an_unreachable_broker_and_cache_are_reported_degraded_with_200(client, db, settings, monkeypatch):
    # Pages still work without Redis and report jobs wait in the database: the instance
    # must stay in the load balancer, so 200, while monitoring sees "degraded".
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The Celery app reads its settings through to Django's, except the broker address,
    # where the CELERY_BROKER_URL environment variable wins when set (make test-services).
    monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE_BROKER)
    assert celery_app.conf.broker_url == UNREACHABLE_BROKER
    settings.REDIS_URL = UNREACHABLE_BROKER
    settings.CACHES = {
        "default": {
            "BACKEND": "foundation.cache.RedisCacheWithLocalFallback",
            "LOCATION": UNREACHABLE_BROKER,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True, "required": True}
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["required"] is False
    assert body["checks"]["cache"]["error"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["required"] is False
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["worker"]["ok"] is False


def test_healthz_answers_get_only(client, db, embedded_default):
    assert client.post("/healthz").status_code == 405
