"""Report jobs that never reached the worker's queue are handed over again:

- ``ReportJob.dispatched_at``: when the job was last handed to the broker; blank while it
  could not be (the broker was down when it was requested);
- the beat entry "reports: dispatch stalled jobs", every minute: hands over the queued jobs
  that were never handed over, or were handed over long ago and are still queued
  (reports.tasks.dispatch_stalled_report_jobs).

Jobs queued before this migration have no dispatched_at: any still queued is handed over by
the first sweep, which is safe (running a job twice leaves one file).

Idempotent like 0003: run again (or after reports.schedules.periodic_tasks_ensure) the beat
entry is unchanged. The definition is repeated from reports.schedules.BEAT_TASKS because a
migration must not depend on code that changes after it is written.
"""

from django.db import migrations, models

from foundation.beat_migrations import beat_tasks_operation

BEAT_TASK = {
    "name": "reports: dispatch stalled jobs",
    "task": "reports.tasks.dispatch_stalled_report_jobs",
    "crontab": {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "description": "Hands the worker the report jobs that are queued but never reached it (the queue was down).",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_beat_tasks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportjob",
            name="dispatched_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the job was last handed to the worker's queue; blank: not yet (the queue was down).",
                null=True,
            ),
        ),
        beat_tasks_operation([BEAT_TASK]),
    ]
