"""Background work for the partnership: sending the emails of the outbox."""

from __future__ import annotations

import uuid

from foundation.tasks import durable_task
from partners.email_outbox import (
    MAX_ATTEMPTS,
    DeliveryOutcome,
    email_deliveries_dispatch_stalled,
    email_delivery_send,
)

# The backoff between attempts of an email the mail server did not take: 1, 2, 4, 8 minutes.
RETRY_FIRST_SECONDS = 60


@durable_task(
    # Acknowledged only once the task returns, and put back if its worker dies: the
    # redelivered message then finds its own claim and marks the email unknown rather
    # than sending it again (partners.email_outbox). The database gone before the claim
    # commits: nothing was sent, so it is retried.
    bind=True,
    max_retries=MAX_ATTEMPTS + 3,
)
def send_email_delivery(self, delivery_id: int) -> str:
    # The claim names this message; the broker redelivers it with the same id and retry
    # count, while a retry (or another dispatch of the same email) has another.
    claim = f"{self.request.id or uuid.uuid4().hex}:{self.request.retries or 0}"
    outcome = email_delivery_send(delivery_id=delivery_id, claim=claim)
    if outcome == DeliveryOutcome.RETRY:
        raise self.retry(countdown=min(RETRY_FIRST_SECONDS * 2 ** (self.request.retries or 0), 3600))
    return str(outcome)


@durable_task()
def dispatch_stalled_emails() -> int:
    """Beat, every minute: hand the queue the emails written while it was down."""
    return len(email_deliveries_dispatch_stalled())
