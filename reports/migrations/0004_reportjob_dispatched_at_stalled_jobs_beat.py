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

import json

from django.db import migrations, models
from django.utils import timezone

BEAT_TASK = {
    "name": "reports: dispatch stalled jobs",
    "task": "reports.tasks.dispatch_stalled_report_jobs",
    "crontab": {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "description": "Hands the worker the report jobs that are queued but never reached it (the queue was down).",
}
TIME_ZONE = "Europe/London"


def create_beat_task(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab = CrontabSchedule.objects.filter(timezone=TIME_ZONE, **BEAT_TASK["crontab"]).first()
    if crontab is None:
        crontab = CrontabSchedule.objects.create(timezone=TIME_ZONE, **BEAT_TASK["crontab"])
    PeriodicTask.objects.update_or_create(
        name=BEAT_TASK["name"],
        defaults={
            "task": BEAT_TASK["task"],
            "crontab": crontab,
            "interval": None,
            "args": "[]",
            "kwargs": json.dumps({}),
            "description": BEAT_TASK["description"],
        },
    )
    # Historical models send no signals: tell a running beat that its entries changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_beat_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=BEAT_TASK["name"]).delete()


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
        migrations.RunPython(create_beat_task, remove_beat_task),
    ]
