"""gunicorn settings for the web service (docker-compose.yml): gunicorn -c config/gunicorn.conf.py config.wsgi

Pages are short requests to PostgreSQL; papers are produced by the Celery worker, not
here, so a handful of sync workers per container serves a partnership of 400 users.
"""

import os

from foundation.env import env_int, env_str


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
workers = env_int("WEB_CONCURRENCY", min(2 * _cores() + 1, 8))
worker_class = "sync"
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows into an outage.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = 100
# Heartbeat files in memory, not on the container's overlay disk (gunicorn's advice).
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's own heartbeat files, not data
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
accesslog = "-"
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
# The reverse proxy in front sets X-Forwarded-Proto; Django trusts it via
# SECURE_PROXY_SSL_HEADER. Set FORWARDED_ALLOW_IPS to the proxy's address.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1")
