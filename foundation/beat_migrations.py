"""Beat entries written by data migrations (django-celery-beat's tables), shared by the
migrations that add one.

Migrations run for years after they are written, so what this module does must never
change: a migration that needs something else gets a new function here. Each migration
keeps its own copy of the entries it adds (their names, tasks and times), as they were when
it was written; the running code's list is reports.schedules.BEAT_TASKS.
"""

import json

from django.db import migrations
from django.utils import timezone

TIME_ZONE = "Europe/London"


def beat_tasks_operation(specs: list[dict]) -> migrations.RunPython:
    """A RunPython that creates (or brings up to date) these beat entries, each a dict of
    name, task, crontab fields and description, on London time, and removes them when the
    migration is reversed. Idempotent."""

    def create(apps, schema_editor):
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
        for spec in specs:
            crontab = CrontabSchedule.objects.filter(timezone=TIME_ZONE, **spec["crontab"]).first()
            if crontab is None:
                crontab = CrontabSchedule.objects.create(timezone=TIME_ZONE, **spec["crontab"])
            PeriodicTask.objects.update_or_create(
                name=spec["name"],
                defaults={
                    "task": spec["task"], "crontab": crontab, "interval": None, "args": "[]",
                    "kwargs": json.dumps({}), "description": spec["description"],
                },
            )
        # Historical models send no signals: tell a running beat that its entries changed.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})

    def remove(apps, schema_editor):
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        PeriodicTask.objects.filter(name__in=[spec["name"] for spec in specs]).delete()

    return migrations.RunPython(create, remove)
