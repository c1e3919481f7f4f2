"""Background work for action plans: the dashboards' month-end snapshots. (Notification
emails are written to the outbox by actionplans.services and sent by partners.tasks.)"""

from django.conf import settings

from foundation.tasks import durable_task


@durable_task(
    max_retries=5,
    # It counts every live plan as at the month end, like a paper does: a paper's limits.
    soft_time_limit=settings.REPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TASK_TIME_LIMIT,
)
def record_rag_snapshots() -> int:
    """Beat, shortly after each month end: store each plan's RAG counts as at the month just
    ended for the dashboards' trend (actionplans.dashboards.rag_snapshots_record). Safe to
    run again: a stored month is never counted twice. Returns how many were stored."""
    from actionplans.dashboards import rag_snapshots_record

    return rag_snapshots_record()
