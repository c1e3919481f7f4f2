"""The one Celery task decorator of the project: ``durable_task``.

Every task takes an id (or nothing), calls a service that is safe to run twice, and
records its outcome in the database. So every task is declared the same way:

- acknowledged only once it returns, and put back on the queue if its worker dies
  (``acks_late``, ``reject_on_worker_lost``): a killed worker does not lose the work, and
  the service, run again, does not do it twice;
- retried with exponential backoff when the database connection fails
  (``OperationalError``, ``InterfaceError``), and for nothing else: any other error would
  fail the same way again and is recorded on the task's own row instead;
- ``max_retries`` 3 unless the task says otherwise.

A task passes what is really its own (``bind``, ``max_retries``, ``retry_backoff_max``,
``retry_jitter``, ``expires``, time limits) as keyword arguments, which win over these.
The worker's default time limits are CELERY_TASK_SOFT_TIME_LIMIT/CELERY_TASK_TIME_LIMIT.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

# The failures worth retrying: the database connection, gone or restarting.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def durable_task(**overrides):
    """``shared_task`` with the project's options (see the module docstring); keyword
    arguments add to them or replace them."""
    options = {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": DATABASE_ERRORS,
        "retry_backoff": True,
        "max_retries": 3,
    }
    options.update(overrides)
    return shared_task(**options)
