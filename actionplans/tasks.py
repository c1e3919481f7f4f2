"""Background work for action plans: notification emails."""

from celery import shared_task

from actionplans.notifications import build_notice, send_notice


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_notification(kind: str, object_id: int) -> int:
    """Email the people concerned by an event. Returns how many messages were sent."""
    notice = build_notice(kind, object_id)
    return send_notice(notice) if notice else 0
