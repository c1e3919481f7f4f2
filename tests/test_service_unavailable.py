"""What a Redis or PostgreSQL outage looks like from inside one process: the cache falls
back to local memory (so sign-in throttling and locks keep working) and an unreachable
database is the 503 "temporarily unavailable" page. Redis is made unreachable by address
(a closed port), not by a mock; tests/faults stops the real Redis and PostgreSQL under a
real web process."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from foundation.cache import RedisCacheWithLocalFallback
from foundation.errors import database_unavailable, server_error

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def unreachable_cache():
    return RedisCacheWithLocalFallback(
        UNREACHABLE_REDIS,
        {"OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}},
    )


def test_with_redis_unreachable_the_cache_api_works_in_local_memory(unreachable_cache):
    cache = unreachable_cache
    # add is what locks are made of: it must still say True once and False after.
    assert cache.add("lock", "mine", 30) is True
    assert cache.add("lock", "theirs", 30) is False
    assert cache.get("lock") == "mine"
    cache.set("history", [1, 2], 30)
    assert cache.get("history") == [1, 2]
    assert cache.get_many(["lock", "history", "missing"]) == {"lock": "mine", "history": [1, 2]}
    cache.set("count", 1, 30)
    assert cache.incr("count") == 2
    assert cache.has_key("lock")
    assert cache.delete("lock") is True
    assert cache.get("lock", "gone") == "gone"
    with pytest.raises(RedisConnectionError):
        cache.ping()  # /healthz asks Redis itself, never the fallback


def test_with_redis_unreachable_sign_in_throttling_still_lets_people_in(rf, unreachable_cache, monkeypatch):
    """allauth takes a lock with cache.add before counting a sign-in attempt; with a cache
    that answered None (IGNORE_EXCEPTIONS alone) nobody could sign in while Redis is down."""
    from allauth.core.internal import ratelimit

    monkeypatch.setattr(ratelimit, "cache", unreachable_cache)
    request = rf.post("/accounts/login/")

    allowed = [
        ratelimit.consume(request, app="allauth.account", action="login_failed", key="someone@example.test")
        for _ in range(7)
    ]

    assert [bool(usage) for usage in allowed] == [True] * 5 + [False] * 2  # "5/5m/key" still holds


def test_database_errors_are_recognised_through_their_causes():
    assert database_unavailable(OperationalError("connection refused"))
    assert database_unavailable(InterfaceError("connection already closed"))
    try:
        try:
            raise OperationalError("terminating connection due to administrator command")
        except OperationalError as exc:
            raise RuntimeError("while cleaning up") from exc
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)
    assert not database_unavailable(ValueError("a bug"))
    assert not database_unavailable(None)


@override_settings(DEBUG=False)
def test_an_unreachable_database_is_the_503_page_saying_nothing_was_saved():
    request = RequestFactory().post("/actions/1/update/")
    try:
        raise OperationalError('connection to server at "db" failed: Connection refused')
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Sorry, the service is temporarily unavailable" in page
    assert "Try again in a few minutes." in page
    assert "Nothing you sent has been saved." in page


def test_any_other_failure_is_still_the_500_page():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
