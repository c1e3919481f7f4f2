"""The two beat entries every installation needs, stored with django-celery-beat so that
they can be seen (and paused) in the admin:

- "reports: run due schedules", daily at 07:00 Europe/London: makes the papers that are
  due before meetings (reports.scheduling.run_due_schedules);
- "reminders: weekly", Mondays at 07:30 Europe/London: each lead's overdue, due-soon and
  needing-an-update actions (reports.scheduling.send_weekly_reminders).

Idempotent: run again (or after reports.schedules.periodic_tasks_ensure) it changes
nothing. The same definitions live in reports.schedules.BEAT_TASKS; they are repeated
here because a migration must not depend on code that changes after it is written.
"""

import json

from django.db import migrations
from django.utils import timezone

BEAT_TASKS = [
    {
        "name": "reports: run due schedules",
        "task": "reports.scheduling.run_due_schedules",
        "crontab": {"minute": "0", "hour": "7", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "description": "Makes the papers due before governance body meetings, once per meeting.",
    },
    {
        "name": "reminders: weekly",
        "task": "reports.scheduling.send_weekly_reminders",
        "crontab": {"minute": "30", "hour": "7", "day_of_week": "1", "day_of_month": "*", "month_of_year": "*"},
        "description": "Emails each lead their overdue, due-soon and needing-an-update actions.",
    },
]
TIME_ZONE = "Europe/London"


def create_beat_tasks(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for spec in BEAT_TASKS:
        crontab = CrontabSchedule.objects.filter(timezone=TIME_ZONE, **spec["crontab"]).first()
        if crontab is None:
            crontab = CrontabSchedule.objects.create(timezone=TIME_ZONE, **spec["crontab"])
        PeriodicTask.objects.update_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "crontab": crontab,
                "interval": None,
                "args": "[]",
                "kwargs": json.dumps({}),
                "description": spec["description"],
            },
        )
    # Historical models send no signals: tell a running beat that its entries changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_beat_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[spec["name"] for spec in BEAT_TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_beat_tasks, remove_beat_tasks)]
